"""Critic objectives with raw, unbounded scores: WGAN (clipping or gradient penalty) and hinge."""

from __future__ import annotations

from torch import Tensor
from torch.nn import functional as F

from gankit.objectives.base import Objective


class Wasserstein(Objective):
    """WGAN: the critic maximises E[f(x)] - E[f(G(z))], a Wasserstein-1 estimate when f is 1-Lipschitz.

    Lipschitz by weight clipping, with RMSprop and 5 critic updates per G update (Arjovsky et al. 2017).
    """

    name = "wgan"
    probabilistic = False
    reference = "Arjovsky et al. 2017"

    def discriminator_loss(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        return fake_scores.mean() - real_scores.mean()

    def generator_loss(self, fake_scores: Tensor, real_scores: Tensor | None = None) -> Tensor:
        return -fake_scores.mean()

    def after_discriminator_update(self, real_scores: Tensor, fake_scores: Tensor) -> dict[str, Tensor]:
        return {"wasserstein": real_scores.mean() - fake_scores.mean()}


class WassersteinGP(Wasserstein):
    """WGAN with a gradient penalty instead of clipping, Adam (0, 0.9), no batch norm in the critic.

    Defaults from Gulrajani et al. 2017, Algorithm 1: lambda 10, n_critic 5, lr 1e-4.
    """

    name = "wgan-gp"
    reference = "Gulrajani et al. 2017"


class Hinge(Objective):
    """Hinge loss: D pushes real scores above 1 and fake below -1; G raises fake scores.

    Defaults from SNGAN (Miyato et al. 2018, setting C): spectral norm on D, Adam 2e-4 (0.5, 0.999).
    """

    name = "hinge"
    probabilistic = False
    reference = "Lim & Ye 2017; Miyato et al. 2018"

    def discriminator_loss(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        return F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()

    def generator_loss(self, fake_scores: Tensor, real_scores: Tensor | None = None) -> Tensor:
        return -fake_scores.mean()
