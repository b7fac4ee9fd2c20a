import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

import gankit
import gankit.api
from conftest import CHROMIUM, needs_fashion, render, small, stop_runs_at
from gankit.benchmark.suites import suite_cells
from gankit.cli import main
from gankit.cli.common import INTERRUPTED_EXIT


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


@pytest.mark.slow
def test_estimate_prints_each_methods_pace_and_the_suites_time_and_runs_nothing(tmp_path):
    out = tmp_path / "bench"
    result = CliRunner().invoke(main, ["bench", "modes", "--methods", "ns,ebm", "--estimate", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("compute card: 5 steps of each method")
    assert [line.split()[0] for line in lines[1:3]] == ["ns", "ebm"]
    assert all("img/s" in line and "s per 1 000 steps" in line and "2 cells x" in line for line in lines[1:3])
    assert lines[3].startswith("  the suite: about") and "--jobs 1" in lines[3]
    assert not out.exists()  # a card trains in a temporary folder and writes no results
