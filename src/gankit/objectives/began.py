"""BEGAN (Berthelot et al. 2017): D is an auto-encoder, and scores by minus its reconstruction error.

With L(v) = mean |v - D(v)| and score = -L: D minimises L(x) - k·L(G(z)), G minimises L(G(z)), and
k follows k <- clip(k + lambda_k (gamma·L(x) - L(G(z))), 0, 1) to hold L(G(z)) = gamma·L(x).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor

from gankit.objectives.base import Objective


class BEGAN(Objective):
    """Boundary equilibrium GAN; logs k and the convergence measure M = L(x) + |gamma·L(x) - L(G(z))|."""

    name = "began"
    probabilistic = False
    discriminator_kind = "autoencoder"
    reference = "Berthelot et al. 2017"
    k: Tensor  # buffer: the equilibrium term, a scalar in [0, 1]

    def __init__(self, gamma: float = 0.5, k_lr: float = 0.001) -> None:
        super().__init__()
        self.gamma, self.k_lr = gamma, k_lr  # the paper's diversity ratio and lambda_k
        self.register_buffer("k", torch.zeros(()))  # k_0 = 0, as in the paper

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> BEGAN:
        own = {"gamma": settings.get("began_gamma"), "k_lr": settings.get("began_k_lr")}
        return cls(**{k: v for k, v in own.items() if v is not None})

    def discriminator_loss(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        return -real_scores.mean() + self.k.clone() * fake_scores.mean()  # clone: k changes after the step

    def generator_loss(self, fake_scores: Tensor, real_scores: Tensor | None = None) -> Tensor:
        return -fake_scores.mean()

    def after_discriminator_update(self, real_scores: Tensor, fake_scores: Tensor) -> dict[str, Tensor]:
        loss_real, loss_fake = -real_scores.mean(), -fake_scores.mean()
        balance = self.gamma * loss_real - loss_fake
        self.k.copy_((self.k + self.k_lr * balance).clamp(0, 1))
        return {"began_k": self.k.clone(), "began_convergence": loss_real + balance.abs()}
