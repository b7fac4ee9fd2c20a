"""KL and JS divergence between 2D data and samples, on a grid of cells (as GAN Lab shows them).

Both point sets are counted in the same `bins` × `bins` cells over a square; a point outside it counts in the
nearest border cell. KL(data ‖ samples) is large when the samples miss where the data is (a dropped mode);
JS is symmetric and at most ln 2. A small pseudo-count in every cell keeps KL finite where the samples leave a
data cell empty; with `pseudo_count=0` the values are the plain histogram divergences (KL may be infinite).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import Tensor

DEFAULT_BINS = 20
DEFAULT_PSEUDO_COUNT = 0.01  # per cell: a missed data cell costs about its mass × ln(its mass × N / 0.01)


@dataclass(frozen=True)
class GridDivergences:
    kl: float  # KL(data ‖ samples), nats
    js: float  # Jensen-Shannon, nats (at most ln 2)
    bins: int

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def grid_histogram(points: Tensor, bounds: tuple[float, float], bins: int) -> Tensor:
    """[bins, bins] counts of `points` [N, 2] in the cells over bounds², [x][y] indexed."""
    low, high = bounds
    cells = ((points.float().cpu() - low) / (high - low) * bins).floor().long().clamp(0, bins - 1)
    return torch.bincount(cells[:, 0] * bins + cells[:, 1], minlength=bins * bins).view(bins, bins).double()


def _kl(p: Tensor, q: Tensor) -> float:
    """Sum of p log(p / q) over the cells where p > 0; infinite where such a cell has q = 0."""
    where = p > 0
    if bool((q[where] == 0).any()):
        return math.inf
    return float((p[where] * (p[where] / q[where]).log()).sum())


def grid_divergences(data: Tensor, samples: Tensor, bounds: tuple[float, float], bins: int = DEFAULT_BINS,
                     pseudo_count: float = DEFAULT_PSEUDO_COUNT) -> GridDivergences:
    """KL(data ‖ samples) and JS(data, samples) of the two [N, 2] point sets' histograms on the grid."""
    p, q = (grid_histogram(x, bounds, bins) + pseudo_count for x in (data, samples))
    p, q = p / p.sum(), q / q.sum()
    middle = (p + q) / 2
    return GridDivergences(_kl(p, q), 0.5 * _kl(p, middle) + 0.5 * _kl(q, middle), bins)
