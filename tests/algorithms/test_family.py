import pytest

from gankit.algorithms.family import OWN_SECTIONS, Family, Supports
from gankit.config import Config
from gankit.errors import ConfigError


def plain(**fields) -> Family:
    return Family(name="plain", view="generator alone", summary="a test family", build=lambda *args: None,
                  **fields)


def test_a_setting_the_family_does_not_support_is_one_line_naming_it():
    family = plain()
    family.check(Config())
    for override, words in (({"model.conditional": True}, "drop model.conditional"),
                            ({"model.pack": 2}, "PacGAN"), ({"model.recipe": "modern"}, "drop --recipe")):
        with pytest.raises(ConfigError, match=words):
            family.check(Config().override(override))
    plain(supports=Supports(conditional=True)).check(Config().override({"model.conditional": True}))


def test_its_layers_put_2d_values_above_its_own_and_it_describes_only_its_sections():
    family = plain(defaults={"optim.lr_g": 1.0}, toy_defaults={"optim.lr_g": 2.0}, sections=("vae",),
                   shown=(("beta", "vae", "beta"), ("missing", "ebm", "noise")))
    assert [name for name, _ in family.default_layers(Config(), toy=False)] == ["algorithm plain"]
    assert [name for name, _ in family.default_layers(Config(), toy=True)] == [
        "algorithm plain on 2D data", "algorithm plain", "2D data"]
    assert family.describe({"vae": {"beta": 0.5}}) == {"beta": 0.5, "missing": None}
    assert family.unused_sections() == tuple(s for s in OWN_SECTIONS if s != "vae")
