import json
import shutil

import pytest

from gankit.errors import GankitError
from gankit.serve.runs import NotFound, RunsDir


def test_runs_are_found_by_their_config_and_no_path_leads_outside_the_folder(tmp_path):
    root = tmp_path / "runs"
    for run in ("a", "bench/cells/ring8/ns-seed0", "notes"):
        (root / run).mkdir(parents=True)
    (root / "a" / "config.yaml").write_text("{}")
    (root / "bench/cells/ring8/ns-seed0" / "config.yaml").write_text("{}")
    (root / "a" / "samples.png").write_bytes(b"png")
    (tmp_path / "secret.png").write_bytes(b"secret")
    (root / "a" / "link.png").symlink_to(tmp_path / "secret.png")
    runs = RunsDir.at(root)
    assert [runs.run_id(folder) for folder in runs.runs()] == ["a", "bench/cells/ring8/ns-seed0"]
    assert runs.file("a/samples.png") == (root / "a" / "samples.png", "image/png")
    for bad in ("../secret.png", "a/link.png", str(tmp_path / "secret.png"), "a/config.py", "notes"):
        with pytest.raises(NotFound):
            runs.file(bad) if bad != "notes" else runs.run(bad)
    with pytest.raises(GankitError, match="is not a folder of runs"):
        RunsDir.at(tmp_path / "nowhere")


def test_a_runs_verdict_is_read_from_its_own_files_only(tmp_path):
    from gankit.serve.runs import verdict
    from gankit.training.run_folder import RunFolder

    run, outside = tmp_path / "run", tmp_path / "outside.jsonl"
    run.mkdir()
    (run / "config.yaml").write_text("model:\n  algorithm: gan\n")
    assert verdict(RunFolder(run)) is None  # no metrics line yet
    outside.write_text("".join(json.dumps({"step": s, "loss_d": 1.3}) + "\n" for s in range(50, 1001, 50)))
    (run / "metrics.jsonl").symlink_to(outside)
    assert verdict(RunFolder(run)) is None  # a link out of the run folder is never read
    (run / "metrics.jsonl").unlink()
    shutil.copy(outside, run / "metrics.jsonl")
    shown = verdict(RunFolder(run))
    assert shown is not None and shown["kind"] == "healthy" and shown["advice"].startswith("nothing to fix")
