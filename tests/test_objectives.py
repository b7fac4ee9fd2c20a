import math

import pytest
import torch

from gankit.objectives import OBJECTIVES, build_objective


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


@pytest.mark.parametrize("name", OBJECTIVES.names())
def test_discriminator_loss_is_bce_on_known_logits(name):
    objective = build_objective(name)
    real, fake = torch.tensor([2.0, 0.0]), torch.tensor([-1.0, 1.0])
    expected = -(math.log(sigmoid(2)) + math.log(sigmoid(0))) / 2 - (
        math.log(1 - sigmoid(-1)) + math.log(1 - sigmoid(1))
    ) / 2
    assert objective.discriminator_loss(real, fake).item() == pytest.approx(expected, rel=1e-6)


def test_generator_losses_on_known_logits():
    fake = torch.tensor([-1.0, 3.0])
    minimax = build_objective("minimax").generator_loss(fake).item()
    ns = build_objective("ns").generator_loss(fake).item()
    assert minimax == pytest.approx((math.log(1 - sigmoid(-1)) + math.log(1 - sigmoid(3))) / 2, rel=1e-6)
    assert ns == pytest.approx(-(math.log(sigmoid(-1)) + math.log(sigmoid(3))) / 2, rel=1e-6)


@pytest.mark.parametrize("name", OBJECTIVES.names())
def test_gradient_directions(name):
    """Minimising D's loss raises real scores and lowers fake ones; G's loss raises fake scores."""
    objective = build_objective(name)
    real = torch.tensor([0.5, -0.3], requires_grad=True)
    fake = torch.tensor([0.2, -1.0], requires_grad=True)
    objective.discriminator_loss(real, fake).backward()
    assert (real.grad < 0).all() and (fake.grad > 0).all()
    fake_g = torch.tensor([0.2, -1.0], requires_grad=True)
    objective.generator_loss(fake_g).backward()
    assert (fake_g.grad < 0).all()


def test_minimax_saturates_where_ns_does_not():
    """When D confidently rejects fakes (logit -10), minimax's G gradient vanishes; ns's does not."""
    grads = {}
    for name in ("minimax", "ns"):
        fake = torch.tensor([-10.0], requires_grad=True)
        build_objective(name).generator_loss(fake).backward()
        grads[name] = fake.grad.abs().item()
    assert grads["minimax"] < 1e-4 < 0.9 < grads["ns"]


def test_losses_finite_at_extreme_logits():
    for name in OBJECTIVES.names():
        objective = build_objective(name)
        huge = torch.tensor([1e4, -1e4])
        assert torch.isfinite(objective.discriminator_loss(huge, -huge))
        assert torch.isfinite(objective.generator_loss(huge))


def test_unknown_objective_lists_valid_names():
    with pytest.raises(Exception, match="valid: minimax, ns"):
        build_objective("nope")
