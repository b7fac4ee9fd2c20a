import json
import re

import pytest

import gankit
from conftest import tiny_config
from gankit.config import Config
from gankit.errors import GankitError


def test_run_folder_is_self_describing(tmp_path):
    run = gankit.train(tiny_config(tmp_path / "r"))
    root = run.run_dir
    for name in ("config.yaml", "run.json", "metrics.jsonl", "progress.png", "modes.json",
                 "checkpoints/last.json", "samples/step-00000010.png", "samples/step-00000020.png"):
        assert (root / name).is_file(), name
    assert list((root / "tb").glob("events.out.tfevents.*"))
    lines = [json.loads(line) for line in (root / "metrics.jsonl").read_text().splitlines()]
    assert [line["step"] for line in lines] == [5, 10, 15, 20]
    assert {"loss_d", "loss_g", "d_real", "d_fake", "images_per_s", "updates/generator"} <= lines[0].keys()
    # the training verdict, written when it changes (20 steps: too early to judge), and the checkpoints' 2D modes
    assert lines[0]["verdict"] == "not learning yet" and all("verdict" not in line for line in lines[1:])
    assert "modes/modes_captured" in lines[2]  # the checkpoint at step 10, on the next line
    modes = json.loads((root / "modes.json").read_text())
    assert modes["num_modes"] == 8 and 0 <= modes["high_quality"] <= 1
    saved = gankit.Config.from_yaml(root / "config.yaml")
    assert saved.train.batch_size == 64 and saved.optim.lr_g == 1e-3  # set by the test; mlp default


def test_the_default_run_folder_names_the_objective_that_trains():
    from gankit.training.run_folder import default_run_name

    assert re.fullmatch(r"runs/ring8-auto-ns-\d{8}-\d{6}", default_run_name(Config()))
    modern = Config().override({"model.recipe": "modern"})
    assert default_run_name(modern).startswith("runs/ring8-auto-rpgan-modern-")  # the recipe's objective, named
    mine = modern.override({"objective.name": "hinge", "data.name": "folder:/data/faces/"})
    assert default_run_name(mine).startswith("runs/folder-_data_faces-auto-hinge-modern-")
    vae = Config().override({"model.algorithm": "vae"})  # no GAN objective trains a VAE: none is named
    assert re.fullmatch(r"runs/ring8-vae-\d{8}-\d{6}", default_run_name(vae))


@pytest.mark.slow
def test_existing_run_is_not_overwritten(tmp_path):
    gankit.train(tiny_config(tmp_path / "r"))
    with pytest.raises(GankitError, match="already holds a run.*gankit resume"):
        gankit.train(tiny_config(tmp_path / "r"))
    (tmp_path / "r" / "samples" / "stale.png").write_bytes(b"old")
    gankit.train(tiny_config(tmp_path / "r"), overwrite=True)
    assert not (tmp_path / "r" / "samples" / "stale.png").exists()
    assert len(list((tmp_path / "r" / "tb").glob("events.*"))) == 1


@pytest.mark.parametrize("bad", [{"data": {"name": "folder:/nonexistent-gankit-images"}},
                                 {"data": {"name": "digits"}, "train": {"batch_size": 100_000}}])
def test_a_start_that_fails_on_its_data_leaves_no_run_folder(tmp_path, bad):
    """The data is only read once the folder is locked; when it fails, the folder the start made goes again."""
    with pytest.raises(GankitError):
        gankit.train(tiny_config(tmp_path / "runs" / "r", **bad))
    assert not (tmp_path / "runs" / "r").exists()
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "notes.txt").write_text("mine")  # a folder the user made is never removed
    with pytest.raises(GankitError):
        gankit.train(tiny_config(tmp_path / "kept", **bad))
    assert (tmp_path / "kept" / "notes.txt").read_text() == "mine"
