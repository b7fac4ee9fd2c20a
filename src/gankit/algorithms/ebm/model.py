"""The lecture's "discriminator alone": an energy-based model. D scores x; generating is argmax_x D(x).

Training is the lecture's loop: the positives are data, the negatives are what the current D prefers
(found by Langevin dynamics, gradient ascent on D plus noise), and D is pushed up on the positives and
down on the negatives, until its peaks sit on the data only. Chains start from a replay buffer of
earlier negatives, with a few restarted from noise each time (Du & Mordatch 2019; Grathwohl et al. 2020).
"""

from __future__ import annotations

from typing import cast

import torch
from torch import Tensor, nn

from gankit.algorithms.base import Algorithm, Phase, PhaseOutput, net_settings, sample_bounds
from gankit.config import Config, EBMConfig, OptimConfig
from gankit.data.batches import Batch
from gankit.data.spec import DataSpec
from gankit.nets import build_networks
from gankit.nets.base import Discriminator
from gankit.nets.ema import EMA
from gankit.nets.modes import evaluating
from gankit.samplers.langevin import Progress, chain_columns, langevin
from gankit.samplers.replay import ReplayBuffer

CHAINS = 8  # Langevin chains in an image EBM's end-of-run chain grid


class DiscriminatorAlone(Algorithm):
    """What every energy model shares: D is the one network, trained by one phase, and it samples: itself, or
    with `ebm.energy_ema` an exponential moving average of its weights (the copy Gao et al. 2021 sample with)."""

    discriminator: Discriminator
    ema: EMA | None  # set by each model's __init__: a class default would hide the registered submodule

    def average_energy(self, decay: float) -> None:
        self.ema = EMA(self.discriminator, decay) if decay > 0 else None

    @property
    def sampling_energy(self) -> Discriminator:
        """The energy that sampling ascends: D's moving average where kept, else D (training's negatives always
        come from D itself: they are what the current D prefers)."""
        return cast(Discriminator, self.ema.average) if self.ema is not None else self.discriminator

    @property
    def samples_from_average(self) -> bool:
        return self.ema is not None

    def use_trained_weights(self) -> None:
        self.ema = None

    @torch.no_grad()
    def after_update(self, phase: str, output: PhaseOutput) -> dict[str, Tensor]:
        if self.ema is not None:
            self.ema.update(self.discriminator)
        return {}

    def trainable(self) -> dict[str, nn.Module]:
        return {"discriminator": self.discriminator}

    def learning_rates(self, optim: OptimConfig) -> dict[str, float]:
        assert optim.lr_d is not None, "gankit.algorithms.resolve fills the learning rates"
        return {"discriminator": optim.lr_d}

    def phases(self) -> list[Phase]:
        return [Phase("discriminator", "discriminator", 1, True, self.loss)]

    @property
    def sampling_phase(self) -> str:
        return "discriminator"  # an energy model samples with D itself

    def loss(self, batch: Batch | None, rng: torch.Generator, *, measure: bool = False) -> PhaseOutput:
        raise NotImplementedError


class EBM(DiscriminatorAlone):

    def __init__(
        self, discriminator: Discriminator, sample_shape: tuple[int, ...], bounds: tuple[float, float],
        settings: EBMConfig,
    ) -> None:
        super().__init__()
        assert settings.langevin_steps and settings.step_size is not None and settings.noise is not None
        self.discriminator, self.settings, self.bounds = discriminator, settings, bounds
        self.sample_shape = sample_shape
        self.replay = ReplayBuffer(settings.buffer_size, sample_shape, bounds, settings.restart)
        self.last_negatives: Tensor | None = None  # for pictures of the landscape
        self.average_energy(settings.energy_ema)

    def _chains(self, energy: Discriminator, start: Tensor, steps: int, generator: torch.Generator | None,
                trajectory: list[Tensor] | None = None, progress: Progress | None = None) -> Tensor:
        s = self.settings
        assert s.step_size is not None and s.noise is not None
        done = 0

        def stepped(x: Tensor) -> None:
            nonlocal done
            done += 1
            if trajectory is not None:
                trajectory.append(x)
            if progress is not None:
                progress(done, steps)

        watched = trajectory is not None or progress is not None  # training's chains pay for no callback
        return langevin(energy, start, steps, s.step_size, s.noise, self.bounds, generator,
                        stepped if watched else None)

    def loss(self, batch: Batch | None, rng: torch.Generator, *, measure: bool = False) -> PhaseOutput:
        """The negatives are what the current D prefers (Langevin chains from the replay buffer); raise D on
        the data, lower it on the negatives; alpha * (D(x+)² + D(x-)²) bounds the energies."""
        assert batch is not None and self.settings.langevin_steps is not None
        start, slots = self.replay.starts(len(batch.x), rng, batch.x.device)
        negatives = self._chains(self.discriminator, start, self.settings.langevin_steps, rng)
        real, fake = self.discriminator(batch.x), self.discriminator(negatives)
        magnitude = (real.square() + fake.square()).mean()
        loss = fake.mean() - real.mean() + self.settings.energy_penalty * magnitude
        stats = {"loss_d": loss.detach(), "d_real": real.detach().mean(), "d_fake": fake.detach().mean(),
                 "energy_magnitude": magnitude.detach()}
        return PhaseOutput(loss, stats, pending={"negatives": negatives, "slots": slots})

    def after_update(self, phase: str, output: PhaseOutput) -> dict[str, Tensor]:
        """The buffer keeps where this update's chains ended."""
        self.replay.store(output.pending["slots"], output.pending["negatives"])
        self.last_negatives = output.pending["negatives"]
        return super().after_update(phase, output)

    @property
    def sampling_gradient_steps(self) -> int:
        return self.settings.sample_steps or self.settings.langevin_steps or 0

    def landscape_discriminator(self) -> Discriminator:
        return self.discriminator

    def negatives_for_picture(self, n: int, generator: torch.Generator) -> Tensor:
        return (self.last_negatives if self.last_negatives is not None else self.replay.chains)[:n]

    def remembered_negatives(self, n: int) -> Tensor:
        return self.replay.chains[:n]

    def negative_pushes(self, x: Tensor, real: Tensor | None = None) -> Tensor:
        """∇x D(x): the drift of the Langevin chains at x (noise aside), towards what D scores high."""
        x = x.detach().requires_grad_(True)
        with torch.enable_grad(), evaluating(self.discriminator):
            (gradient,) = torch.autograd.grad(self.discriminator(x).sum(), x)
        return gradient

    def sample(self, n: int, labels: Tensor | None = None, generator: torch.Generator | None = None,
               progress: Progress | None = None, trajectory: list[Tensor] | None = None,
               from_noise: bool = False) -> Tensor:
        """n samples: chains from the replay buffer (or noise), run `sample_steps` more; the buffer is untouched.
        `trajectory`, when given, receives every step's points."""
        if labels is not None:
            raise ValueError("the energy model here is unconditional")
        device = self.replay.chains.device
        from_noise = from_noise or self.settings.sample_from_noise
        start = self.replay.noise(n, generator, device) if from_noise else self.replay.starts(n, generator, device)[0]
        steps = self.settings.sample_steps or self.settings.langevin_steps
        assert steps is not None
        energy = self.sampling_energy
        with evaluating(energy):
            return self._chains(energy, start, steps, generator, trajectory, progress)

    def end_pictures(self, heldout: Tensor | None, generator: torch.Generator) -> dict[str, tuple[Tensor, int]]:
        """What Langevin dynamics does, step by step: one chain per row, 10 of its steps left to right."""
        trajectory: list[Tensor] = []
        self.sample(CHAINS, generator=generator, trajectory=trajectory)
        grid = chain_columns(trajectory)
        return {"chains.png": (grid, len(grid) // CHAINS)}


def build(config: Config, spec: DataSpec, batch_size: int) -> EBM:
    """The energy model of a resolved config: the family's discriminator as its energy (the generator unused)."""
    _, energy = build_networks(net_settings(config.model, spec), spec)
    return EBM(energy, spec.sample_shape, sample_bounds(spec), config.ebm)
