import pytest

from gankit.algorithms import ALGORITHMS, build_algorithm, family_of
from gankit.algorithms.resolve import resolve
from gankit.config import Config
from gankit.data.spec import DataSpec
from gankit.errors import GankitError

POINTS = DataSpec(name="fake", kind="points", sample_shape=(2,))


def test_every_family_is_registered_under_its_name_and_builds_its_own_algorithm():
    assert ALGORITHMS.names() == ["ae", "drl", "ebm", "gan", "rae", "vae"]
    for name in ("gan", "vae", "ebm"):
        config = resolve(Config().override({"model.algorithm": name, "model.width": 8}), "points")
        assert family_of(config).name == name
        algorithm = build_algorithm(config, POINTS, batch_size=4)
        assert [phase.name for phase in algorithm.phases()], name
    with pytest.raises(GankitError, match="unknown algorithm 'nope'; valid: ae, drl"):
        family_of(Config().override({"model.algorithm": "nope"}))
