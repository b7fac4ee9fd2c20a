"""The real-data run the page starts: a shipped image preset with the page's steps and seed, drawn and
evaluated along the run; one training at a time per server."""

import pytest

from gankit.errors import GankitError
from gankit.serve.background import Busy
from gankit.serve.realdata import DEFAULT_PRESET, ImageRuns, ImageSettings, image_presets
from gankit.serve.runs import RunsDir


def test_the_page_offers_the_image_presets_the_quick_gan_first():
    presets = image_presets()
    assert presets[0] == DEFAULT_PRESET == "fashion-gan-quick"
    assert {"fashion-gan-hour", "fashion-rae-hour", "fashion-drl-pilot"} <= set(presets)


def test_a_page_run_is_the_preset_with_its_steps_seed_and_how_often_it_draws_and_evaluates():
    config = ImageSettings("fashion-gan-hour", steps=400, seed=3).config("runs/page/x")
    t = config.train
    assert (t.steps, t.seed, t.out, t.sample_every, t.eval_every, t.eval_samples, t.checkpoint_every) == \
        (400, 3, "runs/page/x", 20, 40, 1000, 40)
    assert config.model.recipe == "modern" and config.optim.lr_g == 0.0005  # the rest is the preset's
    with pytest.raises(GankitError, match="preset: 'nope' is not an image preset; valid: fashion-gan-quick, "):
        ImageSettings("nope").config("x")


def test_one_training_at_a_time_and_a_2d_run_is_not_resumed_here(tmp_path):
    import gankit
    from conftest import tiny_config

    gankit.train(tiny_config(tmp_path / "ring", train={"steps": 2}))
    slot = ImageRuns(RunsDir.at(tmp_path), busy_elsewhere=lambda: "a live 2D run is training (live/x)")
    with pytest.raises(Busy, match=r"^a live 2D run is training \(live/x\); stop it first$"):
        slot.start(ImageSettings(steps=10))
    assert slot.current is None and not (tmp_path / "page").exists()  # nothing written
    free = ImageRuns(RunsDir.at(tmp_path), busy_elsewhere=lambda: None)
    with pytest.raises(GankitError, match="ring is a 2D run: resume it from the live 2D page or the command line"):
        free.resume("ring")
    with pytest.raises(GankitError, match="no image run to stop"):
        free.stop()
