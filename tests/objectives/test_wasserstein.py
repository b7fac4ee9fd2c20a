import pytest
import torch

from gankit.objectives.wasserstein import Hinge, Wasserstein, WassersteinGP


def test_the_critic_loss_is_the_negated_wasserstein_estimate_and_the_hinge_ignores_scores_past_its_margins():
    real, fake = torch.tensor([3.0, 1.0]), torch.tensor([-1.0, 0.0])
    for critic in (Wasserstein(), WassersteinGP()):
        estimate = critic.after_discriminator_update(real, fake)["wasserstein"]
        assert critic.discriminator_loss(real, fake).item() == pytest.approx(-estimate.item()) == -2.5
        assert critic.generator_loss(fake).item() == 0.5
    hinge = Hinge()
    assert hinge.discriminator_loss(real, fake).item() == pytest.approx(0.5)  # only fake 0.0 is inside
    assert hinge.discriminator_loss(real + 5, fake - 5).item() == 0.0
