"""Toy 2D distributions from the mode-collapse literature (a ring and a grid of Gaussians, a spiral), and 2D points
read from a file (drawn by hand on the live page)."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import Tensor

from gankit.config import DataConfig
from gankit.data.catalog import GRID25_SUMMARY, POINTS_PREFIX, POINTS_REACH, RING8_SUMMARY, SPIRAL_SUMMARY
from gankit.data.dataset import Dataset
from gankit.errors import DataError

# Fixed seeds so every run (and every process) sees exactly the same points; "test" is a fresh draw.
SPLIT_SEEDS = {"train": 0, "test": 1}


def _generator(config: DataConfig) -> torch.Generator:
    return torch.Generator().manual_seed(SPLIT_SEEDS[config.split])


def ring_centres(num_modes: int = 8, radius: float = 2.0) -> Tensor:
    """Centres evenly spaced on a circle, starting at angle 0."""
    angles = torch.arange(num_modes, dtype=torch.float64) * (2 * math.pi / num_modes)
    return (radius * torch.stack([angles.cos(), angles.sin()], dim=1)).float()  # [K, 2]


def grid_centres(side: int = 5, spacing: float = 2.0) -> Tensor:
    """Centres on a side x side grid centred at the origin, row by row."""
    axis = (torch.arange(side, dtype=torch.float32) - (side - 1) / 2) * spacing
    ys, xs = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([xs.flatten(), ys.flatten()], dim=1)  # [K, 2]


def gaussian_mixture(name: str, centres: Tensor, std: float, config: DataConfig, summary: str) -> Dataset:
    """Equal-weight Gaussians with a shared isotropic std; each point's mode is drawn uniformly."""
    g = _generator(config)
    modes = torch.randint(len(centres), (config.num_points,), generator=g)
    points = centres[modes] + std * torch.randn(config.num_points, 2, generator=g)
    return Dataset(
        name=name, kind="points", data=points.float(), labels=modes.long(),
        class_names=[str(i) for i in range(len(centres))], modes=centres.clone(), mode_std=std,
        source=f"generated: {summary}, {config.split} split (seed {SPLIT_SEEDS[config.split]})",
    )


def load_ring8(config: DataConfig) -> Dataset:
    """The 8-Gaussian ring."""
    return gaussian_mixture("ring8", ring_centres(8, 2.0), 0.02, config, RING8_SUMMARY)


def load_grid25(config: DataConfig) -> Dataset:
    """The 25-Gaussian grid."""
    return gaussian_mixture("grid25", grid_centres(5, 2.0), 0.05, config, GRID25_SUMMARY)


def load_spiral(config: DataConfig) -> Dataset:
    """A continuous spiral (sklearn's 2D swiss roll, rescaled); there are no discrete modes."""
    g = _generator(config)
    t = 1.5 * math.pi * (1 + 2 * torch.rand(config.num_points, generator=g))  # angle in [1.5pi, 4.5pi]
    radius = t * (3.5 / (4.5 * math.pi))
    points = torch.stack([radius * t.cos(), radius * t.sin()], dim=1)
    points = points + 0.05 * torch.randn(config.num_points, 2, generator=g)
    return Dataset(
        name="spiral", kind="points", data=points.float(),
        source=f"generated: {SPIRAL_SUMMARY}, {config.split} split (seed {SPLIT_SEEDS[config.split]})",
    )


def load_points_file(path: str, config: DataConfig) -> Dataset:
    """Every `x,y` line of a text file (a header line `x,y` is allowed), as they are: the file is the data, so the
    split and data.num_points do not apply. Coordinates must lie in [-POINTS_REACH, POINTS_REACH]."""
    file = Path(path).expanduser()
    if not path:
        raise DataError(f"{POINTS_PREFIX} needs a file, e.g. {POINTS_PREFIX}drawn.csv")
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"cannot read the points file {file} ({getattr(err, 'strerror', None) or err})") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or (number == 1 and line.replace(" ", "") == "x,y"):
            continue
        try:
            x, y = (float(v) for v in line.split(","))
        except ValueError:
            raise DataError(f"{file}, line {number}: expected `x,y`, got {line[:40]!r}") from None
        if not (abs(x) <= POINTS_REACH and abs(y) <= POINTS_REACH):  # NaN fails this too
            raise DataError(f"{file}, line {number}: ({x}, {y}) lies outside [-{POINTS_REACH}, {POINTS_REACH}]²")
        rows.append((x, y))
    if not rows:
        raise DataError(f"the points file {file} holds no points")
    return Dataset(name=f"{POINTS_PREFIX}{path}", kind="points", data=torch.tensor(rows, dtype=torch.float32),
                   source=f"points file {file} ({len(rows)} points)")
