"""What one training step means, as data: an algorithm lists its phases and computes their losses.

The training loop alone calls backward() and step(); algorithms only return losses, so every loss is a
value that tests can check. State changes (a replay buffer, BEGAN's k, EMA, clipping) happen in
`after_update`, which the loop calls after each optimizer step, never inside a loss. Each algorithm also
declares what it shows: its landscape, its negatives, its end-of-run pictures, its held-out numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

import torch
from torch import Tensor, nn

from gankit.config import ModelConfig, OptimConfig, net_family
from gankit.data.batches import Batch
from gankit.data.catalog import POINTS_REACH
from gankit.data.spec import DataSpec
from gankit.nets import NetSettings
from gankit.nets.export import ExportInput
from gankit.nets.modes import evaluating
from gankit.samplers.langevin import Progress

if TYPE_CHECKING:
    from gankit.nets.base import Generator

INTERPOLATION = (8, 10)  # latent lines × points along each, in the end-of-run interpolation grid
LANDSCAPE_RESOLUTION = 120  # D is scored on this many × this many points of the 2D square


@dataclass
class PhaseOutput:
    loss: Tensor  # scalar the phase's network minimises
    stats: dict[str, Tensor] = field(default_factory=dict)  # detached scalars to log
    pending: dict[str, Any] = field(default_factory=dict)  # what `after_update` applies once the step is taken


class PhaseLoss(Protocol):
    def __call__(self, batch: Batch | None, rng: torch.Generator, *, measure: bool = False) -> PhaseOutput:
        """The phase's loss; with `measure`, also health numbers that cost extra work (e.g. input gradients)."""
        ...


@dataclass(frozen=True)
class Phase:
    """One kind of update: `repeats` times per iteration (in the iterations `every` divides), the `trains`
    network steps on `loss`."""

    name: str
    trains: str  # key of Algorithm.trainable() whose optimizer steps; all other networks stay fixed
    repeats: int
    needs_data: bool  # whether each update consumes a batch of real data
    loss: PhaseLoss
    every: int = 1  # run in iterations 0, every, 2 * every, … (lazy regularisation: StyleGAN2's Dreg every 16)


def latent_line(z0: Tensor, z1: Tensor, steps: int) -> Tensor:
    """[pairs * steps, d]: `steps` evenly spaced points from each z0 to its z1, pair by pair."""
    t = torch.linspace(0, 1, steps, device=z0.device).view(1, steps, 1)
    return (z0[:, None] * (1 - t) + z1[:, None] * t).flatten(0, 1)


def latent_grid(side: int, latent_dim: int, device: torch.device) -> Tensor:
    """[side * side, latent_dim]: z on a side × side grid in its first two coordinates, the rest 0 (a 2D slice of
    the latent space); the grid lines sit at N(0, 1)'s quantiles from 2.5 % to 97.5 %, so every cell holds the
    same prior mass. Row-major: the first coordinate changes slowest."""
    quantiles = torch.distributions.Normal(0.0, 1.0).icdf(torch.linspace(0.025, 0.975, side))
    z = torch.zeros(side * side, latent_dim)
    z[:, :2] = torch.cartesian_prod(quantiles, quantiles)[:, : min(latent_dim, 2)]
    return z.to(device)


def seeded(device: torch.device, seed: int) -> torch.Generator:
    """A fresh generator: the same seed gives the same z every time (a "fixed z")."""
    return torch.Generator(device=device).manual_seed(seed)


def sample_bounds(spec: DataSpec) -> tuple[float, float]:
    """Where samples may go: the image range, or a box one unit beyond the outermost 2D mode (POINTS_REACH
    without, where a points file's points lie)."""
    if spec.kind == "image":
        return -1.0, 1.0
    reach = float(spec.modes_tensor().abs().max()) + 1 if spec.modes else POINTS_REACH
    return -reach, reach


@torch.no_grad()
def score_grid(discriminator: nn.Module, bounds: tuple[float, float], device: torch.device,
               resolution: int = LANDSCAPE_RESOLUTION) -> Tensor:
    """D's scores on a square grid over `bounds`, [x, y] indexed (eval mode for the call)."""
    axis = torch.linspace(*bounds, resolution, device=device)
    with evaluating(discriminator):
        return discriminator(torch.cartesian_prod(axis, axis)).view(resolution, resolution)


@dataclass
class SamplingNetwork:
    """What turns noise into samples in one forward pass, for export: `network(*inputs)` gives samples in model
    range; `notes` says the rest a user needs (e.g. a mixture's component weights)."""

    network: nn.Module
    inputs: list[ExportInput]
    notes: dict[str, Any] = field(default_factory=dict)


class Algorithm(nn.Module):
    """Owns the networks (as submodules, so one state_dict saves them all) and defines the phases."""

    discriminator: nn.Module | None  # the network that scores x (D), if the algorithm has one
    generator: nn.Module  # the network that makes samples from z (an EBM has none)

    @property
    def conditional(self) -> bool:
        """Whether sampling takes class labels."""
        return False

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def trainable(self) -> dict[str, nn.Module]:
        """Networks that get an optimizer, by the name phases use in `trains`."""
        raise NotImplementedError

    def learning_rates(self, optim: OptimConfig) -> dict[str, float]:
        """Learning rate per trainable network (the optimizer kind and betas come from `optim`)."""
        raise NotImplementedError

    def phases(self) -> list[Phase]:
        raise NotImplementedError

    @property
    def sampling_phase(self) -> str:
        """The phase whose updates the progress strip counts: the one training the network that samples."""
        return "generator"

    def sample(self, n: int, labels: Tensor | None = None, generator: torch.Generator | None = None,
               progress: Progress | None = None) -> Tensor:
        """n new samples in model range (no grad, eval mode; the caller's mode is restored). An iterative
        sampler (Langevin) calls `progress(done, total)` after each gradient step; one forward pass never does."""
        raise NotImplementedError

    def sampling_network(self) -> SamplingNetwork | None:
        """The network that samples in one forward pass, for `gankit export`; None where sampling is an
        iterative ascent of D (an energy model: there is no generator to export)."""
        return None

    @property
    def sampling_gradient_steps(self) -> int:
        """Gradient evaluations of a network per sample drawn (Langevin steps); 0 for one forward pass."""
        return 0

    @property
    def samples_from_average(self) -> bool:
        """Whether `sample` draws from a running average (EMA) of the trained network, not the network itself."""
        return False

    def use_trained_weights(self) -> None:
        """Sample from the trained network itself from now on, not from its running average (to compare the
        two); the average is dropped, so a run loaded this way is for sampling only."""

    def fixed_labels(self, n: int, per_row: int) -> Tensor | None:
        """One class per row of `per_row` for a conditional model (classes in turn), None otherwise."""
        if not self.conditional:
            return None
        return (torch.arange(n, device=self.device) // per_row) % cast("Generator", self.generator).num_classes

    def after_update(self, phase: str, output: PhaseOutput) -> dict[str, Tensor]:
        """Called after each optimizer step of `phase` with that update's output: apply its pending state
        changes (e.g. WGAN's weight clipping, an EMA step) and return numbers to log."""
        return {}

    def landscape_discriminator(self) -> nn.Module | None:
        """The D whose score surface over 2D data is drawn (one score per point), or None."""
        return None

    def negatives_for_picture(self, n: int, generator: torch.Generator) -> Tensor | None:
        """What D is currently pushing down: G's samples (GAN), the latest Langevin negatives (EBM)."""
        return self.sample(n, generator=generator)

    def negative_pushes(self, x: Tensor, real: Tensor | None = None) -> Tensor | None:
        """[N, ...]: the direction training moves each negative at `x` (GAN: -∇x of G's loss, per sample;
        energy model: the Langevin drift ∇x D(x)); `real`, as many real examples, for objectives whose G loss
        reads real scores. None where nothing moves the negatives."""
        return None

    def manifold(self, side: int) -> Tensor | None:
        """[side * side, ...]: what the generator makes of `latent_grid(side)`, how it folds the latent plane
        onto the data (GAN Lab's manifold); None without a generator of z."""
        return None

    def reconstruct(self, x: Tensor) -> Tensor | None:
        """x encoded and decoded (an auto-encoder's reconstruction, in model range); None without an encoder."""
        return None

    def remembered_negatives(self, n: int) -> Tensor | None:
        """Up to n negatives kept from earlier updates (an energy model's replay buffer: where its next chains
        start); None where nothing is kept."""
        return None

    def interpolate(self, pairs: int, steps: int, generator: torch.Generator) -> Tensor | None:
        """[pairs * steps, ...]: for each pair of latent draws, samples along the straight line between
        them; None for algorithms without a latent space."""
        return None

    def latent_path(self, start: torch.Generator, end: torch.Generator, steps: int,
                    label: int | None = None) -> Tensor | None:
        """[steps, ...]: samples along the straight line from the latent draw of `start` to that of `end`
        (two seeded generators: an interpolation between two seeds); None without a latent space."""
        return None

    def end_pictures(self, heldout: Tensor | None, generator: torch.Generator) -> dict[str, tuple[Tensor, int]]:
        """Image grids made once at the end of training: file name -> (images in model range, per row)."""
        lines = self.interpolate(*INTERPOLATION, generator=generator)
        return {} if lines is None else {"interpolation.png": (lines, INTERPOLATION[1])}

    @property
    def second_derivatives(self) -> str | None:
        """The setting that makes a training step take gradients of gradients (a gradient penalty), as
        "section.key value", which torch.compile may not support; None when no step does."""
        return None

    def end_of_training(self, examples: Callable[[int], Tensor]) -> dict[str, float]:
        """Called once training ends, before the final checkpoint, with a function giving the first n training
        examples in model range: fit what is fitted after training (an auto-encoder's latent density)."""
        return {}

    def heldout(self, x: Tensor) -> dict[str, float]:
        """Losses on held-out data, logged during training (the VAE's test ELBO); none by default."""
        return {}


def net_settings(model: ModelConfig, spec: DataSpec) -> NetSettings:
    """The values the nets take, read once from a resolved model section (`auto` named by the data)."""
    return NetSettings(family=net_family(model, spec.kind), latent_dim=model.latent_dim, width=model.width,
                       depth=model.depth, d_width=model.d_width, d_depth=model.d_depth, conditional=model.conditional,
                       d_condition=model.d_condition,
                       d_norm=model.d_norm, minibatch_std=model.minibatch_std, spectral_norm=model.spectral_norm,
                       pack=model.pack)
