import pytest

from gankit.algorithms.ebm import FAMILY, LADDER, MAX_SAMPLE_STEPS, langevin_settings
from gankit.config import Config
from gankit.errors import ConfigError


def test_the_ladder_refuses_fewer_than_two_levels_and_a_sampling_cost_over_the_cap():
    drl = Config().override({"model.algorithm": "drl"})
    LADDER.check(drl.override({"ebm.levels": 2, "ebm.sample_steps": MAX_SAMPLE_STEPS // 2}))
    with pytest.raises(ConfigError, match="ebm.levels must be at least 2"):
        LADDER.check(drl.override({"ebm.levels": 1}))
    with pytest.raises(ConfigError, match=f"at most {MAX_SAMPLE_STEPS}"):
        LADDER.check(drl.override({"ebm.levels": 3, "ebm.sample_steps": MAX_SAMPLE_STEPS}))


def test_langevin_settings_are_the_ebms_own_where_set_else_its_defaults_for_the_data():
    gan = Config()
    assert langevin_settings(gan, "points").langevin_steps == FAMILY.toy_defaults["ebm.langevin_steps"]
    assert langevin_settings(gan, "image").step_size == FAMILY.defaults["ebm.step_size"]
    assert langevin_settings(gan.override({"ebm.langevin_steps": 7}), "image").langevin_steps == 7


def test_a_trained_energy_takes_other_sampling_settings_and_refuses_training_ones():
    from gankit.algorithms import ALGORITHMS

    ebm = Config().override({"model.algorithm": "ebm"})
    changed = FAMILY.with_sampling(ebm, {"ebm.sample_steps": "200", "ebm.sample_from_noise": "true"})
    assert (changed.ebm.sample_steps, changed.ebm.sample_from_noise) == (200, True)
    assert changed.ebm.langevin_steps == ebm.ebm.langevin_steps  # training's settings untouched
    drl = Config().override({"model.algorithm": "drl"})
    assert LADDER.with_sampling(drl, {"ebm.sample_chain_step_size": "1e-3"}).ebm.sample_chain_step_size == 1e-3
    with pytest.raises(ConfigError, match=r"^--sampler ebm.langevin_steps: not a sampling setting of ebm \(valid: "
                                          r"ebm.sample_steps, ebm.sample_from_noise\)$"):
        FAMILY.with_sampling(ebm, {"ebm.langevin_steps": "5"})  # would change what the saved weights mean
    with pytest.raises(ConfigError, match="not a sampling setting of drl"):
        LADDER.with_sampling(drl, {"ebm.sample_from_noise": "true"})  # drl starts from N(0, I) anyway
    with pytest.raises(ConfigError, match="not a sampling setting of gan .valid: none: it samples in one pass"):
        ALGORITHMS.get("gan").with_sampling(Config(), {"ebm.sample_steps": "5"})
    with pytest.raises(ConfigError, match="ebm.sample_steps must be positive"):
        FAMILY.with_sampling(ebm, {"ebm.sample_steps": "0"})


def test_a_sampling_setting_over_the_ladders_cap_is_refused_when_the_run_is_resolved():
    from gankit.algorithms.resolve import resolve

    drl = Config().override({"model.algorithm": "drl", "ebm.levels": 6})
    with pytest.raises(ConfigError, match=f"at most {MAX_SAMPLE_STEPS}"):
        resolve(LADDER.with_sampling(drl, {"ebm.sample_steps": "40"}), "image")


def test_the_ladders_dry_run_lines_name_each_part_once():
    drl = Config().override({"model.algorithm": "drl", "ebm.levels": 6, "ebm.langevin_steps": 5,
                             "ebm.denoise_jump": True, "ebm.score_matching": 1.0, "ebm.sample_steps": 30})
    training, sampling = LADDER.phase_lines(drl)
    assert "from the data one level noisier, denoised by one step of D, plus denoising score matching × 1" in training
    assert ",," not in training and sampling == "sampling: 6 levels × 30 steps from N(0, I)"
