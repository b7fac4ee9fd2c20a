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
from gankit.training.run_folder import RunFolder
from gankit.viz.pictures import save_image_grid, save_progress_strip, save_scatter

GRID_SIZE = 64  # images in a sample grid (8×8)
STRIP_SIZE = 8  # images per progress-strip row
POINTS = 1000  # generated points in a 2D scatter


def seeded(device: torch.device, seed: int) -> torch.Generator:
    """A fresh generator: the same seed gives the same z every time (a "fixed z")."""
    return torch.Generator(device=device).manual_seed(seed)


def fixed_labels(spec: DataSpec, algorithm: Algorithm, n: int, per_row: int, device: torch.device) -> Tensor | None:
    """One class per row for a conditional generator, None otherwise."""
    if not algorithm.conditional:
        return None
    return (torch.arange(n, device=device) // per_row) % spec.num_classes


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

    def mode_stats(self) -> ModeStats | None:
        """2D coverage from a fixed evaluation z; None for data without modes."""
        if self.modes is None or self.spec.mode_std is None:
            return None
        samples = self.algorithm.sample(DEFAULT_SAMPLES, generator=seeded(self.device, self.seed + 3))
        return mode_stats(samples, self.modes, self.spec.mode_std)
