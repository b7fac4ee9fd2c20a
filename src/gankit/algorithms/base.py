"""What one training step means, as data: an algorithm lists its phases and computes their losses.

The training loop alone calls backward() and step(); algorithms only return losses, so every
loss is a value that tests can check. GAN, and later AE/VAE/EBM, differ only in their phases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import torch
from torch import Tensor, nn

from gankit.config import OptimConfig, TrainConfig


@dataclass
class Batch:
    x: Tensor  # [B, ...] in model range ([-1, 1] for images)
    labels: Tensor | None = None  # [B] int64


@dataclass
class PhaseOutput:
    loss: Tensor  # scalar the phase's network minimises
    stats: dict[str, Tensor] = field(default_factory=dict)  # detached scalars to log


class PhaseLoss(Protocol):
    def __call__(self, batch: Batch | None, rng: torch.Generator, *, measure: bool = False) -> PhaseOutput:
        """The phase's loss; with `measure`, also health numbers that cost extra work (e.g. input gradients)."""
        ...


@dataclass(frozen=True)
class Phase:
    """One kind of update: `repeats` times per iteration, the `trains` network steps on `loss`."""

    name: str
    trains: str  # key of Algorithm.trainable() whose optimizer steps; all other networks stay fixed
    repeats: int
    needs_data: bool  # whether each update consumes a batch of real data
    loss: PhaseLoss


def latent_line(z0: Tensor, z1: Tensor, steps: int) -> Tensor:
    """[pairs * steps, d]: `steps` evenly spaced points from each z0 to its z1, pair by pair."""
    t = torch.linspace(0, 1, steps, device=z0.device).view(1, steps, 1)
    return (z0[:, None] * (1 - t) + z1[:, None] * t).flatten(0, 1)


class Algorithm(nn.Module):
    """Owns the networks (as submodules, so one state_dict saves them all) and defines the phases."""

    uses_heldout = False  # whether training logs `heldout()` on the test split

    @property
    def conditional(self) -> bool:
        """Whether sampling takes class labels."""
        return False

    def trainable(self) -> dict[str, nn.Module]:
        """Networks that get an optimizer, by the name phases use in `trains`."""
        raise NotImplementedError

    def learning_rates(self, optim: OptimConfig) -> dict[str, float]:
        """Learning rate per trainable network (the optimizer kind and betas come from `optim`)."""
        raise NotImplementedError

    def phases(self, train: TrainConfig) -> list[Phase]:
        raise NotImplementedError

    def sample(self, n: int, labels: Tensor | None = None, generator: torch.Generator | None = None) -> Tensor:
        """n new samples in model range (no grad, eval mode; the caller's mode is restored)."""
        raise NotImplementedError

    def after_update(self, phase: str) -> None:
        """Hook after each optimizer step of `phase` (e.g. WGAN's weight clipping)."""

    def critic(self) -> nn.Module | None:
        """The network that scores x (D), for pictures of its landscape; None for views without one."""
        return getattr(self, "discriminator", None)

    def negatives_for_picture(self, n: int, generator: torch.Generator) -> Tensor | None:
        """What D is currently pushing down: G's samples (GAN), the latest Langevin negatives (EBM)."""
        return self.sample(n, generator=generator)

    def interpolate(self, pairs: int, steps: int, generator: torch.Generator) -> Tensor | None:
        """[pairs * steps, ...]: for each pair of latent draws, samples along the straight line between
        them; None for views without a latent space."""
        return None

    def heldout(self, x: Tensor) -> dict[str, float]:
        """Losses on held-out data, logged during training (the VAE's test ELBO); none by default."""
        return {}
