import pytest
import torch
import torch.nn.functional as F

from gankit.errors import GankitError
from gankit.objectives.relativistic import RelativisticPairing


def test_rpgans_losses_are_softplus_of_the_pairs_score_differences_and_g_needs_the_real_scores():
    real, fake = torch.tensor([1.0, -2.0]), torch.tensor([0.0, 3.0])
    rpgan = RelativisticPairing()
    assert rpgan.discriminator_loss(real, fake).item() == pytest.approx(F.softplus(fake - real).mean().item())
    assert rpgan.generator_loss(fake, real).item() == pytest.approx(F.softplus(real - fake).mean().item())
    with pytest.raises(GankitError, match="pass real_scores"):
        rpgan.generator_loss(fake)
