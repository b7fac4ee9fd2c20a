
import pytest

import gankit
from conftest import DIGITS_VAE, tiny_config
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


@pytest.mark.slow
def test_each_view_shows_its_own_vocabulary(tmp_path):
    from gankit.algorithms import family_of
    from gankit.viz.report import write_report

    ebm = gankit.train(tiny_config(tmp_path / "ebm", model={"algorithm": "ebm"}, ebm={"buffer_size": 64}))
    assert not any("G(z)" in label for label in family_of(ebm.config).progress_labels.values())
    vae = gankit.train(tiny_config(tmp_path / "vae", **DIGITS_VAE))
    assert not any("D" in label for label in family_of(vae.config).progress_labels.values())
    page = write_report(tmp_path / "vae").read_text()
    order = [page.index(f"<h2>{part}</h2>") for part in ("Pictures", "Training curves", "Config")]
    assert order == sorted(order)  # the samples first, the config dump last
    config = page[page.index("<h2>Config</h2>"):]
    assert "vae:" in config and "objective:" not in config and "gan:" not in config
    assert "objective:" in (tmp_path / "vae" / "config.yaml").read_text()  # the file keeps every field
