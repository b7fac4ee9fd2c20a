"""What a run shows while it trains: sample pictures from a fixed z, the progress strip, 2D mode stats.

These only read the model (eval mode, no grad, their own RNG), so they never change the training
trajectory: a run with pictures every step ends with the same weights as one without.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import Tensor

from gankit.algorithms.base import INTERPOLATION, Algorithm, score_grid, seeded
from gankit.data.spec import DataSpec
from gankit.metrics.modes2d import DEFAULT_SAMPLES, ModeStats, mode_stats
from gankit.training.checkpoint import save_tensors
from gankit.training.run_folder import RunFolder
from gankit.viz.pictures import (
    GridLabels,
    save_gif,
    save_image_grid,
    save_landscape,
    save_progress_strip,
    save_scatter,
)

GRID_SIZE = 64  # images in a sample grid (8×8)
FIRST_GRID_STEP = 50  # a first sample grid this early, so a short or interrupted run has one before sample_every
STRIP_SIZE = 8  # images per progress-strip row
POINTS = 1000  # generated points in a 2D scatter
END_PICTURE_LABELS = {  # the rows and columns of the algorithms' end pictures, as their end_pictures lay them out
    "reconstructions.png": GridLabels(rows=["test images", "reconstructed"] * 4,
                                      title="held-out test images, each row followed by its reconstruction"),
    "interpolation.png": GridLabels(columns=["z₀"] + [""] * (INTERPOLATION[1] - 2) + ["z₁"],
                                    title="straight lines in latent space, z₀ to z₁ (one line per row)"),
    "chains.png": GridLabels(title="Langevin chains of the energy model: one per row, start (noise) left → end right"),
}


class Outputs:
    def __init__(self, folder: RunFolder, algorithm: Algorithm, spec: DataSpec, real: Tensor, seed: int) -> None:
        self.folder, self.algorithm, self.spec, self.seed = folder, algorithm, spec, seed
        self.device = real.device
        self.real_points = real[:2000].float().cpu() if spec.kind == "points" else None
        self.modes = spec.modes_tensor() if spec.modes else None

    def fixed_samples(self, n: int, per_row: int = 8) -> Tensor:
        """n samples from the run's fixed z (conditional: classes in turn, `per_row` at a time), on the CPU."""
        labels = self.algorithm.fixed_labels(n, per_row)
        return self.algorithm.sample(n, labels, generator=seeded(self.device, self.seed + 2)).cpu()

    @staticmethod
    def grid_due(step: int, every: int, last: int) -> bool:
        """Whether `step` gets a sample grid: every `every` steps, the last one, and FIRST_GRID_STEP, since a
        DCGAN's first 500 steps can take many minutes on a laptop."""
        return step % every == 0 or step == last or step == min(FIRST_GRID_STEP, every)

    def sample_picture(self, step: int) -> None:
        path = self.folder.samples / f"step-{step:08d}.png"
        if self.spec.kind == "points":
            samples = self.fixed_samples(POINTS, POINTS)
            save_scatter(samples, path, self.real_points, self.modes, title=f"step {step:,}")
        elif self.algorithm.conditional:  # one row of 8 per class, named
            labels = GridLabels(rows=list(self.spec.class_names), title=f"step {step:,}: one row per class")
            save_image_grid(self.fixed_samples(self.spec.num_classes * 8, 8), path, 8, labels)
        else:
            save_image_grid(self.fixed_samples(GRID_SIZE, 8), path, 8,
                            GridLabels(title=f"step {step:,}: {GRID_SIZE} samples, the same z every time"))

    def snapshot(self, generator_updates: int) -> None:
        """Add a row to the progress strip and redraw it from every snapshot in the folder."""
        n = POINTS if self.spec.kind == "points" else STRIP_SIZE
        samples = self.fixed_samples(n, n)
        save_tensors(self.folder.snapshots / f"updates-{generator_updates:09d}.safetensors", {"samples": samples})
        self.progress_strip()

    def progress_strip(self) -> None:
        files = sorted(self.folder.snapshots.glob("*.safetensors"))
        snapshots = [(int(p.stem.split("-")[1]), load_file(p)["samples"]) for p in files]
        if snapshots:
            save_progress_strip(snapshots, self.folder.root / "progress.png", self.real_points, self.modes,
                                network=self.algorithm.sampling_phase)

    def landscape(self, step: int, bounds: tuple[float, float]) -> None:
        """2D data: a frame of D's score surface with the data and the current negatives."""
        discriminator = self.algorithm.landscape_discriminator()
        if self.spec.kind != "points" or discriminator is None:
            return
        scores = score_grid(discriminator, bounds, self.device).cpu()
        negatives = self.algorithm.negatives_for_picture(POINTS // 2, seeded(self.device, self.seed + 4))
        negatives = None if negatives is None else negatives.cpu()
        frame = self.folder.root / "landscape" / f"step-{step:08d}.png"
        save_landscape(scores, bounds, frame, self.real_points, negatives, title=f"D after step {step:,}")
        # the frame's numbers too: the GIF redraws every frame on one colour scale at the end
        save_tensors(frame.with_suffix(".safetensors"), {"scores": scores, "bounds": torch.tensor(bounds)}
                     | ({} if negatives is None else {"negatives": negatives}))

    def landscape_gif(self, redraw: bool = True) -> None:
        """landscape.gif: every frame redrawn on the colour scale of the whole run (the 1st to 99th
        percentile of all frames' scores), so a brighter frame means a higher score. Frames saved without
        their numbers (a run of an older gankit), or `redraw` off (a Ctrl-C, which must end within a second;
        the run's end redraws them), go in as they were drawn, each on its own scale."""
        pngs = sorted((self.folder.root / "landscape").glob("step-*.png"))
        frames = [load_file(p.with_suffix(".safetensors")) if p.with_suffix(".safetensors").is_file() else None
                  for p in pngs] if redraw else []
        if not pngs or not redraw or any(frame is None for frame in frames):
            save_gif(pngs, self.folder.root / "landscape.gif")
            return
        every = torch.cat([frame["scores"].flatten() for frame in frames if frame is not None]).float()
        sample = every[torch.linspace(0, len(every) - 1, min(len(every), 1_000_000)).long()]
        scale = (float(sample.quantile(0.01)), float(sample.quantile(0.99)))
        with tempfile.TemporaryDirectory() as folder:
            redrawn = []
            for png, frame in zip(pngs, frames, strict=True):
                assert frame is not None
                low, high = frame["bounds"].tolist()
                redrawn.append(save_landscape(frame["scores"], (low, high), Path(folder) / png.name, self.real_points,
                                              frame.get("negatives"), scale=scale,
                                              title=f"D after step {int(png.stem.split('-')[1]):,} (one scale)"))
            save_gif(redrawn, self.folder.root / "landscape.gif")

    def finish(self, heldout: Tensor | None, interrupted: bool = False) -> None:
        """Pictures made once at the end: the landscape GIF, and the algorithm's own image grids
        (reconstructions, latent lines, Langevin chains)."""
        self.landscape_gif(redraw=not interrupted)
        if self.spec.kind != "image":
            return
        pictures = self.algorithm.end_pictures(heldout, seeded(self.device, self.seed + 5))
        for name, (images, per_row) in pictures.items():
            save_image_grid(images.cpu(), self.folder.root / name, per_row, END_PICTURE_LABELS.get(name))

    def mode_stats(self) -> ModeStats | None:
        """2D coverage from a fixed evaluation z; None for data without modes."""
        if self.modes is None or self.spec.mode_std is None:
            return None
        samples = self.algorithm.sample(DEFAULT_SAMPLES, generator=seeded(self.device, self.seed + 3))
        return mode_stats(samples, self.modes, self.spec.mode_std)
