"""The lecture's GAN algorithm: fix G and update D on real vs generated; then fix D and update G."""

from __future__ import annotations

from functools import partial

import torch
from torch import Tensor, nn

from gankit.algorithms.base import Algorithm, Batch, Phase, PhaseOutput
from gankit.config import OptimConfig, TrainConfig
from gankit.nets.base import Discriminator, Generator
from gankit.objectives.base import Objective
from gankit.training.network_modes import evaluating


class GAN(Algorithm):
    def __init__(self, generator: Generator, discriminator: Discriminator, objective: Objective) -> None:
        super().__init__()
        self.generator = generator
        self.discriminator = discriminator
        self.objective = objective

    @property
    def conditional(self) -> bool:
        return self.generator.num_classes > 0

    def trainable(self) -> dict[str, nn.Module]:
        return {"generator": self.generator, "discriminator": self.discriminator}

    def optimizer_settings(self, optim: OptimConfig) -> dict[str, dict[str, float]]:
        betas = (optim.beta1, optim.beta2)
        return {"generator": {"lr": optim.lr_g, "betas": betas}, "discriminator": {"lr": optim.lr_d, "betas": betas}}

    def phases(self, train: TrainConfig) -> list[Phase]:
        d = Phase("discriminator", "discriminator", train.d_steps, True, self.discriminator_loss)
        g_loss = partial(self.generator_loss, n=train.batch_size)
        g = Phase("generator", "generator", train.g_steps, False, g_loss)
        return [d, g] if train.order == "d_first" else [g, d]

    def discriminator_loss(self, batch: Batch | None, rng: torch.Generator) -> PhaseOutput:
        """G fixed: score m real examples high and m generated ones low."""
        assert batch is not None
        # Conditional models see the real batch's labels, so real and fake share one class mix.
        labels = batch.labels if self.generator.num_classes else None
        with torch.no_grad():  # G is fixed in this phase: no graph through it
            fake = self.generator.sample(batch.x.shape[0], labels, generator=rng)
        real_scores = self.discriminator(batch.x, labels)
        fake_scores = self.discriminator(fake, labels)
        loss = self.objective.discriminator_loss(real_scores, fake_scores)
        stats = {
            "loss_d": loss.detach(),
            "d_real": self.objective.display(real_scores.detach()),
            "d_fake": self.objective.display(fake_scores.detach()),
        }
        return PhaseOutput(loss, stats)

    def generator_loss(self, batch: Batch | None, rng: torch.Generator, *, n: int) -> PhaseOutput:
        """D fixed: move G so that D scores its n samples as real."""
        labels = self.generator.sample_labels(n, rng)
        fake_scores = self.discriminator(self.generator.sample(n, labels, generator=rng), labels)
        loss = self.objective.generator_loss(fake_scores)
        return PhaseOutput(loss, {"loss_g": loss.detach()})

    def sample(self, n: int, labels: Tensor | None = None, generator: torch.Generator | None = None) -> Tensor:
        with torch.no_grad(), evaluating(self.generator):
            return self.generator.sample(n, labels, generator=generator)
