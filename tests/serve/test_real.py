import pytest

from gankit.config import Config
from gankit.errors import GankitError
from gankit.serve.real import REAL_PRESETS, RealDataSettings, Resumed


def test_a_preset_is_a_small_image_run_scored_by_fid_along_the_way():
    settings = RealDataSettings("fashion-mnist-dcgan", steps=500, seed=3)
    config = settings.config("runs/live/x")
    assert (settings.data, settings.algorithm) == ("fashion-mnist", "gan")
    assert (config.model.net, config.train.steps, config.train.seed) == ("dcgan", 500, 3)
    assert config.train.eval_every == config.train.sample_every == 50  # ten FID points and grids along the run
    assert RealDataSettings("fashion-mnist-vae").config("x").model.algorithm == "vae"
    assert set(REAL_PRESETS) == {"fashion-mnist-dcgan", "fashion-mnist-vae"}
    with pytest.raises(GankitError, match="preset: unknown 'cifar'; valid: fashion-mnist-dcgan, fashion-mnist-vae"):
        RealDataSettings("cifar").config("x")


def test_a_resumed_run_is_its_own_config_to_more_steps():
    saved = Config.from_dict({"data": {"name": "ring8"}, "train": {"steps": 100}})
    resumed = Resumed(saved, steps=300)
    assert resumed.config("ignored").train.steps == 300 and (resumed.data, resumed.algorithm) == ("ring8", "gan")
    assert resumed.public() == {"resumed": True, "steps": 300, "data": "ring8", "algorithm": "gan"}
