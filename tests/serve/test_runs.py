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
