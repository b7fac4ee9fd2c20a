"""One frame of a live 2D run: what the pages draw of the model now, read from the real trainer.

D's score on a square grid, the negatives (G's samples, an EBM's Langevin negatives) with where training pushes
each of them, G's manifold (the image of a latent grid), an auto-encoder's reconstructions, an energy model's
replay buffer, what D believes is real (argmax_x D(x) from noise), and the coverage numbers (modes captured,
high-quality share, KL and JS on a grid). Everything is read-only: eval mode for the calls, the run's own RNG
untouched, so a run watched trains exactly as one that is not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from gankit.algorithms.base import score_grid, seeded
from gankit.config import EBMConfig
from gankit.metrics.divergence2d import grid_divergences
from gankit.metrics.modes2d import mode_stats
from gankit.nets.modes import evaluating
from gankit.samplers.langevin import langevin

if TYPE_CHECKING:
    from gankit.training.trainer import Trainer

HEAT_RESOLUTION = 48  # D is scored on this many × this many points per frame (the saved frames use 120)
NEGATIVES = 300  # negatives (and their pushes) sent per frame
STAT_SAMPLES = 2500  # samples behind each frame's mode count and KL/JS (the mode protocol's count)
MANIFOLD_SIDE = 15  # G's manifold: the image of a MANIFOLD_SIDE × MANIFOLD_SIDE latent grid
RECONSTRUCTED = 150  # data points shown with their reconstructions
BELIEVERS = 200  # particles ascending D from noise
BELIEF_STEPS = 5  # Langevin steps they take per frame: they follow D as it trains

Points = list[list[float | None]]


@dataclass
class Frame:
    step: int
    updates: dict[str, int]  # updates taken so far, by phase (iterations and one-phase updates together)
    bounds: tuple[float, float]
    scores: Points  # [x][y], HEAT_RESOLUTION each; empty without a landscape
    negatives: Points  # [NEGATIVES, 2]
    pushes: Points  # [NEGATIVES, 2]: where training moves each negative; empty where nothing does
    manifold: Points  # [MANIFOLD_SIDE², 2], row-major; empty without a generator of z
    reconstructions: Points  # [RECONSTRUCTED, 4]: a data point's x, y, then its reconstruction's; empty without
    remembered: Points  # [NEGATIVES, 2]: the negatives kept from earlier updates (a replay buffer); empty without
    believed: Points  # [BELIEVERS, 2]: what D believes is real (Langevin ascent from noise); empty without a D
    stats: dict[str, float | int]  # modes_captured, num_modes, high_quality (data with modes); kl, js


class Belief:
    """The lecture's argmax_x D(x) on a D that trains: particles from uniform noise, moved BELIEF_STEPS Langevin
    steps on the current D at each frame (the EBM's 2D step size and noise), with their own random stream."""

    def __init__(self, settings: EBMConfig, seed: int) -> None:
        assert settings.step_size is not None and settings.noise is not None
        self.step_size, self.noise = settings.step_size, settings.noise
        self.rng = torch.Generator().manual_seed(seed)
        self.particles: Tensor | None = None

    def ascend(self, trainer: Trainer) -> Tensor | None:
        discriminator = trainer.algorithm.discriminator
        if discriminator is None:
            return None
        low, high = trainer.bounds
        if self.particles is None:
            self.particles = low + (high - low) * torch.rand(BELIEVERS, 2, generator=self.rng)
        with evaluating(discriminator):
            moved = langevin(discriminator, self.particles.to(trainer.device), BELIEF_STEPS, self.step_size,
                             self.noise, trainer.bounds, self.rng if trainer.device.type == "cpu" else None)
        self.particles = moved.cpu()
        return self.particles


def rounded(points: Tensor) -> Points:
    """Rows of 4-decimal numbers; a non-finite value (a run about to roll back) is null: JSON has no NaN."""
    return [[round(v, 4) if math.isfinite(v) else None for v in row] for row in points.double().tolist()]


def _or_empty(points: Tensor | None) -> Points:
    return [] if points is None else rounded(points.detach().cpu())


def frame(trainer: Trainer, belief: Belief | None = None) -> Frame:
    """What the pages draw now."""
    algorithm, real, spec = trainer.algorithm, trainer.outputs.real_points, trainer.spec
    assert real is not None, "live frames are for 2D data"
    discriminator = algorithm.landscape_discriminator()
    scores = [] if discriminator is None else rounded(score_grid(discriminator, trainer.bounds, trainer.device,
                                                                 HEAT_RESOLUTION).cpu())
    generator = seeded(trainer.device, trainer.config.train.seed + 3)  # the same z every frame: only training moves it
    samples = algorithm.negatives_for_picture(STAT_SAMPLES, generator)
    stats: dict[str, Any] = {}
    negatives: Points = []
    pushes: Points = []
    if samples is not None:
        samples = samples.detach().cpu()
        shown = samples[:NEGATIVES]
        negatives = rounded(shown)
        paired = real[torch.arange(len(shown)) % len(real)]  # a real example per negative (relativistic G losses)
        pushes = _or_empty(algorithm.negative_pushes(shown.to(trainer.device), paired.to(trainer.device)))
        if spec.modes and spec.mode_std is not None:
            modes = mode_stats(samples, spec.modes_tensor(), spec.mode_std)
            stats |= {"modes_captured": modes.modes_captured, "num_modes": modes.num_modes,
                      "high_quality": round(modes.high_quality, 4)}
        divergences = grid_divergences(real, samples, trainer.bounds)
        stats |= {"kl": round(divergences.kl, 4), "js": round(divergences.js, 4)}
    originals = real[:RECONSTRUCTED]
    reconstructed = algorithm.reconstruct(originals.to(trainer.device))
    pairs = None if reconstructed is None else torch.cat([originals, reconstructed.detach().cpu()], dim=1)
    return Frame(trainer.step, dict(trainer.phase_updates), trainer.bounds, scores, negatives, pushes,
                 _or_empty(algorithm.manifold(MANIFOLD_SIDE)), _or_empty(pairs),
                 _or_empty(algorithm.remembered_negatives(NEGATIVES)),
                 _or_empty(None if belief is None else belief.ascend(trainer)), stats)
