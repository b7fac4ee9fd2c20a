import pytest
import torch

from conftest import tiny_config
from gankit.algorithms.resolve import resolve
from gankit.config import Config
from gankit.errors import ConfigError
from gankit.training.building import build
from gankit.world import World


def resolved(tmp_path, **sections):
    return resolve(Config.from_dict(tiny_config(tmp_path, **sections)), "points")


def test_the_same_seed_builds_the_same_networks_with_an_optimizer_per_trained_network(tmp_path):
    a, b = build(resolved(tmp_path), torch.device("cpu")), build(resolved(tmp_path), torch.device("cpu"))
    assert sorted(a.optimizers) == sorted(a.algorithm.trainable()) == ["discriminator", "generator"]
    assert all(torch.equal(x, y) for x, y in zip(a.algorithm.state_dict().values(),
                                                 b.algorithm.state_dict().values(), strict=True))
    assert a.spec.kind == "points" and a.heldout is None and a.batches.batch_size == 64


def test_a_process_share_that_the_pack_does_not_divide_is_one_line(tmp_path):
    config = resolved(tmp_path, model={"pack": 3}, train={"batch_size": 6})
    with pytest.raises(ConfigError, match="2 examples per batch, which model.pack 3 does not divide"):
        build(config, torch.device("cpu"), World(rank=0, size=3))
