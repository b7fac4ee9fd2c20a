import pytest
import torch
from torch import nn

from gankit.objectives.penalties import PENALTIES, dragan_penalty, gradient_penalty, r1_penalty, r2_penalty


class LinearCritic(nn.Module):
    """D(x) = w·vec(x): its input gradient is w for every sample, so each penalty has a closed form."""

    def __init__(self, shape):
        super().__init__()
        self.w = nn.Parameter(torch.randn(shape, generator=torch.Generator().manual_seed(0)))

    def forward(self, x, labels=None):
        return (x * self.w).flatten(1).sum(1)


class SmallConvCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(3, 4, 3, 2, 1), nn.Tanh(), nn.Flatten(), nn.Linear(4 * 4 * 4, 1))

    def forward(self, x, labels=None):
        return self.net(x).squeeze(1)


def images(n, seed):
    return torch.randn(n, 3, 8, 8, generator=torch.Generator().manual_seed(seed))


def test_penalties_on_a_linear_critic_have_closed_forms():
    critic = LinearCritic((3, 8, 8))
    norm = critic.w.detach().norm().item()  # L2 over channels and pixels together
    real, fake = images(5, 1), images(5, 2)
    rng = torch.Generator().manual_seed(3)
    assert gradient_penalty(critic, real, fake, None, rng).item() == pytest.approx((norm - 1) ** 2, rel=1e-5)
    assert dragan_penalty(critic, real, fake, None, rng).item() == pytest.approx((norm - 1) ** 2, rel=1e-5)
    assert r1_penalty(critic, real, fake, None, rng).item() == pytest.approx(0.5 * norm**2, rel=1e-5)
    per_pixel = critic.w.detach().norm(dim=0).sub(1).pow(2).mean().item()  # the classic bug gives this
    assert abs(per_pixel - (norm - 1) ** 2) > 1


def test_gradient_penalty_matches_a_direct_per_sample_computation():
    critic, real, fake = SmallConvCritic(), images(6, 1), images(6, 2)
    penalty = gradient_penalty(critic, real, fake, None, torch.Generator().manual_seed(7))
    alpha = torch.rand(6, 1, 1, 1, generator=torch.Generator().manual_seed(7))  # the same draw
    expected = []
    for i in range(6):  # one sample at a time: no batching tricks can hide a wrong norm
        x = (alpha[i] * real[i] + (1 - alpha[i]) * fake[i]).unsqueeze(0).requires_grad_(True)
        (grad,) = torch.autograd.grad(critic(x).sum(), x)
        expected.append((grad.pow(2).sum().sqrt() - 1) ** 2)
    assert penalty.item() == pytest.approx(torch.stack(expected).mean().item(), rel=1e-5)


def test_dragan_perturbs_real_data_within_half_a_std():
    """With D(x) = ½‖x‖², ∇D(x̂) = x̂, so the penalty reveals where DRAGAN sampled."""
    quadratic = lambda x, labels=None: 0.5 * x.flatten(1).pow(2).sum(1)  # noqa: E731
    real = torch.zeros(4, 3, 8, 8) + torch.linspace(-1, 1, 4).view(4, 1, 1, 1)
    penalty = dragan_penalty(quadratic, real, real, None, torch.Generator().manual_seed(0))
    rng = torch.Generator().manual_seed(0)
    delta = 0.5 * real.std() * torch.rand(real.shape, generator=rng)
    alpha = torch.rand(4, 1, 1, 1, generator=rng)
    perturbed = real + alpha * delta
    expected = (perturbed.flatten(1).norm(dim=1) - 1).pow(2).mean()
    assert penalty.item() == pytest.approx(expected.item(), rel=1e-5)
    assert ((perturbed - real) >= 0).all() and ((perturbed - real) <= 0.5 * real.std()).all()


@pytest.mark.parametrize("name", PENALTIES.names())
def test_penalties_train_the_discriminator(name):
    """Each penalty is differentiable in D's weights (it is built with create_graph)."""
    critic = SmallConvCritic()
    penalty = PENALTIES.get(name)(critic, images(4, 1), images(4, 2), None, torch.Generator().manual_seed(0))
    penalty.backward()
    weights = [critic.net[0].weight, critic.net[3].weight]  # the last bias cannot change ∇_x D
    assert all(w.grad is not None and w.grad.abs().sum() > 0 for w in weights)


def test_r2_is_r1_on_the_generated_batch():
    """½E‖∇D‖² on the fakes: for a linear critic ½‖w‖², for a conv critic R1 evaluated at G(z)."""
    critic, real, fake, rng = SmallConvCritic(), images(4, 1), images(4, 2), torch.Generator().manual_seed(0)
    r2 = r2_penalty(critic, real, fake, None, rng).item()
    assert r2 == pytest.approx(r1_penalty(critic, fake, real, None, rng).item())
    assert r2 != pytest.approx(r1_penalty(critic, real, fake, None, rng).item())
    linear = LinearCritic((3, 8, 8))
    expected = 0.5 * linear.w.pow(2).sum()
    assert r2_penalty(linear, real, fake, None, rng).item() == pytest.approx(expected.item(), rel=1e-5)
