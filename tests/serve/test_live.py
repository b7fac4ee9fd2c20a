import pytest

from gankit.errors import GankitError
from gankit.serve.live import LiveSettings, live_algorithms


def test_the_live_page_trains_the_2d_families_with_only_their_own_sections_set():
    assert live_algorithms() == ["ebm", "gan"]
    gan = LiveSettings(objective="lsgan", d_steps=3, seed=4).config("runs/live")
    assert (gan.objective.name, gan.gan.d_steps, gan.train.seed, gan.train.out) == ("lsgan", 3, 4, "runs/live")
    ebm = LiveSettings(algorithm="ebm", objective="lsgan").config("runs/live")
    assert ebm.ebm.langevin_steps == 20 and ebm.objective.name == "ns"  # an EBM reads no objective
    with pytest.raises(GankitError, match="vae does not train on the live page; valid: ebm, gan"):
        LiveSettings(algorithm="vae").config("runs/live")
