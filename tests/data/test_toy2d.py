from __future__ import annotations

import re

import pytest
import torch

from gankit.config import DataConfig
from gankit.data.catalog import DATASETS
from gankit.data.loading import load_dataset

TOY = ["ring8", "grid25", "spiral"]


@pytest.mark.parametrize("name", TOY)
def test_toy_shapes_and_seeding(name: str) -> None:
    config = DataConfig(name=name, num_points=2000)
    a, b = load_dataset(config), load_dataset(config)
    test = load_dataset(DataConfig(name=name, num_points=2000, split="test"))
    assert a.kind == "points" and a.data.dtype == torch.float32 and a.data.shape == (2000, 2)
    assert torch.equal(a.data, b.data)
    assert not torch.allclose(a.data, test.data)
    assert a.data.abs().max() <= 4.5
    assert DATASETS.get(name).kind == "points"


@pytest.mark.parametrize("name, num_modes, std, radius",
                         [("ring8", 8, 0.02, 2.0), ("grid25", 25, 0.05, None)])
def test_gaussian_mixture_modes(name: str, num_modes: int, std: float, radius: float | None) -> None:
    data = load_dataset(DataConfig(name=name, num_points=20_000))
    assert data.modes.shape == (num_modes, 2) and data.mode_std == std
    assert data.class_names == [str(i) for i in range(num_modes)]
    assert data.labels.dtype == torch.int64 and set(data.labels.tolist()) == set(range(num_modes))
    if radius is not None:
        assert torch.allclose(data.modes.norm(dim=1), torch.full((num_modes,), radius))
    else:
        assert sorted(set(data.modes.flatten().tolist())) == [-4, -2, 0, 2, 4]
    offsets = data.data - data.modes[data.labels]
    assert offsets.std().item() == pytest.approx(std, rel=0.05)
    assert offsets.norm(dim=1).max() < 6 * std
    counts = torch.bincount(data.labels, minlength=num_modes).float()
    assert counts.min() > 0.8 * counts.mean()  # balanced modes


def test_spiral_is_continuous() -> None:
    data = load_dataset(DataConfig(name="spiral", num_points=5000))
    assert data.labels is None and data.modes is None
    radius = data.data.norm(dim=1)
    assert radius.min() > 0.8 and radius.max() < 3.8
    # a spiral, not a ring: the radius grows with the angle, over 1.5 turns from about 1.2 to 3.5
    assert radius.quantile(0.05) < 1.5 and radius.quantile(0.95) > 3.1
    outer = data.data[radius > 3.2]
    inner = data.data[(radius > 1.2) & (radius < 1.5)]
    angle = lambda p: torch.atan2(p[:, 1], p[:, 0])  # noqa: E731
    # at a given radius the spiral sits at one angle (a ring would spread over every angle)
    assert angle(outer).std() < 0.8 and angle(inner).std() < 0.8


def test_a_points_file_is_its_points_as_they_are(tmp_path) -> None:
    (tmp_path / "drawn.csv").write_text("x,y\n0.5,-1\n\n-4.5,4.25\n")
    dataset = load_dataset(DataConfig(name=f"points:{tmp_path / 'drawn.csv'}", num_points=10))
    assert dataset.kind == "points" and dataset.modes is None and dataset.labels is None
    assert dataset.data.tolist() == [[0.5, -1.0], [-4.5, 4.25]]  # num_points does not apply: the file is the data


@pytest.mark.parametrize(("text", "words"), [
    ("1,2,3\n", "line 1: expected `x,y`"),
    ("0,0\n5,0\n", "line 2: (5.0, 0.0) lies outside [-4.5, 4.5]"),
    ("nan,0\n", "lies outside"),
    ("x,y\n", "holds no points"),
])
def test_a_bad_points_file_is_one_line_naming_the_line(tmp_path, text: str, words: str) -> None:
    from gankit.errors import DataError

    (tmp_path / "p.csv").write_text(text)
    with pytest.raises(DataError, match=re.escape(words)):
        load_dataset(DataConfig(name=f"points:{tmp_path / 'p.csv'}"))
    with pytest.raises(DataError, match="cannot read the points file"):
        load_dataset(DataConfig(name=f"points:{tmp_path / 'missing.csv'}"))
