"""The relativistic pairing GAN (RpGAN; Jolicoeur-Martineau 2019, as used by R3GAN, Huang et al. 2024).

Each real example is paired with one generated sample and D scores the pair by the difference of its
scores: D minimises E softplus(-(s(x) - s(G(z)))), G minimises E softplus(-(s(G(z)) - s(x))). G's loss
therefore needs real scores too, so its phase takes a real batch (`generator_needs_real`).
"""

from __future__ import annotations

from torch import Tensor
from torch.nn import functional as F

from gankit.errors import GankitError
from gankit.objectives.base import Objective


class RelativisticPairing(Objective):
    """RpGAN: real and fake scores in pairs (same batch size); scores are raw, only their difference matters."""

    name = "rpgan"
    probabilistic = False  # one score alone is no probability; the difference is a logit
    generator_needs_real = True
    reference = "Jolicoeur-Martineau 2019; Huang et al. 2024 (R3GAN)"

    def discriminator_loss(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        _check_pairs(real_scores, fake_scores)
        return F.softplus(fake_scores - real_scores).mean()  # = softplus(-(s(x) - s(G(z))))

    def generator_loss(self, fake_scores: Tensor, real_scores: Tensor | None = None) -> Tensor:
        if real_scores is None:
            raise GankitError("rpgan's generator loss pairs each sample with a real example: pass real_scores")
        _check_pairs(real_scores, fake_scores)
        return F.softplus(real_scores - fake_scores).mean()  # = softplus(-(s(G(z)) - s(x)))

    def after_discriminator_update(self, real_scores: Tensor, fake_scores: Tensor) -> dict[str, Tensor]:
        # how often D ranks the real member of a pair above the fake one (R3GAN logs the same signs)
        return {"pair_accuracy": (real_scores > fake_scores).float().mean()}


def _check_pairs(real_scores: Tensor, fake_scores: Tensor) -> None:
    if real_scores.shape != fake_scores.shape:
        raise GankitError(f"rpgan pairs real and fake scores one to one: got {list(real_scores.shape)} real "
                          f"and {list(fake_scores.shape)} fake")
