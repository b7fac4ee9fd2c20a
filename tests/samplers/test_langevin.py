import pytest
import torch

from gankit.samplers.langevin import langevin


def test_langevin_adds_gaussian_noise_of_the_configured_std_at_every_step():
    flat = lambda x: 0.0 * x.sum(1)  # noqa: E731  (no gradient: only the noise moves x)
    x0 = torch.zeros(20_000, 2)
    moved = langevin(flat, x0, steps=4, step_size=0.1, noise=0.05, bounds=(-3.0, 3.0),
                     generator=torch.Generator().manual_seed(0))
    assert moved.mean().abs() < 0.002 and moved.std().item() == pytest.approx(0.05 * 4**0.5, rel=0.02)


def test_langevin_moves_x_up_the_score_gradient_and_stays_in_bounds():
    centre = torch.tensor([[1.0, -0.5]])

    def score(x):
        return -(x - centre).square().sum(1)  # peak at the centre; gradient -2 (x - centre)

    x0 = torch.tensor([[0.0, 0.0], [2.0, 2.0]])
    x1 = langevin(score, x0, steps=1, step_size=0.1, noise=0.0, bounds=(-3.0, 3.0))
    assert torch.allclose(x1, x0 + 0.1 * -2 * (x0 - centre))
    assert (score(x1) > score(x0)).all()
    path = []
    far = langevin(score, x0, steps=50, step_size=0.1, noise=0.01, bounds=(-3.0, 3.0),
                   generator=torch.Generator().manual_seed(0), callback=path.append)
    assert len(path) == 50 and torch.allclose(far, centre.expand(2, 2), atol=0.05)
    clipped = langevin(lambda x: x.sum(1), x0, steps=100, step_size=1.0, noise=0.0, bounds=(-3.0, 3.0))
    assert torch.equal(clipped, torch.full((2, 2), 3.0))  # ascent that would leave the box is clipped
