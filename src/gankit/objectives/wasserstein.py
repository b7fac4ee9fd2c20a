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
    defaults = {"objective.clip": 0.01, "optim.name": "rmsprop", "optim.lr_g": 5e-5, "optim.lr_d": 5e-5,
                "train.d_steps": 5}

    def discriminator_loss(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        return fake_scores.mean() - real_scores.mean()

    def generator_loss(self, fake_scores: Tensor) -> Tensor:
        return -fake_scores.mean()

    def update(self, real_scores: Tensor, fake_scores: Tensor) -> dict[str, Tensor]:
        return {"wasserstein": real_scores.mean() - fake_scores.mean()}


class WassersteinGP(Wasserstein):
    """WGAN with a gradient penalty instead of clipping, Adam (0, 0.9), no batch norm in the critic.

    Defaults from Gulrajani et al. 2017, Algorithm 1: lambda 10, n_critic 5, lr 1e-4.
    """

    name = "wgan-gp"
    reference = "Gulrajani et al. 2017"
    defaults = {"objective.penalty": "gp", "objective.penalty_weight": 10.0, "model.d_norm": "none",
                "optim.lr_g": 1e-4, "optim.lr_d": 1e-4, "optim.beta1": 0.0, "optim.beta2": 0.9, "train.d_steps": 5}
    # On 2D data: lambda 0.1, as the authors' own toy code ("smaller lambda seems to help for toy tasks"),
    # and no batch-std feature, which lets the critic score a batch in ways the per-sample penalty does
    # not bound (ring8, seeds 1 and 2: 0/8 modes with lambda 10 and batch std, 8/8 with these).
    toy_defaults = {"objective.penalty_weight": 0.1, "model.minibatch_std": False}


class Hinge(Objective):
    """Hinge loss: D pushes real scores above 1 and fake below -1; G raises fake scores.

    Defaults from SNGAN (Miyato et al. 2018, setting C): spectral norm on D, Adam 2e-4 (0.5, 0.999).
    """

    name = "hinge"
    probabilistic = False
    reference = "Lim & Ye 2017; Miyato et al. 2018"
    defaults = {"model.spectral_norm": True, "model.d_norm": "none", "optim.lr_g": 2e-4, "optim.lr_d": 2e-4,
                "optim.beta1": 0.5, "optim.beta2": 0.999}
    # G's loss is linear in the score, so its steps do not shrink as samples reach a mode: on 2D data
    # a G slower than D (TTUR, Heusel et al. 2017) lets samples settle (ring8: 8/8 modes on 3 of 3 seeds)
    toy_defaults = {"optim.lr_g": 3e-4}

    def discriminator_loss(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        return F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()

    def generator_loss(self, fake_scores: Tensor) -> Tensor:
        return -fake_scores.mean()
