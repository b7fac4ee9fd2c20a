"""The original GAN objective (Goodfellow et al. 2014) in both generator forms.

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

    def discriminator_loss(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        return bce_discriminator_loss(real_scores, fake_scores)

    def generator_loss(self, fake_scores: Tensor) -> Tensor:
        return -F.softplus(fake_scores).mean()  # = mean log(1 - D(G(z)))


class NonSaturating(Objective):
    """Non-saturating: G maximises mean log D(G(z)) (the lecture's G update); strong early gradients."""

    name = "ns"

    def discriminator_loss(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        return bce_discriminator_loss(real_scores, fake_scores)

    def generator_loss(self, fake_scores: Tensor) -> Tensor:
        return F.softplus(-fake_scores).mean()  # = -mean log D(G(z))
