import math

import pytest
import torch

from gankit.config import DataConfig
from gankit.data.loading import load_dataset
from gankit.metrics.modes2d import mode_stats


@pytest.fixture(scope="module")
def ring():
    return load_dataset(DataConfig(name="ring8", num_points=2500))


def test_real_data_covers_every_mode(ring):
    stats = mode_stats(ring.data, ring.modes, ring.mode_std)
    assert stats.modes_captured == 8
    assert stats.high_quality == pytest.approx(1 - math.exp(-4.5), abs=0.01)  # P(r < 3σ) in 2D
    assert stats.kl_to_uniform < 0.01
    assert stats.spread == pytest.approx(1.0, abs=0.05)  # the data spread as its modes do


def test_samples_collapsed_to_a_point_have_no_spread_on_or_off_the_data(ring):
    point = torch.zeros(2500, 2) + torch.randn(2500, 2, generator=torch.Generator().manual_seed(0)) * 1e-3
    assert mode_stats(point, ring.modes, ring.mode_std).spread < 0.01  # between the modes: off the data
    assert mode_stats(point + ring.modes[2], ring.modes, ring.mode_std).spread < 0.01  # on one mode


def test_collapsed_samples_capture_one_mode(ring):
    one_mode = ring.data[ring.labels == 3]
    stats = mode_stats(one_mode, ring.modes, ring.mode_std)
    assert stats.modes_captured == 1
    assert stats.kl_to_uniform == pytest.approx(torch.log(torch.tensor(8.0)).item(), rel=1e-5)


def test_blurry_samples_are_not_high_quality(ring):
    blurry = ring.data + 0.5 * torch.randn(ring.data.shape, generator=torch.Generator().manual_seed(0))
    stats = mode_stats(blurry, ring.modes, ring.mode_std)
    assert stats.high_quality < 0.05
    assert stats.modes_captured < 8


def test_a_few_stray_points_do_not_count_as_a_mode(ring):
    samples = torch.cat([ring.modes[0:1].repeat(2490, 1), ring.modes[1:2].repeat(10, 1)])
    stats = mode_stats(samples, ring.modes, ring.mode_std)
    assert stats.modes_captured == 1  # 10 < 20% of the 2500/8 a mode would get


@pytest.mark.parametrize(("stray", "captured"), [(60, 1), (65, 2)])
def test_a_mode_counts_from_twenty_percent_of_its_uniform_share(ring, stray, captured):
    # 2 500 samples over 8 modes: a mode's uniform share is 312.5, 20% of it 62.5
    samples = torch.cat([ring.modes[0:1].repeat(2500 - stray, 1), ring.modes[1:2].repeat(stray, 1)])
    assert mode_stats(samples, ring.modes, ring.mode_std).modes_captured == captured


def test_high_quality_means_within_three_standard_deviations(ring):
    std = ring.mode_std
    offsets = torch.tensor([[2.9 * std, 0.0], [3.1 * std, 0.0]])
    stats = mode_stats(ring.modes[0:1] + offsets, ring.modes, std)
    assert stats.high_quality == pytest.approx(0.5)
