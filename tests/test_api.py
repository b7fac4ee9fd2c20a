import pytest
import torch

import gankit
from conftest import tiny_config
from gankit.errors import GankitError


def test_load_and_sample(tmp_path):
    gankit.train(tiny_config(tmp_path / "r"))
    run = gankit.load(tmp_path / "r")
    a, b = run.sample(16, seed=1), run.sample(16, seed=1)
    assert a.shape == (16, 2) and torch.equal(a, b)
    assert not torch.equal(a, run.sample(16, seed=2))
    with pytest.raises(GankitError, match="unconditional"):
        run.sample(4, labels=1)
