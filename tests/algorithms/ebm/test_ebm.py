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
