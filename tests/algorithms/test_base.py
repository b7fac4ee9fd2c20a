import pytest
import torch

from gankit.algorithms.base import latent_grid, latent_line, sample_bounds, score_grid, seeded
from gankit.data.spec import DataSpec


def test_a_latent_line_runs_evenly_from_each_start_to_its_end():
    z0, z1 = torch.zeros(2, 3), torch.ones(2, 3) * torch.tensor([[1.0], [2.0]])
    line = latent_line(z0, z1, steps=5)
    assert line.shape == (10, 3) and torch.equal(line[0], z0[0]) and torch.equal(line[4], z1[0])
    assert torch.allclose(line[5:, 0], torch.linspace(0, 2, 5))


def test_seeded_generators_repeat_and_bounds_reach_a_unit_past_the_outermost_mode():
    device = torch.device("cpu")
    assert torch.equal(torch.randn(3, generator=seeded(device, 4)), torch.randn(3, generator=seeded(device, 4)))
    assert sample_bounds(DataSpec("x", "image", (1, 8, 8))) == (-1.0, 1.0)
    assert sample_bounds(DataSpec("x", "points", (2,), modes=((2.0, 0.0), (0.0, -3.0)))) == (-4.0, 4.0)
    assert sample_bounds(DataSpec("x", "points", (2,))) == (-4.5, 4.5)


def test_the_score_grid_is_indexed_by_x_then_y_and_restores_training_mode():
    class FirstCoordinate(torch.nn.Module):
        def forward(self, points):
            return points[:, 0] + 0 * points[:, 1]

    d = FirstCoordinate().train()
    grid = score_grid(d, (-1.0, 1.0), torch.device("cpu"), resolution=3)
    assert torch.equal(grid, torch.tensor([[-1.0] * 3, [0.0] * 3, [1.0] * 3])) and d.training


def test_the_latent_grid_is_a_2d_slice_at_the_priors_quantiles():
    z = latent_grid(3, 4, torch.device("cpu"))
    edge = 1.959964  # N(0, 1)'s 97.5 % quantile
    assert z.shape == (9, 4) and torch.equal(z[:, 2:], torch.zeros(9, 2))
    assert z[:3, 0].tolist() == pytest.approx([-edge] * 3, abs=1e-5)  # the first coordinate changes slowest
    assert z[:3, 1].tolist() == pytest.approx([-edge, 0.0, edge], abs=1e-5)
    assert latent_grid(3, 1, torch.device("cpu"))[:, 0].tolist() == pytest.approx([-edge] * 3 + [0.0] * 3 + [edge] * 3,
                                                                                     abs=1e-5)
