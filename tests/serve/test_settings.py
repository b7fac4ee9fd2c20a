import pytest

from gankit.config import Config
from gankit.errors import GankitError
from gankit.serve.settings import (
    DRAWN_FILE,
    LiveSettings,
    RealDataSettings,
    Resumed,
    live_algorithms,
    real_presets,
    three_views,
)


def test_the_live_page_trains_the_2d_families_with_only_their_own_sections_set():
    assert live_algorithms() == ["ae", "ebm", "gan", "rae", "vae"]
    gan = LiveSettings(objective="lsgan", d_steps=3, seed=4).config("runs/live")
    assert (gan.objective.name, gan.gan.d_steps, gan.train.seed, gan.train.out) == ("lsgan", 3, 4, "runs/live")
    ebm = LiveSettings(algorithm="ebm", objective="lsgan").config("runs/live")
    assert ebm.ebm.langevin_steps == 20 and ebm.objective.name == "ns"  # an EBM reads no objective
    with pytest.raises(GankitError, match="drl does not train on the live page; valid: ae, ebm, gan, rae, vae"):
        LiveSettings(algorithm="drl").config("runs/live")


def test_gan_labs_rows_reach_the_config_that_trains():
    settings = LiveSettings(objective="minimax", optimizer="sgd", lr_g=0.05, lr_d=0.02, width=16, depth=2, d_width=32,
                            d_depth=4, latent_dim=3)
    config = settings.config("runs/live")
    m, o = config.model, config.optim
    assert (m.width, m.depth, m.d_width, m.d_depth, m.latent_dim) == (16, 2, 32, 4, 3)
    assert (o.name, o.lr_g, o.lr_d, config.objective.name) == ("sgd", 0.05, 0.02, "minimax")
    assert m.g_ema == 0.0  # the page shows G itself: one G update moves what it draws


def test_drawn_points_are_a_points_file_in_the_runs_own_folder():
    points = tuple((0.1 * i, -0.1 * i) for i in range(40))
    config = LiveSettings(data="drawn", points=points).config("/runs/live/drawn-1")
    assert config.data.name == f"points:/runs/live/drawn-1/{DRAWN_FILE}" and config.train.batch_size == 40
    assert LiveSettings(data="drawn", points=points).public()["drawn_points"] == 40
    assert "points" not in LiveSettings(data="drawn", points=points).public()  # frames never repeat them
    with pytest.raises(GankitError, match="points: draw at least 32 points"):
        LiveSettings(data="drawn", points=points[:5]).config("runs/live")
    with pytest.raises(GankitError, match="points: only with data 'drawn'"):
        LiveSettings(points=points).config("runs/live")


def test_each_view_takes_an_algorithm_of_that_view():
    with pytest.raises(GankitError, match="algorithms: gan is the generator \\+ discriminator view, not the "
                                          "generator alone view"):
        three_views(["gan", "ebm", "vae"], "ring8", 30, 0)
    with pytest.raises(GankitError, match="one per view"):
        three_views(["vae"], "ring8", 30, 0)


def test_a_real_data_run_is_a_shipped_preset_scored_by_fid_along_the_way():
    assert real_presets()[0] == "fashion-gan-quick"  # the quick one first, then the rest by name
    assert {"fashion-gan-hour", "fashion-rae-hour"} <= set(real_presets())
    assert "fashion-drl-pilot" not in real_presets()  # sampled by Langevin ladders: not scored along training
    settings = RealDataSettings("fashion-gan-hour", steps=500, seed=3)
    config = settings.config("runs/live/x")
    assert (settings.data, settings.algorithm) == ("fashion-mnist", "gan")
    t = config.train
    assert (config.model.recipe, t.steps, t.seed, t.time_limit) == ("modern", 500, 3, 0)
    assert config.train.eval_every == config.train.sample_every == 50  # ten FID points and grids along the run
    assert RealDataSettings("fashion-rae-hour").config("x").model.algorithm == "rae"
    with pytest.raises(GankitError, match="preset: unknown 'cifar'; valid: fashion-gan-quick, "):
        RealDataSettings("cifar").config("x")


def test_a_resumed_run_is_its_own_config_to_more_steps():
    saved = Config.from_dict({"data": {"name": "ring8"}, "train": {"steps": 100}})
    resumed = Resumed(saved, steps=300)
    assert resumed.config("ignored").train.steps == 300 and (resumed.data, resumed.algorithm) == ("ring8", "gan")
    assert resumed.public() == {"resumed": True, "steps": 300, "data": "ring8", "algorithm": "gan"}
