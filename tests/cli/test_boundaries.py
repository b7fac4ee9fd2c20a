"""The run folder is a boundary (a link out of it is never followed), and the CLI is one: whatever fails, a
user reads one line and gets exit 1 (the traceback only when GANKIT_DEBUG asks for it)."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

import gankit
from conftest import tiny_config
from gankit.cli import main
from gankit.errors import CheckpointError


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("boundary")
    gankit.train(tiny_config(root / "run", train={"steps": 6}))
    return root / "run"


def one_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("link", ["checkpoints", "checkpoints/last.json", "config.yaml", "run.json"])
def test_a_run_whose_files_link_outside_it_is_refused_by_every_reader(tmp_path, trained, link):
    run, outside = tmp_path / "run", tmp_path / "elsewhere"
    shutil.copytree(trained, run)
    shutil.copytree(trained, outside)
    (run / link).unlink() if (run / link).is_file() else shutil.rmtree(run / link)
    (run / link).symlink_to(outside / link)
    readers = [["sample", str(run), "--out", str(tmp_path / "s.png")]]
    if link != "run.json":  # resume reads the data itself, not its description
        readers.append(["resume", str(run), "--steps", "8"])
    for args in readers:
        assert "outside the run folder" in one_line(CliRunner().invoke(main, args))
    with pytest.raises(CheckpointError, match="outside the run folder"):
        gankit.load(run)


def test_the_report_never_embeds_a_file_a_link_points_to(tmp_path, trained):
    run = tmp_path / "run"
    shutil.copytree(trained, run)
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG not the run's picture: a private file")
    (run / "progress.png").unlink()
    (run / "progress.png").symlink_to(secret)
    newest = sorted((run / "samples").glob("step-*.png"))[-1]
    newest.unlink()
    newest.symlink_to(secret)
    assert CliRunner().invoke(main, ["report", str(run)]).exit_code == 0
    page = (run / "report.html").read_text()
    import base64

    assert base64.b64encode(secret.read_bytes()).decode()[:24] not in page
    assert "progress.png: a link to outside the folder, not read" in page


def test_the_web_page_reads_no_file_a_link_points_to(tmp_path, trained):
    from gankit.serve.runs import RunsDir, describe
    from gankit.training.run_folder import RunFolder

    runs = tmp_path / "runs"
    shutil.copytree(trained, runs / "run")
    outside = tmp_path / "metrics.jsonl"
    shutil.copy(trained / "metrics.jsonl", outside)
    (runs / "run" / "metrics.jsonl").unlink()
    (runs / "run" / "metrics.jsonl").symlink_to(outside)
    (tmp_path / "eval-step00000006.json").write_text('{"fid": 1.0, "secret": "not the run\'s"}')
    (runs / "run" / "eval-step00000006.json").symlink_to(tmp_path / "eval-step00000006.json")
    described = describe(RunsDir.at(runs), RunFolder(runs / "run"))
    assert described["curves"] == {} and list(described["cards"]) == ["modes.json"]  # its own card only


@pytest.mark.parametrize("args, words", [
    (["train", "--lr", "1e39", "--dry-run"], "too large for float32"),
    (["train", "--seed", str(2**63), "--dry-run"], "train.seed must be in 0.."),
    (["sample", "RUN", "--seed", str(2**64)], "--seed"),
    (["sample", "RUN", "--nrow", "0"], "--nrow"),
    (["sample", "RUN", "--nrow", "-1"], "--nrow"),
])
def test_values_out_of_range_are_one_line(trained, args, words):
    args = [str(trained) if a == "RUN" else a for a in args]
    assert words in one_line(CliRunner().invoke(main, args))


@pytest.mark.parametrize("content", [b"\x00\x01\xff\xfe binary", "data:\n  name: ring8\n".encode("utf-16"),
                                     b"a: " + b"[" * 5000 + b"]" * 5000])
def test_a_config_file_that_is_not_yaml_text_is_one_line(tmp_path, content):
    path = tmp_path / "c.yaml"
    path.write_bytes(content)
    assert str(path) in one_line(CliRunner().invoke(main, ["train", "--config", str(path), "--dry-run"]))


@pytest.mark.parametrize("env", [{"WORLD_SIZE": "two"}, {"WORLD_SIZE": "2", "RANK": "x"},
                                 {"WORLD_SIZE": "2", "RANK": "5"}])
def test_a_malformed_torchrun_environment_is_one_line(tmp_path, monkeypatch, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert "in the environment" in one_line(CliRunner().invoke(main, ["train", "--out", str(tmp_path / "r")]))


def test_an_unforeseen_failure_is_one_line_and_gankit_debug_shows_its_traceback(monkeypatch):
    def boom():
        raise RuntimeError("something no check foresaw")

    monkeypatch.setattr("gankit.cli.train.ALGORITHMS.names", boom)
    line = one_line(CliRunner().invoke(main, ["algorithms"]))
    assert line == "Error: RuntimeError: something no check foresaw (set GANKIT_DEBUG=1 to see the traceback)"
    monkeypatch.setenv("GANKIT_DEBUG", "1")
    result = CliRunner().invoke(main, ["algorithms"])
    assert isinstance(result.exception, RuntimeError)


@pytest.mark.slow
def test_writers_into_a_run_another_process_trains_are_refused_with_its_pid(tmp_path):
    import subprocess
    import sys
    import time

    run = tmp_path / "R"
    other = subprocess.Popen([sys.executable, "-m", "gankit", "train", "--out", str(run), "--steps", "1000000",
                              "--no-progress", "--set", "data.num_points=2048"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (run / "checkpoints" / "last.json").is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        before = (run / "config.yaml").read_text()
        for args in (["train", "--out", str(run), "--overwrite", "--steps", "2"], ["eval", str(run)],
                     ["report", str(run)], ["sample", str(run)], ["sample", str(run), "--out", str(run / "x.png")],
                     ["sample", str(run), "--from-discriminator"], ["sample", str(run), "--out-dir", str(run / "f")]):
            line = one_line(CliRunner().invoke(main, args))
            assert f"being trained by another process (pid {other.pid})" in line, args
        assert (run / "config.yaml").read_text() == before and other.poll() is None  # the other run goes on
        written = [*run.glob("samples-step*"), *run.glob("argmax-d-*"), run / "x.png", run / "f"]
        assert not any(path.exists() for path in written)
        outside = tmp_path / "elsewhere.png"
        assert CliRunner().invoke(main, ["sample", str(run), "--out", str(outside)]).exit_code == 0
        assert outside.is_file()  # sampling a training run to a file outside it is not a write into the run
    finally:
        other.kill()
        other.wait()
