"""What a run shows while it trains: sample pictures from a fixed z, the progress strip, 2D mode stats.

These only read the model (eval mode, no grad, their own RNG), so they never change the training
trajectory: a run with pictures every step ends with the same weights as one without.
"""

from __future__ import annotations

import torch
from safetensors.torch import load_file, save_file
from torch import Tensor

from gankit.algorithms.base import Algorithm
from gankit.data.spec import DataSpec
from gankit.metrics.modes2d import DEFAULT_SAMPLES, ModeStats, mode_stats
from gankit.training.network_modes import evaluating
from gankit.training.run_folder import RunFolder
from gankit.viz.pictures import (
    save_chains,
    save_gif,
    save_image_grid,
    save_landscape,
    save_progress_strip,
    save_scatter,
)

GRID_SIZE = 64  # images in a sample grid (8×8)
STRIP_SIZE = 8  # images per progress-strip row
POINTS = 1000  # generated points in a 2D scatter
LANDSCAPE_RESOLUTION = 120  # D is scored on this many × this many points of the 2D square
INTERPOLATION = (8, 10)  # latent lines × points along each
CHAINS = 8  # Langevin chains in an image EBM's chain grid


def seeded(device: torch.device, seed: int) -> torch.Generator:
    """A fresh generator: the same seed gives the same z every time (a "fixed z")."""
    return torch.Generator(device=device).manual_seed(seed)


def fixed_labels(spec: DataSpec, algorithm: Algorithm, n: int, per_row: int, device: torch.device) -> Tensor | None:
    """One class per row for a conditional generator, None otherwise."""
    if not algorithm.conditional:
        return None
    return (torch.arange(n, device=device) // per_row) % spec.num_classes


@torch.no_grad()
def score_grid(critic: torch.nn.Module, bounds: tuple[float, float], device: torch.device) -> Tensor:
    """D's scores on a square grid over `bounds`, [x, y] indexed (eval mode for the call)."""
    axis = torch.linspace(*bounds, LANDSCAPE_RESOLUTION, device=device)
    with evaluating(critic):
        return critic(torch.cartesian_prod(axis, axis)).view(LANDSCAPE_RESOLUTION, LANDSCAPE_RESOLUTION)


class Outputs:
    def __init__(self, folder: RunFolder, algorithm: Algorithm, spec: DataSpec, real: Tensor, seed: int) -> None:
        self.folder, self.algorithm, self.spec, self.seed = folder, algorithm, spec, seed
        self.device = real.device
        self.real_points = real[:2000].float().cpu() if spec.kind == "points" else None
        self.modes = spec.modes_tensor() if spec.modes else None

    def fixed_samples(self, n: int, per_row: int = 8) -> Tensor:
        """n samples from the run's fixed z (conditional: classes in turn, `per_row` at a time), on the CPU."""
        labels = fixed_labels(self.spec, self.algorithm, n, per_row, self.device)
        return self.algorithm.sample(n, labels, generator=seeded(self.device, self.seed + 2)).cpu()

    def sample_picture(self, step: int) -> None:
        path = self.folder.samples / f"step-{step:08d}.png"
        if self.spec.kind == "points":
            samples = self.fixed_samples(POINTS, POINTS)
            save_scatter(samples, path, self.real_points, self.modes, title=f"step {step:,}")
        else:  # conditional: one row of 8 per class
            n = self.spec.num_classes * 8 if self.algorithm.conditional else GRID_SIZE
            save_image_grid(self.fixed_samples(n, 8), path)

    def snapshot(self, generator_updates: int) -> None:
        """Add a row to the progress strip and redraw it from every snapshot in the folder."""
        n = POINTS if self.spec.kind == "points" else STRIP_SIZE
        samples = self.fixed_samples(n, n)
        self.folder.snapshots.mkdir(parents=True, exist_ok=True)
        path = self.folder.snapshots / f"updates-{generator_updates:09d}.safetensors"
        save_file({"samples": samples.contiguous()}, path)
        self.progress_strip()

    def progress_strip(self) -> None:
        files = sorted(self.folder.snapshots.glob("*.safetensors"))
        snapshots = [(int(p.stem.split("-")[1]), load_file(p)["samples"]) for p in files]
        if snapshots:
            save_progress_strip(snapshots, self.folder.root / "progress.png", self.real_points, self.modes)

    def landscape(self, step: int, bounds: tuple[float, float]) -> None:
        """2D data: a frame of D's score surface with the data and the current negatives."""
        critic = self.algorithm.critic()
        if self.spec.kind != "points" or critic is None or getattr(critic, "num_classes", 0) or hasattr(critic, "pack"):
            return  # a conditional D has one landscape per class, a packed D none per point: not drawn
        scores = score_grid(critic, bounds, self.device)
        negatives = self.algorithm.negatives_for_picture(POINTS // 2, seeded(self.device, self.seed + 4))
        save_landscape(scores, bounds, self.folder.root / "landscape" / f"step-{step:08d}.png", self.real_points,
                       None if negatives is None else negatives.cpu(), title=f"D after step {step:,}")

    def finish(self, heldout: Tensor | None) -> None:
        """Pictures made once at the end: the landscape GIF, reconstructions, latent lines, Langevin chains."""
        save_gif(sorted((self.folder.root / "landscape").glob("step-*.png")), self.folder.root / "landscape.gif")
        if self.spec.kind != "image":
            return
        reconstruct = getattr(self.algorithm, "reconstruct", None)
        if reconstruct is not None and heldout is not None:  # rows: 8 real images, then their reconstructions
            real = heldout[:32]
            pairs = torch.stack([real.view(4, 8, *real.shape[1:]), reconstruct(real).view(4, 8, *real.shape[1:])], 1)
            save_image_grid(pairs.flatten(0, 2).cpu(), self.folder.root / "reconstructions.png", 8)
        lines = self.algorithm.interpolate(*INTERPOLATION, generator=seeded(self.device, self.seed + 5))
        if lines is not None:
            save_image_grid(lines.cpu(), self.folder.root / "interpolation.png", INTERPOLATION[1])
        if hasattr(self.algorithm, "replay"):  # an energy model: what Langevin dynamics does, step by step
            trajectory: list[Tensor] = []
            self.algorithm.sample(CHAINS, generator=seeded(self.device, self.seed + 6), trajectory=trajectory)
            save_chains([t.cpu() for t in trajectory], self.folder.root / "chains.png")

    def mode_stats(self) -> ModeStats | None:
        """2D coverage from a fixed evaluation z; None for data without modes."""
        if self.modes is None or self.spec.mode_std is None:
            return None
        samples = self.algorithm.sample(DEFAULT_SAMPLES, generator=seeded(self.device, self.seed + 3))
        return mode_stats(samples, self.modes, self.spec.mode_std)
