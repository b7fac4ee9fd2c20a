"""The discriminator alone on a ladder of noise levels: Diffusion Recovery Likelihood (Gao et al. 2021).

Still the lecture's loop, one score and no generator: positives are data at some noise level t, negatives are
what the current score prefers at that level, found by Langevin ascent from the same data at the next, noisier
level. Each level's score only has to undo a little noise, so short chains mix; sampling climbs down the ladder
from pure noise, `sample_steps` ascent steps per level. The score is the family's discriminator with the level
as its projection label (Miyato & Koyama 2018), so one network holds every level's energy.

Taken from the paper and its code: the noise levels (DDPM's linear schedule over 1 000 steps, cut into
`levels` pieces, the last one reaching noise), the conditional energy f(y, t)/s² - ‖y - x̃‖²/(2σ²) with the
step s² = b² σ² c_t, the loss -(f(positive) - f(negative)) scaled by σ_1/σ_{t+1}, and x = y / a at the end.
Added, each off by default: a score-matching term on f/s², longer chain steps on the same density, and chains
started at Tweedie's posterior mean (docs/views.md measures each).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import torch
from torch import Tensor, autograd

from gankit.algorithms.base import PhaseOutput, net_settings, sample_bounds
from gankit.algorithms.ebm.model import DiscriminatorAlone
from gankit.config import Config, EBMConfig
from gankit.data.batches import Batch
from gankit.data.shard import per_example, per_example_randn
from gankit.data.spec import DataSpec
from gankit.nets import build_networks
from gankit.nets.base import Discriminator
from gankit.nets.modes import evaluating
from gankit.samplers.langevin import Progress

DIFFUSION_STEPS = 1000  # DDPM's schedule, which the ladder cuts into levels
BETA_START, BETA_END = 1e-4, 0.02


def noise_ladder(levels: int, span: str = "half") -> tuple[Tensor, Tensor]:
    """(a, σ) [levels + 1] in float64: level t + 1 is a[t+1]·(level t) + σ[t+1]·ε, and level 0 is
    a[0]·data + σ[0]·ε. The steps of DDPM's linear schedule are grouped: `levels` evenly spaced cuts over its
    first half, then one last jump to step 1 000, where almost nothing of the data is left (span `half`, the
    paper's); or `levels` + 1 evenly spaced cuts from its first step to its last (span `full`)."""
    if levels < 2:
        raise ValueError(f"a noise ladder needs at least 2 levels, got {levels}")
    betas = torch.linspace(BETA_START, BETA_END, DIFFUSION_STEPS, dtype=torch.float64)
    log_keep = torch.cumsum(0.5 * torch.log1p(-betas), 0)  # log of the signal kept after each step
    last = DIFFUSION_STEPS - 1
    if span == "full":
        ends = torch.tensor([round(t * last / levels) for t in range(levels + 1)])
    elif span == "half":
        stride = DIFFUSION_STEPS // (2 * (levels - 1))
        ends = torch.tensor([t * stride for t in range(levels)] + [last])
    else:
        raise ValueError(f"a noise ladder spans half or full of the schedule, got {span!r}")
    cumulative = log_keep[ends]
    a = torch.cat([cumulative[:1], cumulative[1:] - cumulative[:-1]]).exp()
    return a, (1 - a.square()).sqrt()


def _per_sample(values: Tensor, like: Tensor) -> Tensor:
    """One value per sample [N], shaped to broadcast over `like` [N, ...]."""
    return values.view(-1, *[1] * (like.dim() - 1)).to(like.dtype)


class LadderEBM(DiscriminatorAlone):
    """An energy model over noise levels; `discriminator(y, level)` is the level's score f(y, t)."""

    a: Tensor  # buffers [levels + 1]
    sigma: Tensor
    a_cumulative: Tensor
    sigma_cumulative: Tensor

    def __init__(self, discriminator: Discriminator, sample_shape: tuple[int, ...], bounds: tuple[float, float],
                 settings: EBMConfig) -> None:
        super().__init__()
        assert settings.levels and settings.langevin_steps and settings.step_size and settings.noise is not None
        self.discriminator, self.settings, self.bounds = discriminator, settings, bounds
        self.sample_shape, self.levels = sample_shape, settings.levels
        a, sigma = noise_ladder(settings.levels, settings.ladder_span)
        a_cumulative = torch.cumprod(a, 0)
        # float32 buffers: in the checkpoint, so a loaded run samples with exactly the levels it trained on
        for name, value in (("a", a), ("sigma", sigma), ("a_cumulative", a_cumulative),
                            ("sigma_cumulative", (1 - a_cumulative.square()).sqrt())):
            self.register_buffer(name, value.float())
        self.average_energy(settings.energy_ema)

    def scale(self, level: Tensor) -> Tensor:
        """[N]: a[t+1] below the top level (x_{t+1} is centred on y = a·x_t); 1 at the top, whose x̃ is noise."""
        return torch.where(level == self.levels - 1, torch.ones_like(self.a[level]), self.a[level + 1])

    def step_sq(self, level: Tensor) -> Tensor:
        """[N]: level t's Langevin step s² = b²·σ²_{t+1}·σ_cum[t]/σ_cum[0]; f(y, t)/s² is the level's log-density."""
        b_sq = self.settings.step_size
        assert b_sq is not None, "gankit.algorithms.resolve fills it"
        return b_sq * self.sigma[level + 1].square() * self.sigma_cumulative[level] / self.sigma_cumulative[0]

    def recover(self, noisier: Tensor, level: Tensor, steps: int, generator: torch.Generator | None,
                energy: Discriminator | None = None, sampling: bool = False,
                stepped: Callable[[], None] | None = None) -> Tensor:
        """y ~ exp(f(y, t)/s² - ‖y - x̃‖²/(2σ²)) by `steps` Langevin steps from y = x̃ (the sample one level
        noisier); at the top level the Gaussian term is dropped. Returns y = a·x_t. Each step is η = s² (the
        paper's), or `chain_step_size`/`step_size` times s² when set: a longer step on the same density.
        `energy`: the network whose f it ascends (sampling's average); D by default. `sampling`: the chain draws a
        sample, and takes `sample_chain_step_size` where set. `stepped()` is called after each gradient step."""
        s = self.settings
        noise_scale, b_sq = s.noise, s.step_size
        assert noise_scale is not None and b_sq is not None, "gankit.algorithms.resolve fills them"
        longer = ((s.sample_chain_step_size if sampling else None) or s.chain_step_size or b_sq) / b_sq
        sigma_sq, step = self.sigma[level + 1].square(), longer * self.step_sq(level)
        pull = torch.where(level < self.levels - 1, 0.5 * step / sigma_sq, torch.zeros_like(step))
        pull, noise = _per_sample(pull, noisier), _per_sample(noise_scale * step.sqrt(), noisier)
        y, energy = noisier.detach(), energy or self.discriminator
        with torch.enable_grad():
            if self.settings.denoise_jump and steps:
                y, steps = self.denoised(y, level, energy), steps - 1
                if stepped is not None:
                    stepped()
            for _ in range(steps):
                y = y.detach().requires_grad_(True)
                (grad,) = autograd.grad(energy(y, level).sum(), y)
                # ½ η ∇_y log p = ½ (η/s²) ∇_y f, and the pull back towards x̃
                y = y + 0.5 * longer * grad - pull * (y - noisier) + noise * per_example_randn(y, generator)
                if stepped is not None:
                    stepped()
        return y.detach()

    def denoised(self, noisier: Tensor, level: Tensor, energy: Discriminator | None = None) -> Tensor:
        """E[a·x_t | x_{t+1} = x̃] = x̃ + σ²_{t+1} ∇ log p_{t+1}(x̃) (Tweedie's formula), the noisier level's
        log-density being f(c·x̃, t+1)/s²_{t+1} with c its scale; x̃ itself at the top level, whose x̃ is noise."""
        above = (level + 1).clamp(max=self.levels - 1)
        c = _per_sample(self.scale(above), noisier)
        y = (c * noisier).detach().requires_grad_(True)
        (grad,) = autograd.grad((energy or self.discriminator)(y, above).sum(), y)
        jump = _per_sample(self.sigma[level + 1].square() / self.step_sq(above), noisier) * c * grad
        below_top = _per_sample((level < self.levels - 1).to(noisier.dtype), noisier)
        return (noisier + below_top * jump).detach()

    def levels_of(self, n: int, generator: torch.Generator | None, device: torch.device) -> Tensor:
        return per_example(lambda m: torch.randint(self.levels, (m,), generator=generator, device=device), n,
                           generator)

    def loss(self, batch: Batch | None, rng: torch.Generator, *, measure: bool = False) -> PhaseOutput:
        """A level t per example; the positive is a·x_t, the negative Langevin's recovery of it from x_{t+1};
        raise f on the positive, lower it on the negative, lower levels (smaller σ) weighted up; with
        `score_matching`, plus that weight times the score-matching error of f/s² at the positive."""
        assert batch is not None and self.settings.langevin_steps is not None
        x = batch.x
        level = self.levels_of(len(x), rng, x.device)
        noise = per_example_randn(x, rng)
        noisy = _per_sample(self.a_cumulative[level], x) * x + _per_sample(self.sigma_cumulative[level], x) * noise
        noisier = (_per_sample(self.a[level + 1], x) * noisy
                   + _per_sample(self.sigma[level + 1], x) * per_example_randn(x, rng))
        negatives = self.recover(noisier, level, self.settings.langevin_steps, rng)
        scale = _per_sample(self.scale(level), x)
        positives = scale * noisy
        weight = self.settings.score_matching
        if weight:
            positives.requires_grad_(True)
        real, fake = self.discriminator(positives, level), self.discriminator(negatives, level)
        loss = (self.sigma[1] / self.sigma[level + 1] * (fake - real)).mean()
        stats = {"loss_d": loss.detach(), "d_real": real.detach().mean(), "d_fake": fake.detach().mean()}
        if weight:
            matching = self.score_matching_loss(positives, real, noise, scale * _per_sample(
                self.sigma_cumulative[level], x) / _per_sample(self.step_sq(level), x))
            loss = loss + weight * matching
            stats["score_matching"] = matching.detach()
        return PhaseOutput(loss, stats)

    @staticmethod
    def score_matching_loss(positives: Tensor, energy: Tensor, noise: Tensor, noise_scale: Tensor) -> Tensor:
        """Denoising score matching (Vincent 2011) in the noise's units: the positive y = a·(a_cum·x + σ_cum·ε)
        has the score -ε/(a·σ_cum) given x, and the model's score is ∇_y f/s², so the noise it predicts is
        -(a·σ_cum/s²)·∇_y f (`noise_scale` [N, 1, ...] = a·σ_cum/s²); mean squared error per pixel."""
        (gradient,) = autograd.grad(energy.sum(), positives, create_graph=True)
        return (noise_scale * gradient.float() + noise).square().mean()

    @property
    def sampling_gradient_steps(self) -> int:
        return self.levels * (self.settings.sample_steps or self.settings.langevin_steps or 0)

    def sample(self, n: int, labels: Tensor | None = None, generator: torch.Generator | None = None,
               progress: Progress | None = None, trajectory: list[Tensor] | None = None) -> Tensor:
        """Down the ladder from N(0, I): at each level, `sample_steps` Langevin steps from the noisier sample;
        `trajectory`, when given, receives each level's sample (the noise first)."""
        if labels is not None:
            raise ValueError("the energy model here is unconditional")
        device = self.a.device
        x = per_example(lambda m: torch.randn((m, *self.sample_shape), generator=generator, device=device), n,
                        generator)
        steps = self.settings.sample_steps or self.settings.langevin_steps
        assert steps is not None
        if trajectory is not None:
            trajectory.append(x.clamp(*self.bounds))
        energy, done = self.sampling_energy, 0

        def stepped() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, self.levels * steps)

        with evaluating(energy):
            for t in range(self.levels - 1, -1, -1):
                level = torch.full((n,), t, device=device, dtype=torch.long)
                x = (self.recover(x, level, steps, generator, energy, sampling=True, stepped=stepped)
                     / _per_sample(self.scale(level), x))
                if trajectory is not None:
                    trajectory.append(x.clamp(*self.bounds))
        return x.clamp(*self.bounds)

    def end_pictures(self, heldout: Tensor | None, generator: torch.Generator) -> dict[str, tuple[Tensor, int]]:
        """One chain per row: pure noise, then the sample at each level down to the data's."""
        trajectory: list[Tensor] = []
        self.sample(8, generator=generator, trajectory=trajectory)
        grid = torch.stack(trajectory, dim=1).flatten(0, 1)
        return {"chains.png": (grid, len(trajectory))}


def build(config: Config, spec: DataSpec, batch_size: int) -> LadderEBM:
    """The family's discriminator, its projection label the noise level (and with `level_bias`, a bias per level
    in every layer), as the ladder's energy."""
    assert config.ebm.levels, "gankit.algorithms.resolve fills ebm.levels"
    settings = replace(net_settings(config.model, spec), label_bias=config.ebm.level_bias)
    _, energy = build_networks(settings, spec, score_classes=config.ebm.levels)
    return LadderEBM(energy, spec.sample_shape, sample_bounds(spec), config.ebm)
