"""gankit bench (smoke budgets) and gankit report, rendered in headless Chromium when it is installed."""

import dataclasses
import html
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

import gankit
import gankit.api
from conftest import tiny_config
from gankit.benchmark.suites import suite_cells
from gankit.cli import main
from gankit.cli.common import INTERRUPTED_EXIT
from gankit.errors import GankitError
from gankit.viz.bench_results import markdown_table

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_fashion = pytest.mark.skipif(not os.path.isdir("/usr/share/datasets/fashion-mnist"),
                                   reason="Debian's Fashion-MNIST absent (apt-get install dataset-fashion-mnist)")
_chromium_absent = pytest.mark.skipif(CHROMIUM is None, reason="chromium absent (apt-get install chromium)")


def needs_chromium(test):
    """A test that drives a browser: skipped without one, and in the slow tier."""
    return pytest.mark.slow(_chromium_absent(test))


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
    assert len(cells) == 11 * 2 and {c.dataset for c in cells} == {"fashion-mnist"}
    configs = {c.method: c.config("x") for c in cells}
    assert configs["hinge-sn"]["model"]["spectral_norm"] is True and configs["ebm"]["model"]["algorithm"] == "ebm"
    assert {c["train"]["steps"] for c in configs.values()} == {1000}
    assert "objective" not in configs["vae"]  # views keep their own defaults
    stacked = suite_cells("stacked-mnist", "smoke")
    assert [c.method for c in stacked] == ["ns", "wgan-gp", "hinge-sn", "pacgan2", "modern"]
    assert stacked[3].config("x")["model"]["pack"] == 2
    with pytest.raises(GankitError, match="unknown budget"):
        suite_cells("modes", "huge")


def test_markdown_table_gives_mean_and_std_over_seeds():
    rows = [{"dataset": "ring8", "method": "ns", "seed": s, "modes_captured": m, "high_quality": 0.9,
             "kl_to_uniform": kl, "train_seconds": 10.0} for s, m, kl in ((0, 8, 0.0), (1, 6, float("inf")))]
    table = markdown_table(rows)
    assert "| ring8 | ns | 2 | 7 ± 1.4 | 0.9 ± 0 | 0 ± 0 (1 inf) | 10 ± 0 |" in table


def test_kid_is_shown_times_a_thousand_in_inception_features_and_as_it_is_in_the_classifiers():
    from gankit.metrics.feature_distances import shown

    assert shown("kid", 0.02324, inception=True) == ("kid×10³", pytest.approx(23.24))
    assert shown("kid", 87.2, inception=False) == ("kid", 87.2)  # the classifier's features have their own scale
    assert shown("fid", 31.7, inception=True) == ("fid", 31.7)


@pytest.mark.slow
@needs_fashion
def test_objectives_smoke_bench_runs_skips_finished_cells_and_writes_its_report(tmp_path):
    out = tmp_path / "bench"
    result = CliRunner().invoke(main, ["bench", "objectives", "--budget", "smoke", "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "bench.json").read_text())
    assert meta["cells"] == 11 and len(meta["rows"]) == 11
    assert {r["method"] for r in meta["rows"]} == {"minimax", "ns", "lsgan", "wgan", "wgan-gp", "dragan", "began",
                                                 "hinge-sn", "vae", "ebm", "modern"}
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
    assert (moved / "report.html").read_text().count("<figcaption>fashion-mnist / ") == 11


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


@needs_fashion
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


@needs_fashion
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


def small(cell):
    """The cell with a narrower, smaller-batch network: the same code path in a fraction of the time."""
    return dataclasses.replace(cell, budget=dataclasses.replace(cell.budget, width=16, batch_size=64))


def stop_runs_at(monkeypatch, step, which=lambda config: True):
    """Runs the bench starts (those `which` picks by config) stop at `step`, as Ctrl-C stops them."""
    real_train = gankit.api.train

    def stop(trainer):
        if trainer.step == step:
            trainer.request_stop()

    def train(config, **kwargs):
        extra = (stop,) if which(config) else ()
        return real_train(config, **{**kwargs, "callbacks": (*kwargs.get("callbacks", ()), *extra)})

    monkeypatch.setattr(gankit.api, "train", train)
    return real_train


# a 2D cell (modes.json) and an image cell (evaluated)
@pytest.mark.parametrize("suite", ["modes", pytest.param("objectives", marks=needs_fashion)])
def test_an_interrupted_cell_writes_no_result_and_is_not_evaluated(tmp_path, monkeypatch, suite):
    import gankit.benchmark.runner as runner

    evaluated = []
    monkeypatch.setattr(runner, "evaluate_run", lambda *args, **kwargs: evaluated.append(args) or {"fid": 1.0})
    stop_runs_at(monkeypatch, 10)
    cell = small(suite_cells(suite, "smoke")[1])
    outcome, folder = runner.run_cell(cell, tmp_path), runner.cell_dir(tmp_path, cell)
    assert not (folder / "result.json").exists() and evaluated == []
    assert outcome == runner.Stopped(cell.name, 10)
    assert json.loads((folder / "checkpoints" / "last.json").read_text())["step"] == 10


@pytest.mark.slow
def test_ctrl_c_stops_the_bench_and_the_same_command_resumes_the_interrupted_cell(tmp_path, monkeypatch):
    import gankit.benchmark.runner as runner

    cells = [small(cell) for cell in suite_cells("modes", "smoke")[:3]]  # ring8: minimax, ns, lsgan
    monkeypatch.setattr(runner, "suite_cells", lambda *args: cells)
    first, second, third = (runner.cell_dir(tmp_path, cell) for cell in cells)
    real_train = stop_runs_at(monkeypatch, 20, which=lambda config: config["train"]["out"] == str(second))
    command = ["bench", "modes", "--budget", "smoke", "--out", str(tmp_path), "--no-progress"]
    result = CliRunner().invoke(main, command)
    assert result.exit_code == INTERRUPTED_EXIT, result.output
    assert result.output.strip().splitlines() == [
        "interrupted by Ctrl-C: ring8/ns/seed0 checkpointed at step 20, 1 cell not started; "
        f"to continue, run the same command again: {' '.join(['gankit', *sys.argv[1:]])}"]
    assert (first / "result.json").is_file() and not (second / "result.json").exists() and not third.exists()
    assert not (tmp_path / "bench.json").exists()  # the tables wait for every cell

    monkeypatch.setattr(gankit.api, "train", real_train)
    resumed, real_resume = [], gankit.api.resume
    monkeypatch.setattr(gankit.api, "resume", lambda path, **kw: resumed.append(path) or real_resume(path, **kw))
    again = CliRunner().invoke(main, command)
    assert again.exit_code == 0, again.output
    assert resumed == [second] and json.loads((second / "result.json").read_text())["steps"] == 50
    assert len(json.loads((tmp_path / "bench.json").read_text())["rows"]) == 3


@pytest.mark.slow
def test_ctrl_c_under_two_jobs_checkpoints_the_running_cells_exits_130_and_a_rerun_finishes(tmp_path):
    """A real SIGINT to the process group, as the terminal sends it: workers and parent all get it."""
    out = tmp_path / "bench"
    command = [sys.executable, "-m", "gankit", "bench", "modes", "--budget", "smoke", "--jobs", "2",
               "--out", str(out), "--no-progress"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)
    # no deadline: a loaded machine takes a while to start two workers; only an early exit fails this
    while not list(out.glob("cells/*/*/checkpoints/last.json")):
        assert proc.poll() is None, "the bench exited before any cell started training"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == INTERRUPTED_EXIT, output
    assert "Traceback" not in output and output.strip().splitlines()[-1].startswith("interrupted by Ctrl-C: ")
    unfinished = [f for f in out.glob("cells/*/*") if not (f / "result.json").exists() and (f / "checkpoints").is_dir()]
    assert unfinished, output  # at least one cell was stopped in training, and has no result
    for folder in unfinished:
        name = f"{folder.parent.name}/{folder.name.replace('-seed', '/seed')}"
        assert f"{name} checkpointed at step " in output
        assert json.loads((folder / "checkpoints" / "last.json").read_text())["step"] < 50
    rerun = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1200)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    rows = json.loads((out / "bench.json").read_text())["rows"]
    assert len(rows) == 20 and {r["steps"] for r in rows} == {50}


def test_one_reader_skips_torn_lines_for_the_bench_and_the_logbook(tmp_path):
    from gankit.benchmark.runner import evaluation_curve
    from gankit.jsonl import read_jsonl
    from gankit.training.logbook import Logbook

    lines = ['{"step": 10, "eval/fid": 30.0}', "", "[1, 2]", '{"eval/fid": 9}', '{"step": 20, "eval/fid": 20.0}',
             '{"step": 30, "eval/fid": 1']  # blank, not an object, no step, then a line a crash tore
    (tmp_path / "metrics.jsonl").write_text("\n".join(lines))
    assert read_jsonl(tmp_path / "metrics.jsonl").skipped == [
        (2, "blank"), (3, "a JSON list, not an object"), (4, "no number under 'step'"),
        (6, "not JSON (Expecting ',' delimiter at character 27)")]
    assert evaluation_curve(tmp_path) == [{"step": 10, "fid": 30.0}, {"step": 20, "fid": 20.0}]
    Logbook(tmp_path / "metrics.jsonl", None, start_step=15).close()  # what a resume from step 15 does
    assert (tmp_path / "metrics.jsonl").read_text() == '{"step": 10, "eval/fid": 30.0}\n'


def append(path, text):
    with path.open("a") as f:
        f.write(text)


def edit_json(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


DAMAGED = {  # what a crash, a full disk or a hand edit leaves: (folder, damage, what the page says it skipped)
    "torn metrics line": ("run", lambda f: append(f / "metrics.jsonl", '{"step": 25, "loss_d": 0.'),
                          "could not read metrics.jsonl line 5: not JSON"),
    "blank metrics line": ("run", lambda f: append(f / "metrics.jsonl", "\n"), "metrics.jsonl line 5: blank"),
    "metrics line without a step": ("run", lambda f: append(f / "metrics.jsonl", '{"loss_d": 0.3}\n'),
                                    "metrics.jsonl line 5: no number under 'step'"),
    "NaN values": ("run", lambda f: append(f / "metrics.jsonl", '{"step": 25, "loss_d": NaN, "loss_g": Infinity}\n'),
                   "values of loss_g in metrics.jsonl: not a finite number (e.g. inf)"),
    "non-numeric metric value": ("run", lambda f: append(f / "metrics.jsonl", '{"step": 25, "loss_d": "<b>x</b>"}\n'),
                                 "values of loss_d in metrics.jsonl: not a finite number (e.g. '<b>x</b>')"),
    "corrupt run.json": ("run", lambda f: (f / "run.json").write_text('{"data": {"name": "ri'),
                         "could not read run.json: Unterminated string"),
    "corrupt eval card": ("run", lambda f: (f / "eval-step00000020.json").write_text('{"fid": 3'),
                          "could not read eval-step00000020.json: Expecting"),
    "config.yaml that is a list": ("run", lambda f: (f / "config.yaml").write_text("- model\n- train\n"),
                                   "could not read config.yaml: a list, not a mapping of sections"),
    "non-UTF-8 config.yaml": ("run", lambda f: (f / "config.yaml").write_bytes(b"# caf\xe9 (Latin-1)\n"),
                              "could not read all of config.yaml: byte 6 is not UTF-8"),
    "modes.json not an object": ("run", lambda f: (f / "modes.json").write_text("[8, 0.9]"),
                                 "could not read modes.json: a JSON list, not an object"),
    "corrupt bench.json": ("bench", lambda f: (f / "bench.json").write_text('{"suite": "modes", "rows": [{'),
                           "could not read bench.json: Expecting"),
    "ragged results.md table": ("bench", lambda f: append(f / "results.md", "| ring8 | wgan | 1 |\n"),
                                "could not read a row of results.md: 3 cells under 7 headings"),
    "bench row missing keys": ("bench", lambda f: edit_json(f / "bench.json", lambda m: m["rows"].append({"seed": 1})),
                               "could not read row 2 of bench.json: no dataset or method"),
    "missing plot file": ("bench", lambda f: edit_json(f / "bench.json", lambda m: m.update(plots=["fid-vs-step.png"])),
                          "could not read plots/fid-vs-step.png: no such file"),
    "non-numeric wall-clock": ("bench", lambda f: edit_json(f / "bench.json", lambda m: m.update(wall_seconds="<i>")),
                               "could not read the wall-clock in bench.json: '<i>' is not a number"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", DAMAGED)
def test_report_of_a_damaged_folder_skips_what_it_cannot_read_says_so_and_builds_the_rest(tmp_path, monkeypatch,
                                                                                           case):
    import gankit.benchmark.runner as runner

    kind, damage, skipped = DAMAGED[case]
    if kind == "run":
        folder = gankit.train(tiny_config(tmp_path / "r")).run_dir
    else:
        monkeypatch.setattr(runner, "suite_cells", lambda *args: [small(suite_cells("modes", "smoke")[1])])
        folder = tmp_path / "bench"
        runner.run_suite("modes", "smoke", folder, progress=False)
    damage(folder)
    result = CliRunner().invoke(main, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    page = (folder / "report.html").read_text()
    assert skipped in html.unescape(page), page[:3000]
    assert "<b>" not in page and "<i>" not in page and page.count("<script>") == 1  # user strings stay text
    rest = "<h2>Training curves</h2>" if kind == "run" else "<figcaption>ring8 / ns / seed 0</figcaption>"
    assert rest in page and 'src="data:image/png' in page


def test_views_cells_share_a_wall_clock_and_fill_it_at_each_methods_rate():
    from gankit.benchmark.suites import STEPS_PER_MINUTE

    cells = suite_cells("views", "cpu")
    assert {c.method for c in cells} == {"vae", "rae", "ebm", "drl", "ns", "modern-dcgan"} and len(cells) == 12
    for cell in cells:
        train = cell.config("run")["train"]
        assert train["time_limit"] == 15.0
        assert train["steps"] == max(round(STEPS_PER_MINUTE[cell.method] * 15), 1)
    rae = next(c for c in cells if c.method == "rae").config("run")
    assert rae["model"] == {"width": 0, "algorithm": "rae", "recipe": "modern"}  # the recipe picks its widths
    assert all(c.config("run")["train"]["precision"] == "auto" for c in cells)


@pytest.mark.slow
@needs_fashion
def test_views_smoke_bench_reports_each_views_cost_of_a_sample(tmp_path):
    out = tmp_path / "bench"
    result = CliRunner().invoke(main, ["bench", "views", "--budget", "smoke", "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    rows = {r["method"]: r for r in json.loads((out / "bench.json").read_text())["rows"]}
    assert set(rows) == {"vae", "rae", "ebm", "drl", "ns", "modern-dcgan"}
    # one forward pass per sample for the generators; Langevin steps for the discriminators alone
    assert {m: rows[m]["sample_grad_evals"] for m in rows} == {"vae": 0, "rae": 0, "ns": 0, "modern-dcgan": 0,
                                                               "ebm": 2, "drl": 4}
    assert all(r["sample_ms"] > 0 and r["images_per_s"] > 0 and r["steps"] == 20 for r in rows.values())
    assert rows["drl"]["sample_ms"] > rows["vae"]["sample_ms"]
    header = (out / "results.md").read_text().splitlines()[4]
    assert header.endswith("| steps | images_per_s | sample_ms | sample_grad_evals |")
    assert CliRunner().invoke(main, ["report", str(out)]).exit_code == 0
    page = (out / "report.html").read_text()
    side_by_side = page[page.index("The three views side by side"):page.index("Samples per cell")]
    assert [c.split(":")[0] for c in side_by_side.split("<figcaption>")[1:]] == [
        "generator alone", "discriminator alone", "generator + discriminator"]
