"""The lecture's "discriminator alone": an energy-based model. D scores x; generating is argmax_x D(x).

Training is the lecture's loop: the positives are data, the negatives are what the current D prefers
(found by Langevin dynamics, gradient ascent on D plus noise), and D is pushed up on the positives and
down on the negatives, until its peaks sit on the data only. Chains start from a replay buffer of
earlier negatives, with a few restarted from noise each time (Du & Mordatch 2019; Grathwohl et al. 2020).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, autograd, nn

from gankit.algorithms.base import Algorithm, Batch, Phase, PhaseOutput
from gankit.config import EBMConfig, OptimConfig, TrainConfig
from gankit.nets.base import Discriminator
from gankit.training.network_modes import evaluating


def langevin(
    score: Callable[[Tensor], Tensor], x: Tensor, steps: int, step_size: float, noise: float,
    bounds: tuple[float, float], rng: torch.Generator | None = None, trajectory: list[Tensor] | None = None,
) -> Tensor:
    """`steps` of x <- clip(x + step_size * grad_x score(x) + noise * N(0, I)): noisy ascent towards the
    score's peaks. Only x gets gradients (the network's parameter grads are untouched)."""
    with torch.enable_grad():
        for _ in range(steps):
            x = x.detach().requires_grad_(True)
            (grad,) = autograd.grad(score(x).sum(), x)
            x = x + step_size * grad + noise * torch.randn(x.shape, generator=rng, device=x.device)
            x = x.clamp(*bounds)
            if trajectory is not None:
                trajectory.append(x.detach())
    return x.detach()


class EBM(Algorithm):
    def __init__(
        self, discriminator: Discriminator, sample_shape: tuple[int, ...], bounds: tuple[float, float],
        settings: EBMConfig,
    ) -> None:
        super().__init__()
        assert settings.langevin_steps and settings.step_size is not None and settings.noise is not None
        self.discriminator, self.settings, self.bounds = discriminator, settings, bounds
        self.sample_shape = sample_shape
        # The replay buffer is a buffer, so checkpoints keep it and resume is exact.
        self.register_buffer("replay", self.noise(settings.buffer_size))
        self.last_negatives: Tensor | None = None  # for pictures of the landscape

    def noise(self, n: int, rng: torch.Generator | None = None, device: torch.device | None = None) -> Tensor:
        low, high = self.bounds
        return low + (high - low) * torch.rand((n, *self.sample_shape), generator=rng, device=device)

    def trainable(self) -> dict[str, nn.Module]:
        return {"discriminator": self.discriminator}

    def learning_rates(self, optim: OptimConfig) -> dict[str, float]:
        assert optim.lr_d is not None, "resolve_defaults fills the learning rates"
        return {"discriminator": optim.lr_d}

    def phases(self, train: TrainConfig) -> list[Phase]:
        return [Phase("discriminator", "discriminator", 1, True, self.loss)]

    def chains_start(self, n: int, rng: torch.Generator | None, device: torch.device) -> tuple[Tensor, Tensor | None]:
        """(starting points, their buffer slots): buffer entries, `restart` of them replaced by fresh noise."""
        if not len(self.replay):
            return self.noise(n, rng, device), None
        slots = torch.randint(len(self.replay), (n,), generator=rng, device=device)
        start = self.replay[slots]
        fresh = torch.rand(n, generator=rng, device=device) < self.settings.restart
        restart = self.noise(n, rng, device)
        start = torch.where(fresh.view(-1, *[1] * len(self.sample_shape)), restart, start)
        return start, slots

    def negatives(self, n: int, rng: torch.Generator, device: torch.device) -> Tensor:
        """What the current D prefers: Langevin chains from the buffer; the buffer keeps where they ended."""
        start, slots = self.chains_start(n, rng, device)
        s = self.settings
        assert s.langevin_steps is not None and s.step_size is not None and s.noise is not None
        x = langevin(self.discriminator, start, s.langevin_steps, s.step_size, s.noise, self.bounds, rng)
        if slots is not None:
            self.replay[slots] = x
        return x

    def loss(self, batch: Batch | None, rng: torch.Generator, *, measure: bool = False) -> PhaseOutput:
        """Raise D on the data, lower it on the negatives; alpha * (D(x+)² + D(x-)²) bounds the energies."""
        assert batch is not None
        negatives = self.negatives(len(batch.x), rng, batch.x.device)
        self.last_negatives = negatives
        real, fake = self.discriminator(batch.x), self.discriminator(negatives)
        magnitude = (real.square() + fake.square()).mean()
        loss = fake.mean() - real.mean() + self.settings.energy_penalty * magnitude
        stats = {"loss_d": loss.detach(), "d_real": real.detach().mean(), "d_fake": fake.detach().mean(),
                 "energy_magnitude": magnitude.detach()}
        return PhaseOutput(loss, stats)

    def negatives_for_picture(self, n: int, generator: torch.Generator) -> Tensor:
        return (self.last_negatives if self.last_negatives is not None else self.replay)[:n]

    def sample(self, n: int, labels: Tensor | None = None, generator: torch.Generator | None = None,
               trajectory: list[Tensor] | None = None, from_noise: bool = False) -> Tensor:
        """n samples: chains from the replay buffer (or noise), run `sample_steps` more; the buffer is untouched."""
        if labels is not None:
            raise ValueError("the energy model here is unconditional")
        device = self.replay.device
        start = self.noise(n, generator, device) if from_noise else self.chains_start(n, generator, device)[0]
        s = self.settings
        steps = s.sample_steps or s.langevin_steps
        assert steps is not None and s.step_size is not None and s.noise is not None
        with evaluating(self.discriminator):
            return langevin(self.discriminator, start, steps, s.step_size, s.noise, self.bounds, generator, trajectory)
