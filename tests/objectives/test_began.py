import pytest
import torch

from gankit.objectives import build_objective


def test_began_k_follows_the_equilibrium_and_stays_in_unit_interval():
    began = build_objective("began", {"began_gamma": 0.5, "began_k_lr": 0.1})
    real, fake = torch.tensor([-2.0, -2.0]), torch.tensor([-0.5, -0.5])  # L(x) = 2, L(G(z)) = 0.5
    stats = began.after_discriminator_update(real, fake)
    assert began.k.item() == pytest.approx(0.1 * (0.5 * 2 - 0.5))  # k grows while gamma·L(x) > L(G(z))
    assert stats["began_convergence"].item() == pytest.approx(2 + abs(0.5 * 2 - 0.5))
    for _ in range(100):
        began.after_discriminator_update(real, fake)
    assert began.k.item() == 1.0  # clipped, not beyond
    for _ in range(100):
        began.after_discriminator_update(fake, real)  # now L(G(z)) > gamma·L(x): k falls
    assert began.k.item() == 0.0
    began.k.fill_(0.5)
    assert began.discriminator_loss(real, fake).item() == pytest.approx(2 - 0.5 * 0.5)
