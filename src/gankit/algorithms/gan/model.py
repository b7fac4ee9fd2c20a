"""The lecture's GAN algorithm: fix G and update D on real vs generated; then fix D and update G.

Around the objective's two losses it adds what works with any objective: gradient penalties (in D's loss, or
lazily in their own phase every `penalty_every` iterations; their weights optionally decaying), WGAN's weight
clipping, AC-GAN's class loss, DiffAugment on every image D sees, and an EMA of G for sampling. The losses
change nothing; `after_update` applies what an update changes besides the weights. An objective whose G loss
needs real scores (`generator_needs_real`, e.g. rpgan) makes the generator phase take a real batch like D's.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import cast

import torch
from torch import Tensor, autograd, nn
from torch.nn import functional as F

from gankit.algorithms.base import (
    Algorithm,
    Phase,
    PhaseOutput,
    SamplingNetwork,
    latent_grid,
    latent_line,
    net_settings,
)
from gankit.algorithms.gan import PENALTY_PHASE
from gankit.config import AugmentConfig, Config, GANConfig, ObjectiveConfig, OptimConfig
from gankit.config.parsing import augment_policy
from gankit.config.schedule import cosine_ramp
from gankit.data.batches import Batch
from gankit.data.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets import build_networks
from gankit.nets.augment import DiffAugment
from gankit.nets.base import Discriminator, Generator, PackedDiscriminator
from gankit.nets.ema import EMA
from gankit.nets.export import ExportInput
from gankit.nets.modes import evaluating
from gankit.objectives import build_objective
from gankit.objectives.base import Objective
from gankit.objectives.penalties import PENALTIES, Penalty
from gankit.samplers.langevin import Progress


class GAN(Algorithm):
    discriminator: Discriminator
    generator: Generator
    d_updates: Tensor  # buffer: long scalar

    def __init__(
        self, generator: Generator, discriminator: Discriminator, objective: Objective,
        settings: ObjectiveConfig | None = None, g_ema: float = 0.0, steps: GANConfig | None = None,
        batch_size: int = 64, augment: DiffAugment | None = None,
    ) -> None:
        super().__init__()
        self.generator = generator
        self.discriminator = discriminator
        self.objective = objective
        self.settings = settings or ObjectiveConfig(name=objective.name, penalty="none", clip=0.0)
        self.steps, self.batch_size = steps or GANConfig(d_steps=1), batch_size
        self.penalties = penalty_terms(self.settings)
        self.augment = augment  # a submodule only when on: ADA's p is then part of the checkpoint
        self.ema = EMA(generator, g_ema) if g_ema > 0 else None
        # counts D updates for the penalty-weight schedule; a buffer so that resume keeps it, mirrored on the
        # host so that the step reads it without waiting for the device
        self.register_buffer("d_updates", torch.zeros((), dtype=torch.long))
        self.d_updates_host = 0
        self.register_load_state_dict_post_hook(lambda module, keys: module._sync_counter())

    def _sync_counter(self) -> None:
        self.d_updates_host = int(self.d_updates)  # once per load, never per step

    @property
    def conditional(self) -> bool:
        return self.generator.num_classes > 0

    def trainable(self) -> dict[str, nn.Module]:
        return {"generator": self.generator, "discriminator": self.discriminator}

    def learning_rates(self, optim: OptimConfig) -> dict[str, float]:
        assert optim.lr_g is not None and optim.lr_d is not None, "gankit.algorithms.resolve fills the learning rates"
        return {"generator": optim.lr_g, "discriminator": optim.lr_d}

    def phases(self) -> list[Phase]:
        assert self.steps.d_steps is not None, "gankit.algorithms.resolve fills gan.d_steps"
        d = Phase("discriminator", "discriminator", self.steps.d_steps, True, self.discriminator_loss)
        g_loss = partial(self.generator_loss, n=self.batch_size)
        g = Phase("generator", "generator", self.steps.g_steps, self.objective.generator_needs_real, g_loss)
        discriminator = [d]
        if self.lazy_every > 1:  # lazy regularisation as its own update (StyleGAN2's Dreg)
            discriminator.append(Phase(PENALTY_PHASE, "discriminator", 1, True, self.penalty_loss,
                                       every=self.lazy_every))
        return [*discriminator, g] if self.steps.order == "d_first" else [g, *discriminator]

    @property
    def second_derivatives(self) -> str | None:
        return f"objective.penalty {self.settings.penalty}" if self.penalties else None

    @property
    def lazy_every(self) -> int:
        """Iterations between penalty updates when the penalties have their own phase; 1 = in D's loss."""
        return self.settings.penalty_every if self.penalties else 1

    def discriminator_loss(self, batch: Batch | None, rng: torch.Generator, *, measure: bool = False) -> PhaseOutput:
        """G fixed: score m real examples high and m generated ones low."""
        assert batch is not None
        # Conditional models see the real batch's labels, so real and fake share one class mix.
        labels = batch.labels if self.conditional else None
        with torch.no_grad():  # G is fixed in this phase: no graph through it
            fake = self.generator.sample(batch.x.shape[0], labels, generator=rng)
        real = batch.x.detach().requires_grad_(measure)
        fake.requires_grad_(measure)
        real_scores, real_logits = self.discriminator.evaluate(self.seen(real, rng), labels)
        fake_scores, fake_logits = self.discriminator.evaluate(self.seen(fake, rng), labels)
        loss = self.objective.discriminator_loss(real_scores, fake_scores)
        stats = {
            "d_real": self.objective.display(real_scores.detach()),
            "d_fake": self.objective.display(fake_scores.detach()),
        }
        if real_logits is not None and fake_logits is not None and labels is not None:  # AC-GAN
            classify = F.cross_entropy(real_logits, labels) + F.cross_entropy(fake_logits, labels)
            loss = loss + self.settings.aux_weight * classify
            stats["d_class_accuracy"] = (real_logits.argmax(1) == labels).float().mean()
        if self.penalties and self.lazy_every == 1:
            penalised, penalty_stats = self.add_penalties(loss, real, fake, labels, rng, factor=1)
            assert penalised is not None
            loss, stats = penalised, stats | penalty_stats
        if measure:  # ‖∇_x D(x)‖ per sample on real and generated data: how steep D is where it matters
            grad_real, grad_fake = autograd.grad(real_scores.sum() + fake_scores.sum(), [real, fake],
                                                 retain_graph=True)
            stats["d_input_grad_real"] = grad_real.flatten(1).norm(dim=1).mean()
            stats["d_input_grad_fake"] = grad_fake.flatten(1).norm(dim=1).mean()
        stats["loss_d"] = loss.detach()
        pending = {"real_scores": real_scores.detach(), "fake_scores": fake_scores.detach()}
        return PhaseOutput(loss, stats, pending)

    def penalty_loss(self, batch: Batch | None, rng: torch.Generator, *, measure: bool = False) -> PhaseOutput:
        """Lazy regularisation's own update: the penalties alone, on a real batch and G's samples (G fixed),
        weighted up by the D updates they stand for (every `lazy_every` iterations of `d_steps` each)."""
        assert batch is not None and self.steps.d_steps is not None
        labels = batch.labels if self.conditional else None
        with torch.no_grad():
            fake = self.generator.sample(batch.x.shape[0], labels, generator=rng)
        factor = self.lazy_every * self.steps.d_steps
        loss, stats = self.add_penalties(None, batch.x.detach(), fake, labels, rng, factor)
        assert loss is not None, "a penalty phase exists only with penalties"
        return PhaseOutput(loss, stats)

    def add_penalties(self, loss: Tensor | None, real: Tensor, fake: Tensor, labels: Tensor | None,
                      rng: torch.Generator, factor: int) -> tuple[Tensor | None, dict[str, Tensor]]:
        """`loss` plus each active penalty times its weight, `factor` and the decay's scale now."""
        scale = self.penalty_scale()
        scorer = self.discriminator if self.augment is None else partial(self._score_augmented, rng=rng)
        stats: dict[str, Tensor] = {}
        for name, penalty_of, own_weight in self.penalties:
            penalty = penalty_of(scorer, real, fake, labels, rng)
            weight = own_weight * factor
            term = (weight if scale == 1.0 else weight * scale) * penalty
            loss = term if loss is None else loss + term
            stats["penalty" if len(self.penalties) == 1 else f"penalty_{name}"] = penalty.detach()
        if scale != 1.0:
            stats["penalty_scale"] = torch.tensor(scale)
        return loss, stats

    def generator_loss(
        self, batch: Batch | None, rng: torch.Generator, *, n: int, measure: bool = False
    ) -> PhaseOutput:
        """D fixed: move G so that D scores its n samples as real (relativistic objectives: above the real
        batch's scores, in pairs; conditional ones then use the real batch's labels)."""
        real_batch = batch if self.objective.generator_needs_real else None
        if real_batch is not None and self.conditional:
            labels = real_batch.labels
        else:
            labels = self.generator.sample_labels(n, rng)
        fake = self.generator.sample(n, labels, generator=rng)
        scores, logits = self.discriminator.evaluate(self.seen(fake, rng), labels)
        real_scores = None
        if real_batch is not None:
            with torch.no_grad():  # D is fixed and the real scores do not depend on G
                real_scores = self.discriminator.evaluate(self.seen(real_batch.x, rng), labels)[0]
        loss = self.objective.generator_loss(scores, real_scores)
        if logits is not None and labels is not None:  # AC-GAN: G also makes its samples classifiable
            loss = loss + self.settings.aux_weight * F.cross_entropy(logits, labels)
        return PhaseOutput(loss, {"loss_g": loss.detach()})

    @torch.no_grad()
    def after_update(self, phase: str, output: PhaseOutput) -> dict[str, Tensor]:
        if phase == "generator":
            if self.ema is not None:
                self.ema.update(self.generator)
            return {}
        if phase == PENALTY_PHASE:
            return {}
        stats = self.objective.after_discriminator_update(output.pending["real_scores"], output.pending["fake_scores"])
        if self.augment is not None:
            stats |= self.augment.adapt(output.pending["real_scores"])
        self.d_updates += 1  # the penalty-weight schedule
        self.d_updates_host += 1
        if self.settings.clip:  # WGAN: keep the critic in a compact weight space (a crude Lipschitz bound)
            for parameter in self.discriminator.parameters():
                parameter.clamp_(-self.settings.clip, self.settings.clip)
        return stats

    def seen(self, x: Tensor, rng: torch.Generator) -> Tensor:
        """What D is shown of x: x itself, or its DiffAugment (a fresh draw from the run's generator)."""
        return x if self.augment is None else self.augment(x, rng)

    def _score_augmented(self, x: Tensor, labels: Tensor | None, *, rng: torch.Generator) -> Tensor:
        return self.discriminator(self.seen(x, rng), labels)  # a penalty's gradient flows back through the augment

    def penalty_scale(self) -> float:
        """The penalty weights' factor now: a half cosine from 1 to `penalty_final` over `penalty_decay_steps`
        iterations, then constant (R3GAN's gamma schedule); 1 without a decay."""
        final, horizon = self.settings.penalty_final, self.settings.penalty_decay_steps
        if final is None or final == 1.0 or not horizon:
            return 1.0
        assert self.steps.d_steps is not None, "gankit.algorithms.resolve fills gan.d_steps"
        return cosine_ramp(1.0, final, self.d_updates_host, horizon * self.steps.d_steps)

    def landscape_discriminator(self) -> Discriminator | None:
        # a conditional D has one landscape per class, a packed D none per point: not drawn
        packed = isinstance(self.discriminator, PackedDiscriminator)
        return None if self.discriminator.num_classes or packed else self.discriminator

    @property
    def sampling_generator(self) -> Generator:
        """The generator that samples: the EMA copy of G when enabled, else G itself."""
        return cast(Generator, self.ema.average) if self.ema is not None else self.generator  # a copy of G

    @property
    def samples_from_average(self) -> bool:
        return self.ema is not None

    def use_trained_weights(self) -> None:
        self.ema = None

    def sample(self, n: int, labels: Tensor | None = None, generator: torch.Generator | None = None,
               progress: Progress | None = None) -> Tensor:
        with torch.no_grad(), evaluating(self.sampling_generator):
            return self.sampling_generator.sample(n, labels, generator=generator)

    def negative_pushes(self, x: Tensor, real: Tensor | None = None) -> Tensor | None:
        """-∇x of G's loss at each of the samples x, per sample: where G's next update moves them (its loss's
        gradient flows into G only through x). Conditional D's: None (the push depends on the label)."""
        if self.conditional:
            return None
        if self.objective.generator_needs_real and (real is None or len(real) != len(x)):
            raise ValueError(f"{self.objective.name}'s G loss pairs each sample with a real example: pass as many")
        x = x.detach().requires_grad_(True)
        with torch.enable_grad(), evaluating(self.discriminator):
            scores = self.discriminator.evaluate(x, None)[0]
            real_scores = None
            if self.objective.generator_needs_real and real is not None:
                real_scores = self.discriminator.evaluate(real, None)[0].detach()
            loss = self.objective.generator_loss(scores, real_scores) * len(x)  # per sample, not per batch mean
            (gradient,) = autograd.grad(loss, x)
        return -gradient

    def manifold(self, side: int) -> Tensor:
        g = self.sampling_generator
        z = latent_grid(side, g.latent_dim, g.device)
        with torch.no_grad(), evaluating(g):
            return g(z, None if not g.num_classes else torch.zeros(len(z), dtype=torch.long, device=z.device))

    def sampling_network(self) -> SamplingNetwork:
        g = self.sampling_generator
        inputs = [ExportInput("z", (g.latent_dim,), torch.float32, "standard normal")]
        if g.num_classes:
            inputs.append(ExportInput("labels", (), torch.int64, f"class index 0..{g.num_classes - 1}",
                                      g.num_classes))
        return SamplingNetwork(g, inputs)

    def latent_path(self, start: torch.Generator, end: torch.Generator, steps: int,
                    label: int | None = None) -> Tensor:
        g = self.sampling_generator
        z = latent_line(g.sample_latent(1, start), g.sample_latent(1, end), steps)
        labels = None if not g.num_classes else torch.full((steps,), label or 0, dtype=torch.long, device=z.device)
        with torch.no_grad(), evaluating(g):
            return g(z, labels)

    def interpolate(self, pairs: int, steps: int, generator: torch.Generator) -> Tensor:
        g = self.sampling_generator
        z = latent_line(g.sample_latent(pairs, generator), g.sample_latent(pairs, generator), steps)
        labels = g.sample_labels(pairs, generator)  # conditional: one class per line
        with torch.no_grad(), evaluating(g):
            return g(z, None if labels is None else labels.repeat_interleave(steps))


def penalty_terms(settings: ObjectiveConfig) -> list[tuple[str, Penalty, float]]:
    """(name, penalty, weight) for each active penalty: `r1+r2` is two, each with its own gamma when set."""
    penalty = settings.penalty or "none"
    names = [] if penalty == "none" else penalty.split("+")
    own = {"r1": settings.gamma_r1, "r2": settings.gamma_r2}
    fallback = settings.penalty_weight or 0.0
    return [(name, PENALTIES.get(name), w if (w := own.get(name)) is not None else fallback) for name in names]


def build_augment(config: AugmentConfig, spec: DataSpec) -> DiffAugment | None:
    """DiffAugment for the policy's augmentations, None for `none`; images only."""
    names = augment_policy(config.policy)
    if not names:
        return None
    if spec.kind != "image":
        raise ConfigError(f"augment.policy {config.policy} is for images; {spec.name} holds 2D points (use none)")
    return DiffAugment(names, config.probability, config.ada_target, config.ada_images)


def build(config: Config, spec: DataSpec, batch_size: int) -> GAN:
    """The GAN of a resolved config; `batch_size` is this process's share of each batch (its G step's z)."""
    objective = build_objective(config.objective.name, dataclasses.asdict(config.objective))
    generator, discriminator = build_networks(net_settings(config.model, spec), spec, objective.discriminator_kind)
    return GAN(generator, discriminator, objective, config.objective, config.model.g_ema or 0.0, config.gan,
               batch_size, build_augment(config.augment, spec))
