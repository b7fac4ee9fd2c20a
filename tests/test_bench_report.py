"""gankit bench (smoke budgets) and gankit report, rendered in headless Chromium when it is installed."""

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

import gankit
import gankit.api
from conftest import tiny_config
from gankit.benchmark.suites import suite_cells
from gankit.cli import main
from gankit.errors import GankitError
from gankit.viz.bench_results import markdown_table

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium absent (apt-get install chromium)")


def render(page):
    """(images that decoded / images, console messages) of a page in headless Chromium."""
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=5000", "--dump-dom", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    marker = 'data-images-ok="'
    start = done.stdout.find(marker)
    loaded = done.stdout[start + len(marker) : done.stdout.index('"', start + len(marker))] if start >= 0 else None
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return loaded, console


def test_suites_share_data_network_and_budget_and_differ_in_method_and_seed():
    cells = suite_cells("objectives", "cpu")
    assert len(cells) == 10 * 2 and {c.dataset for c in cells} == {"fashion-mnist"}
    configs = {c.method: c.config("x") for c in cells}
    assert configs["hinge-sn"]["model"]["spectral_norm"] is True and configs["ebm"]["model"]["algorithm"] == "ebm"
    assert {c["train"]["steps"] for c in configs.values()} == {1000}
    assert "objective" not in configs["vae"]  # views keep their own defaults
    stacked = suite_cells("stacked-mnist", "smoke")
    assert [c.method for c in stacked] == ["ns", "wgan-gp", "hinge-sn", "pacgan2"]
    assert stacked[-1].config("x")["model"]["pack"] == 2
    with pytest.raises(GankitError, match="unknown budget"):
        suite_cells("modes", "huge")


def test_markdown_table_gives_mean_and_std_over_seeds():
    rows = [{"dataset": "ring8", "method": "ns", "seed": s, "modes_captured": m, "high_quality": 0.9,
             "kl_to_uniform": kl, "train_seconds": 10.0} for s, m, kl in ((0, 8, 0.0), (1, 6, float("inf")))]
    table = markdown_table(rows)
    assert "| ring8 | ns | 2 | 7 ± 1.4 | 0.9 ± 0 | 0 ± 0 (1 inf) | 10 ± 0 |" in table


@pytest.mark.slow
def test_objectives_smoke_bench_runs_skips_finished_cells_and_writes_its_report(tmp_path):
    out = tmp_path / "bench"
    result = CliRunner().invoke(main, ["bench", "objectives", "--budget", "smoke", "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "bench.json").read_text())
    assert meta["cells"] == 10 and len(meta["rows"]) == 10
    assert {r["method"] for r in meta["rows"]} == {"minimax", "ns", "lsgan", "wgan", "wgan-gp", "dragan", "began",
                                                 "hinge-sn", "vae", "ebm"}
    assert all(r["fid"] > 0 and r["extractor"].startswith("classifier") for r in meta["rows"])
    assert any(r["curve"] for r in meta["rows"])  # FID along training
    for name in ("results.csv", "results.md", "plots/fid-vs-step.png", "plots/precision-vs-recall.png"):
        assert (out / name).is_file(), name
    # A second run trains nothing: every cell has its result.
    stamp = (out / "cells" / "fashion-mnist" / "ns-seed0" / "result.json").stat().st_mtime_ns
    again = CliRunner().invoke(main, ["bench", "objectives", "--budget", "smoke", "--out", str(out), "--no-progress"])
    assert again.exit_code == 0 and (out / "cells/fashion-mnist/ns-seed0/result.json").stat().st_mtime_ns == stamp
    rerun = json.loads((out / "bench.json").read_text())  # the total wall-clock counts both invocations
    assert rerun["wall_seconds"] >= meta["wall_seconds"] + rerun["seconds_this_invocation"] - 0.2
    assert rerun["seconds_this_invocation"] < meta["seconds_this_invocation"]
    report = CliRunner().invoke(main, ["report", str(out)])
    assert report.exit_code == 0 and (out / "report.html").is_file()
    if CHROMIUM:
        loaded, console = render(out / "report.html")
        total = loaded.split("/")[1]
        assert loaded == f"{total}/{total}" and int(total) >= 12 and console == []
    # A results folder that has been moved still shows every cell's samples (result.json holds the old path).
    moved = out.rename(tmp_path / "moved")
    assert CliRunner().invoke(main, ["report", str(moved)]).exit_code == 0
    assert (moved / "report.html").read_text().count("Samples per cell") == 1
    assert (moved / "report.html").read_text().count("<figcaption>fashion-mnist / ") == 10


def test_an_interrupted_cell_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    from gankit.benchmark.runner import cell_dir, run_cell

    cell = suite_cells("modes", "smoke")[1]  # ring8 / ns
    folder = cell_dir(tmp_path, cell)

    def stop_at_20(trainer):
        if trainer.step == 20:
            trainer.request_stop()

    gankit.train(cell.config(str(folder)), callbacks=(stop_at_20,))
    resumed = []
    real_resume = gankit.api.resume
    monkeypatch.setattr(gankit.api, "resume", lambda path, **kw: resumed.append(path) or real_resume(path, **kw))
    result = run_cell(cell, tmp_path)
    assert resumed == [folder] and result["steps"] == 50 and result["modes_captured"] >= 0


@needs_chromium
def test_run_reports_open_in_chromium_with_every_image_and_no_console_error(tmp_path):
    gankit.train(tiny_config(tmp_path / "ebm", model={"algorithm": "ebm"}, ebm={"buffer_size": 100,
                                                                               "langevin_steps": 3}))
    gankit.train(tiny_config(tmp_path / "vae", data={"name": "digits"}, model={"algorithm": "vae", "width": 8},
                             train={"batch_size": 16}))
    for name, least in (("ebm", 4), ("vae", 4)):
        result = CliRunner().invoke(main, ["report", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        page = (tmp_path / name / "report.html").read_text()
        assert "src=\"data:image/" in page and "file://" not in page  # self-contained
        loaded, console = render(tmp_path / name / "report.html")
        total = loaded.split("/")[1]
        assert loaded == f"{total}/{total}" and int(total) >= least and console == [], (loaded, console)
    assert "landscape" in (tmp_path / "ebm" / "report.html").read_text()
    broken = tmp_path / "broken.html"
    broken.write_text('<html><body><img src="missing.png"><script>undefinedFunction();</script></body></html>')
    assert render(broken)[1]  # the check does see console errors
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code != 0 and "neither a run folder" in result.output


def test_features_inception_adds_the_standard_fid_of_each_final_model(tmp_path, monkeypatch):
    import gankit.benchmark.runner as evaluate  # the runner's own name for evaluate_run
    from gankit.benchmark.runner import run_cell
    from gankit.viz.bench_results import columns_for

    asked = []

    def fake_evaluate(run, n, features="classifier", **kwargs):
        asked.append(features)
        return {"fid": 50.0 if features == "inception" else 9.0, "kid": 1.0, "precision": 0.5, "recall": 0.4,
                "density": 1.0, "coverage": 0.3, "extractor": features}

    monkeypatch.setattr(evaluate, "evaluate_run", fake_evaluate)
    cell = suite_cells("objectives", "smoke")[1]
    result = run_cell(cell, tmp_path, inception=True)
    assert asked == ["classifier", "inception"] and (result["fid"], result["inception_fid"]) == (9.0, 50.0)
    assert columns_for([result])[0] == "inception_fid"


def test_a_cell_keeps_its_training_seed_beside_the_evaluation_seed(tmp_path, monkeypatch):
    import gankit.benchmark.runner as evaluate  # the runner's own name for evaluate_run
    from gankit.benchmark.runner import cell_dir, run_cell

    def card_with_eval_seed(run, n, features="classifier", **kwargs):
        return {"fid": 9.0, "precision": 0.5, "recall": 0.4, "seed": 0, "extractor": features}

    monkeypatch.setattr(evaluate, "evaluate_run", card_with_eval_seed)
    cell = next(c for c in suite_cells("objectives", "smoke", seeds=2) if c.method == "ns" and c.seed == 1)
    result = run_cell(cell, tmp_path)
    assert (result["seed"], result["eval_seed"]) == (1, 0)
    # A result file that names another seed (as gankit 0.1.0 wrote them) is read as the cell it belongs to.
    done = cell_dir(tmp_path, cell) / "result.json"
    done.write_text(json.dumps({**result, "seed": 0}))
    assert run_cell(cell, tmp_path)["seed"] == 1
