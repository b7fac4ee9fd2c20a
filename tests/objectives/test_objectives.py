import math

import pytest
import torch

from gankit.errors import GankitError
from gankit.objectives import OBJECTIVES, build_objective


def log_sigmoid(x):
    return -math.log1p(math.exp(-x))


REAL, FAKE = [2.0, 0.0], [-1.0, 1.0]
BCE_D = -(log_sigmoid(2) + log_sigmoid(0)) / 2 - (log_sigmoid(1) + log_sigmoid(-1)) / 2  # log(1-σ(s)) = logσ(-s)
# Losses on REAL and FAKE, by hand from each paper's formula (BEGAN at its initial k = 0).
EXPECTED = {
    "minimax": (BCE_D, (log_sigmoid(1) + log_sigmoid(-1)) / 2),  # G: mean log(1 - D(G(z)))
    "ns": (BCE_D, -(log_sigmoid(-1) + log_sigmoid(1)) / 2),  # G: -mean log D(G(z))
    "dragan": (BCE_D, -(log_sigmoid(-1) + log_sigmoid(1)) / 2),
    "lsgan": (0.5 * (1 + 1) / 2 + 0.5 * (1 + 1) / 2, 0.5 * (4 + 0) / 2),  # ½E(D(x)-1)² + ½E D(G(z))²
    "wgan": (0.0 - 1.0, -0.0),  # E f(G(z)) - E f(x)
    "wgan-gp": (0.0 - 1.0, -0.0),
    "hinge": ((0 + 1) / 2 + (0 + 2) / 2, -0.0),  # E relu(1 - f(x)) + E relu(1 + f(G(z)))
    "began": (-1.0, -0.0),  # L(x) - k L(G(z)) with L = -score
    # pairs (2, -1) and (0, 1): D softplus(-(s(x) - s(G(z)))), G softplus(-(s(G(z)) - s(x)))
    "rpgan": ((math.log1p(math.exp(-3)) + math.log1p(math.exp(1))) / 2,
              (math.log1p(math.exp(3)) + math.log1p(math.exp(-1))) / 2),
}


def test_every_registered_objective_has_golden_values():
    assert sorted(EXPECTED) == OBJECTIVES.names()


@pytest.mark.parametrize("name", OBJECTIVES.names())
def test_losses_on_hand_computed_scores(name):
    objective = build_objective(name)
    d_loss = objective.discriminator_loss(torch.tensor(REAL), torch.tensor(FAKE)).item()
    g_loss = objective.generator_loss(torch.tensor(FAKE), torch.tensor(REAL)).item()  # real: for rpgan
    assert (d_loss, g_loss) == pytest.approx(EXPECTED[name], rel=1e-6, abs=1e-7)


@pytest.mark.parametrize("name", OBJECTIVES.names())
def test_gradient_directions(name):
    """Minimising D's loss raises real scores and lowers fake ones; G's loss raises fake scores."""
    objective = build_objective(name)
    if name == "began":
        objective.k.fill_(0.5)  # at k = 0 BEGAN's D ignores fakes by design
    real = torch.tensor([0.5, -0.3], requires_grad=True)  # inside every margin (hinge, LSGAN targets)
    fake = torch.tensor([0.2, 0.7], requires_grad=True)
    objective.discriminator_loss(real, fake).backward()
    assert (real.grad < 0).all() and (fake.grad > 0).all()
    fake_g = torch.tensor([0.2, 0.7], requires_grad=True)
    objective.generator_loss(fake_g, real.detach()).backward()
    assert (fake_g.grad < 0).all()


@pytest.mark.parametrize("name", OBJECTIVES.names())
def test_losses_finite_at_extreme_scores(name):
    objective = build_objective(name)
    huge = torch.tensor([1e4, -1e4])
    assert torch.isfinite(objective.discriminator_loss(huge, -huge))
    assert torch.isfinite(objective.generator_loss(huge, -huge))


def test_wasserstein_estimate_is_logged():
    stats = build_objective("wgan").after_discriminator_update(torch.tensor(REAL), torch.tensor(FAKE))
    assert stats["wasserstein"].item() == pytest.approx(1.0)


def test_unknown_objective_lists_valid_names():
    with pytest.raises(Exception, match="valid: began, dragan, hinge, lsgan, minimax, ns, rpgan, wgan, wgan-gp"):
        build_objective("nope")


def test_only_the_relativistic_objective_needs_real_scores_in_g_step():
    needs = {name for name in OBJECTIVES.names() if build_objective(name).generator_needs_real}
    assert needs == {"rpgan"}
    with pytest.raises(GankitError, match="real_scores"):
        build_objective("rpgan").generator_loss(torch.tensor(FAKE))


def test_rpgan_depends_only_on_score_differences_and_pairs_one_to_one():
    rpgan = build_objective("rpgan")
    real, fake = torch.tensor(REAL), torch.tensor(FAKE)
    shifted = rpgan.discriminator_loss(real + 5, fake + 5), rpgan.generator_loss(fake + 5, real + 5)
    assert torch.allclose(torch.stack(shifted), torch.stack([rpgan.discriminator_loss(real, fake),
                                                             rpgan.generator_loss(fake, real)]))
    with pytest.raises(GankitError, match="one to one"):
        rpgan.discriminator_loss(real, torch.tensor([0.0, 1.0, 2.0]))
    stats = rpgan.after_discriminator_update(real, fake)
    assert stats["pair_accuracy"].item() == 0.5  # 2 > -1, but 0 < 1
