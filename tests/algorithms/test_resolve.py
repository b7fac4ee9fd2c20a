
import pytest

from gankit.algorithms.resolve import resolution_sources, resolve
from gankit.config import Config
from gankit.errors import ConfigError


def test_paper_defaults_fill_only_unset_fields():
    wgan_gp = resolve(Config().override({"objective.name": "wgan-gp"}), "image")
    assert (wgan_gp.optim.lr_g, wgan_gp.optim.beta1, wgan_gp.optim.beta2) == (1e-4, 0.0, 0.9)
    assert (wgan_gp.gan.d_steps, wgan_gp.objective.penalty, wgan_gp.model.d_norm) == (5, "gp", "none")
    assert wgan_gp.train.batch_size == 64  # from the family: the paper says nothing
    toy = resolve(Config().override({"objective.name": "wgan-gp", "gan.d_steps": 2}), "points")
    assert (toy.optim.lr_g, toy.train.batch_size, toy.gan.d_steps) == (1e-3, 512, 2)  # toy lr, user's d_steps
    hinge = resolve(Config().override({"objective.name": "hinge"}), "image")
    assert hinge.model.spectral_norm is True
    ns = resolve(Config(), "image")
    assert (ns.optim.name, ns.optim.lr_d, ns.optim.beta1, ns.objective.penalty) == ("adam", 2e-4, 0.5, "none")
    mine = resolve(Config().override({"optim.lr_g": 5e-5}), "points")
    assert (mine.train.batch_size, mine.optim.lr_g, mine.optim.lr_d) == (512, 5e-5, 1e-3)
    with pytest.raises(ConfigError, match="optim.lr_d must be positive"):
        Config().override({"optim.lr_d": 0})


def test_resolve_needs_only_the_kind_of_data_and_records_every_value_used():
    config = resolve(Config().override({"data.name": "digits"}), "image")
    assert (config.model.net, config.model.latent_dim, config.model.width) == ("dcgan", 100, 64)
    assert (config.gan.d_steps, config.optim.lr_g, config.train.batch_size) == (1, 2e-4, 64)
    assert resolve(config, "image") == config  # resolving twice changes nothing
    toy = resolve(Config(), "points")
    assert (toy.model.net, toy.model.latent_dim, toy.model.width) == ("mlp", 2, 128)


def test_resolution_sources_name_the_layer_of_each_filled_field():
    sources = resolution_sources(Config().override({"objective.name": "wgan-gp", "optim.lr_g": 1e-3}), "points")
    assert sources["objective.penalty_weight"] == "objective wgan-gp on 2D data"  # the toy lambda 0.1
    assert sources["objective.penalty"] == "objective wgan-gp"
    assert sources["train.batch_size"] == "2D data" and sources["model.net"] == "the data (points)"
    assert sources["model.latent_dim"] == "net mlp" and sources["optim.name"] == "base"
    assert "optim.lr_g" not in sources  # set by the user: not filled


def test_the_modern_recipe_fills_r3gans_settings_scaled_to_the_run():
    config = resolve(Config().override({"model.recipe": "modern", "train.steps": 2000}), "image")
    o = config.objective
    assert (o.name, o.penalty, o.penalty_weight, o.penalty_final, o.penalty_decay_steps) == (
        "rpgan", "r1+r2", 0.05, 0.1, 2000)
    model, optim = config.model, config.optim
    assert (model.net, model.d_norm, optim.beta1, optim.beta2) == ("r3gan", "none", 0.0, 0.99)
    # R3GAN's lr 2e-4 -> 5e-5 and beta2 0.9 -> 0.99, over the run
    assert (optim.lr_g, optim.lr_final, optim.beta2_start, optim.decay_steps) == (2e-4, 0.25, 0.9, 2000)
    assert config.augment.policy == "color,translation,cutout"
    assert config.model.g_ema == pytest.approx(0.5 ** (1 / 500), abs=1e-6)  # half-life: a quarter of the run
    longer = resolve(Config().override({"model.recipe": "modern", "train.steps": 8000}), "image")
    assert longer.objective.penalty_decay_steps == longer.optim.decay_steps == 8000
    assert longer.model.g_ema > config.model.g_ema
    assert resolve(config, "image") == config  # resolving twice changes nothing
    sources = resolution_sources(Config().override({"model.recipe": "modern"}), "image")
    assert sources["objective.name"] == sources["objective.penalty"] == sources["augment.policy"] == "recipe modern"
    assert sources["model.net"] == "the data (image) and recipe modern"


def test_fields_set_by_hand_win_over_the_recipe_and_2d_data_gets_no_augmentation():
    mine = resolve(Config().override({"model.recipe": "modern", "objective.name": "hinge", "model.net": "dcgan",
                                      "objective.gamma_r1": 1.0, "augment.policy": "cutout"}), "image")
    assert (mine.objective.name, mine.model.net, mine.objective.penalty) == ("hinge", "dcgan", "r1+r2")
    assert (mine.objective.gamma_r1, mine.augment.policy) == (1.0, "cutout")
    toy = resolve(Config().override({"model.recipe": "modern"}), "points")
    assert (toy.model.net, toy.augment.policy, toy.objective.name) == ("mlp", "none", "rpgan")
    # the gamma, rates and D steps measured for 2D data
    assert (toy.objective.penalty_weight, toy.optim.lr_g, toy.optim.lr_d, toy.gan.d_steps) == (2.0, 1.5e-3, 1.5e-3, 2)
    assert toy.optim.lr_final == 0.25
    assert resolve(Config().override({"model.recipe": "modern"}), "image").gan.d_steps == 1  # images: R3GAN's one


def test_configs_without_the_new_fields_load_and_resolve_as_before():
    """A run folder of an older gankit: no augment section, no per-penalty gammas; one penalty as always."""
    old = Config.from_dict({"objective": {"name": "wgan-gp", "penalty": "gp", "penalty_weight": 10.0},
                            "train": {"steps": 5}})
    config = resolve(old, "image")
    assert (config.objective.penalty_final, config.objective.penalty_decay_steps, config.augment.policy) == (
        1.0, 0, "none")
    assert (config.optim.lr_final, config.optim.decay_steps, config.optim.beta2_start) == (1.0, 0, None)
    assert config.model.recipe == "none" and config.objective.gamma_r1 is None


def test_views_default_to_their_own_settings_not_the_gans():
    ebm = resolve(Config().override({"model.algorithm": "ebm"}), "points")
    assert (ebm.model.minibatch_std, ebm.model.d_norm, ebm.ebm.langevin_steps, ebm.ebm.step_size) == (
        False, "none", 50, 0.05)
    images = resolve(Config().override({"model.algorithm": "ebm"}), "image")
    assert (images.optim.lr_d, images.optim.beta1, images.ebm.step_size) == (1e-4, 0.0, 1.0)
    assert images.model.d_norm == "none"
    vae = resolve(Config().override({"model.algorithm": "vae"}), "image")
    assert (vae.vae.reconstruction, vae.optim.lr_g, vae.optim.beta1) == ("bernoulli", 1e-3, 0.9)
    with pytest.raises(ConfigError, match="ebm.restart must be in"):
        Config().override({"ebm.restart": 1.5})
