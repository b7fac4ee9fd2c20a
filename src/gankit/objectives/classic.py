"""The original GAN objective (Goodfellow et al. 2014) in both generator forms, DRAGAN, and LSGAN.

With D(x) = sigmoid(s(x)): log D = -softplus(-s) and log(1 - D) = -softplus(s), which stay finite
for any logit (a naive log(sigmoid(s)) underflows to -inf).
"""

from __future__ import annotations

from torch import Tensor
from torch.nn import functional as F

from gankit.objectives.base import Objective


def bce_discriminator_loss(real_scores: Tensor, fake_scores: Tensor) -> Tensor:
    """-[mean log D(x) + mean log(1 - D(G(z)))]: the lecture's D update as a minimisation."""
    return F.softplus(-real_scores).mean() + F.softplus(fake_scores).mean()


class Minimax(Objective):
    """Saturating minimax: G minimises mean log(1 - D(G(z))), whose gradient vanishes when D wins."""

    name = "minimax"
    reference = "Goodfellow et al. 2014"

    def discriminator_loss(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        return bce_discriminator_loss(real_scores, fake_scores)

    def generator_loss(self, fake_scores: Tensor, real_scores: Tensor | None = None) -> Tensor:
        return -F.softplus(fake_scores).mean()  # = mean log(1 - D(G(z)))


class NonSaturating(Minimax):
    """Non-saturating: G maximises mean log D(G(z)) (the lecture's G update); strong early gradients."""

    name = "ns"

    def generator_loss(self, fake_scores: Tensor, real_scores: Tensor | None = None) -> Tensor:
        return F.softplus(-fake_scores).mean()  # = -mean log D(G(z))


class DRAGAN(NonSaturating):
    """Non-saturating GAN + a gradient penalty on noisy copies of real data (Kodali et al. 2017)."""

    name = "dragan"
    reference = "Kodali et al. 2017"


class LeastSquares(Objective):
    """LSGAN with the 0-1 coding a=0, b=1, c=1: D regresses real to 1 and fake to 0 (Mao et al. 2017)."""

    name = "lsgan"
    probabilistic = False
    reference = "Mao et al. 2017"

    def discriminator_loss(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        return 0.5 * (real_scores - 1).pow(2).mean() + 0.5 * fake_scores.pow(2).mean()

    def generator_loss(self, fake_scores: Tensor, real_scores: Tensor | None = None) -> Tensor:
        return 0.5 * (fake_scores - 1).pow(2).mean()
