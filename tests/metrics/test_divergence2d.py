import math

import pytest
import torch

from gankit.metrics.divergence2d import grid_divergences, grid_histogram

BOUNDS = (-2.0, 2.0)


def cell(x, y, n):
    """n points in the cell around (x, y) of a 4-bin grid over [-2, 2]² (cells one unit wide)."""
    return torch.tensor([[x, y]]).repeat(n, 1)


def test_the_histogram_counts_each_point_once_in_its_cell_and_clamps_outsiders_to_the_border():
    points = torch.tensor([[-1.5, -1.5], [1.5, -1.5], [0.5, 0.5], [9.0, -9.0]])
    counts = grid_histogram(points, BOUNDS, 4)
    assert counts.sum() == 4 and counts[0, 0] == 1 and counts[3, 0] == 2 and counts[2, 2] == 1


def test_the_same_histogram_is_no_divergence():
    points = torch.randn(500, 2, generator=torch.Generator().manual_seed(0))
    result = grid_divergences(points, points.flip(0), BOUNDS, bins=4)
    assert result.kl == pytest.approx(0, abs=1e-12) and result.js == pytest.approx(0, abs=1e-12)


def test_disjoint_sets_are_ln2_apart_in_js_and_infinitely_in_plain_kl():
    data, samples = cell(-1.5, -1.5, 10), cell(1.5, 1.5, 30)
    plain = grid_divergences(data, samples, BOUNDS, bins=4, pseudo_count=0)
    assert plain.js == pytest.approx(math.log(2)) and plain.kl == math.inf
    smoothed = grid_divergences(data, samples, BOUNDS, bins=4)
    assert math.isfinite(smoothed.kl) and smoothed.kl > 5 and smoothed.js == pytest.approx(math.log(2), abs=0.02)


def test_golden_values_of_two_overlapping_histograms():
    data = torch.cat([cell(-1.5, 0.5, 50), cell(0.5, 0.5, 50)])  # p = (1/2, 1/2)
    samples = torch.cat([cell(-1.5, 0.5, 25), cell(0.5, 0.5, 75)])  # q = (1/4, 3/4)
    result = grid_divergences(data, samples, BOUNDS, bins=4, pseudo_count=0)
    assert result.kl == pytest.approx(0.5 * math.log(2) + 0.5 * math.log(2 / 3))
    middle = (3 / 8, 5 / 8)
    js = 0.5 * (0.5 * math.log(0.5 / middle[0]) + 0.5 * math.log(0.5 / middle[1])) \
        + 0.5 * (0.25 * math.log(0.25 / middle[0]) + 0.75 * math.log(0.75 / middle[1]))
    assert result.js == pytest.approx(js) and result.bins == 4
