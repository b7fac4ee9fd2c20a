"""The Python API, mirroring the CLI: `train(config) -> Run`, `resume(run_dir)`, `load(run_dir)`, `run.sample(n)`.

Like the CLI, it is an entry point: the cache location comes from the environment here (gankit.environment)
and is passed down in the config; nothing below reads the environment.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch
from torch import Tensor

from gankit import environment
from gankit.algorithms import build_algorithm, family_of
from gankit.algorithms.base import Algorithm, sample_bounds, score_grid, seeded
from gankit.algorithms.ebm import langevin_settings
from gankit.algorithms.resolve import resolve
from gankit.config import Config
from gankit.data.loading import load_dataset
from gankit.data.spec import DataSpec
from gankit.errors import GankitError
from gankit.files import write_atomic
from gankit.nets.modes import evaluating
from gankit.samplers.langevin import Progress, langevin
from gankit.training import checkpoint as ckpt
from gankit.training.device import resolve_device
from gankit.training.run_folder import RunFolder
from gankit.training.trainer import Callback, Trainer
from gankit.version import __version__
from gankit.viz.figures import writing
from gankit.viz.pictures import GridLabels, save_chains, save_image_grid, save_landscape, save_scatter


@dataclass
class Run:
    """A trained (or partly trained) model and its run folder."""

    folder: RunFolder
    config: Config
    spec: DataSpec
    algorithm: Algorithm
    step: int
    interrupted: bool = False
    mode_stats: dict[str, Any] | None = None
    measured: dict[str, Any] = field(default_factory=dict)  # what `auto` settings chose (precision, threads)

    @property
    def run_dir(self) -> Path:
        return self.folder.root

    @property
    def generator(self) -> torch.nn.Module:
        return self.algorithm.generator

    @property
    def discriminator(self) -> torch.nn.Module | None:
        return self.algorithm.discriminator

    def sample(self, n: int, labels: Tensor | int | None = None, seed: int = 0, per_row: int = 8,
               progress: Progress | None = None) -> Tensor:
        """n samples in model range on the CPU: images [n, C, H, W] in [-1, 1] or points [n, 2].

        A conditional model given no labels draws class 0 for the first `per_row` samples, then class 1, ...
        An energy model calls `progress(done, total)` after each of its Langevin steps (all chains move together).
        """
        device = self.algorithm.device
        if labels is None:
            labels = self.algorithm.fixed_labels(n, per_row)
        if isinstance(labels, int):
            self._check_label(labels)
            labels = torch.full((n,), labels, dtype=torch.long, device=device)
        return self.algorithm.sample(n, labels, generator=seeded(device, seed), progress=progress).cpu()

    def interpolate(self, seed_a: int, seed_b: int, steps: int = 10, label: int | None = None) -> Tensor:
        """[steps, ...] on the CPU: samples along the straight line in latent space from seed_a's z to
        seed_b's (the z `sample(1, seed=...)` draws); conditional models keep one class (default 0)."""
        if label is not None:
            self._check_label(label)
        path = self.algorithm.latent_path(seeded(self.algorithm.device, seed_a), seeded(self.algorithm.device, seed_b),
                                          steps, label)
        if path is None:
            raise GankitError(f"{self.config.model.algorithm} has no latent space to interpolate in")
        return path.cpu()

    def _check_label(self, label: int) -> None:
        if not self.algorithm.conditional:
            raise GankitError("this model is unconditional: --class needs a run trained with model.conditional")
        if not 0 <= label < self.spec.num_classes:
            raise GankitError(f"class {label} is out of range 0..{self.spec.num_classes - 1}")

    def ascend_discriminator(self, n: int = 8, steps: int | None = None, seed: int = 0,
                             progress: Callable[[int, int], None] | None = None) -> list[Tensor]:
        """What D believes is real: argmax_x D(x) by Langevin dynamics from uniform noise, for a GAN's D or
        an EBM. Returns the trajectory (the start, then every step) on the CPU; conditional D: a class per chain.
        `progress(done, total)` is called after each step."""
        discriminator = self.algorithm.discriminator
        if discriminator is None or not family_of(self.config).supports.discriminator:
            raise GankitError(f"{self.config.model.algorithm} has no discriminator to ascend from noise alone; "
                              "use a GAN or EBM run")
        settings = langevin_settings(self.config, self.spec.kind)
        assert settings.step_size is not None and settings.noise is not None
        device = self.algorithm.device
        rng, bounds = seeded(device, seed), sample_bounds(self.spec)
        start = bounds[0] + (bounds[1] - bounds[0]) * torch.rand((n, *self.spec.sample_shape), generator=rng,
                                                                 device=device)
        labels = torch.arange(n, device=device) % self.spec.num_classes if discriminator.num_classes else None
        trajectory, total = [start], steps or settings.sample_steps or settings.langevin_steps or 1

        def record(x: Tensor) -> None:
            trajectory.append(x)
            if progress is not None:
                progress(len(trajectory) - 1, total)

        with evaluating(discriminator):
            langevin(lambda x: discriminator(x, labels), start, total, settings.step_size, settings.noise, bounds, rng,
                     record)
        return [x.cpu() for x in trajectory]

    @torch.no_grad()
    def discriminator_scores(self, trajectory: list[Tensor]) -> list[Tensor]:
        """D's raw score of every chain at every step of an ascent ([chains] per step, on the CPU)."""
        discriminator = self.algorithm.discriminator
        assert discriminator is not None, "ascend_discriminator checks that there is a D"
        device, n = self.algorithm.device, len(trajectory[0])
        labels = torch.arange(n, device=device) % self.spec.num_classes if discriminator.num_classes else None
        with evaluating(discriminator):
            return [discriminator(x.to(device), labels).float().cpu() for x in trajectory]

    def save_ascent(self, path: str | Path, n: int = 8, steps: int | None = None, seed: int = 0,
                    scale: int | None = None, progress: Callable[[int, int], None] | None = None,
                    ) -> tuple[Path, list[Tensor]]:
        """The argmax of D as a picture: chains as rows with D's score on each step (images), or the chains'
        ends over D's landscape with the data (2D). Also returns D's scores along the chains."""
        trajectory, path = self.ascend_discriminator(n, steps, seed, progress), Path(path)
        scores = self.discriminator_scores(trajectory)
        with writing(path):
            if self.spec.kind == "image":
                title = (f"argmax of D by Langevin ascent from noise (D after {self.step:,} training steps)\n"
                         "D's mean score per step above, each image's in its corner")
                return save_chains(trajectory, path, scores=scores, title=title, scale=scale), scores
            bounds = sample_bounds(self.spec)
            assert self.algorithm.discriminator is not None  # ascend_discriminator checked it
            grid = score_grid(self.algorithm.discriminator, bounds, self.algorithm.device)
            real = load_dataset(self.config.data).data[:2000].float()
            return save_landscape(grid.cpu(), bounds, path, real, trajectory[-1], negatives_label="chain ends",
                                  title=f"argmax of D after {len(trajectory) - 1} Langevin steps"), scores

    def export(self, path: str | Path) -> Path:
        """Write the network that samples (G, its EMA when the run has one; an auto-encoder's decoder behind its
        latent density) as ONNX at `path`, the batch size free, and beside it `path`.json: its inputs and how to
        draw them, the output's shape and range, the classes. An energy model has none (it samples by Langevin)."""
        from gankit.nets.export import OPSET, export_onnx

        path = Path(path)
        if path.suffix != ".onnx":
            raise GankitError(f"{path}: an exported network is an .onnx file")
        network = self.algorithm.sampling_network()
        if network is None:
            raise GankitError(f"{self.config.model.algorithm} samples by ascending D with Langevin dynamics: "
                              "there is no generator network to export")
        image = self.spec.kind == "image"
        card = {
            "format": "onnx", "opset": OPSET, "file": path.name, "run": str(self.run_dir), "step": self.step,
            "algorithm": self.config.model.algorithm, "data": self.config.data.name,
            "weights": "ema" if self.algorithm.samples_from_average else "raw",
            "inputs": [{"name": i.name, "shape": ["batch", *i.shape], "dtype": str(i.dtype).removeprefix("torch."),
                        "draw": i.draw, **({} if i.dtype.is_floating_point else {"high": i.high}),
                        **({"weights": list(i.weights)} if i.weights else {})} for i in network.inputs],
            "output": {"name": "sample", "shape": ["batch", *self.spec.sample_shape],
                       "range": [-1.0, 1.0] if image else None,
                       "to_image": ("uint8 = clip(round((x + 1) * 127.5), 0, 255), channels first (C, H, W)"
                                    if image else None)},
            "classes": list(self.spec.class_names) if network.inputs[-1].name == "labels" else [],
            **network.notes, "gankit_version": __version__,
        }
        with writing(path):
            export_onnx(network.network, network.inputs, path)
            write_atomic(path.with_suffix(".json"), (json.dumps(card, indent=1) + "\n").encode())
        return path

    def save_samples(
        self, path: str | Path, n: int = 64, labels: int | None = None, seed: int = 0, nrow: int = 8,
        scale: int | None = None,
    ) -> Path:
        """A grid of n samples (images; a conditional model's rows labelled by class) or a scatter over the
        data's modes (2D); `scale` enlarges a grid by a whole factor (None: to a readable width)."""
        samples, path = self.sample(n, labels, seed, per_row=nrow), Path(path)
        with writing(path):
            if self.spec.kind == "points":
                modes = self.spec.modes_tensor() if self.spec.modes else None
                return save_scatter(samples, path, modes=modes, title=f"{self.run_dir.name}, step {self.step:,}")
            grid_labels = GridLabels(title=f"{self.run_dir.name}, step {self.step:,}: {n} samples, seed {seed}")
            if self.algorithm.conditional:
                rows, where = math.ceil(n / nrow), f"{self.run_dir.name}, step {self.step:,}"
                if isinstance(labels, int):
                    name = self.spec.class_names[labels]
                    grid_labels = GridLabels(rows=[name] * rows, title=f"{where}: class {labels} ({name})")
                else:
                    names = [self.spec.class_names[i % self.spec.num_classes] for i in range(rows)]
                    grid_labels = GridLabels(rows=names, title=f"{where}: one row per class")
            return save_image_grid(samples, path, nrow, labels=grid_labels, scale=scale)


def _as_config(config: Config | dict[str, Any] | str | Path) -> Config:
    if isinstance(config, dict):
        config = Config.from_dict(config)
    elif not isinstance(config, Config):
        config = Config.from_yaml(config)
    return environment.from_environment(config)


def _finish(trainer: Trainer, progress: bool, callbacks: tuple[Callback, ...]) -> Run:
    outcome = trainer.fit(progress=progress, callbacks=callbacks)
    return Run(trainer.folder, trainer.config, trainer.spec, trainer.algorithm, outcome.step,
               outcome.interrupted, outcome.mode_stats, trainer.measured)


def train(
    config: Config | dict[str, Any] | str | Path, *, overwrite: bool = False, progress: bool = False,
    callbacks: tuple[Callback, ...] = (),
) -> Run:
    """Train a new run from a Config, a dict of sections, or a YAML path. Under torchrun, each process calls
    this alike and trains its slice of every batch (train.batch_size is the global batch); rank 0 writes."""
    return _finish(Trainer.start(_as_config(config), overwrite, environment.world()), progress, callbacks)


def resume(
    run_dir: str | Path, *, steps: int | None = None, device: str | None = None, progress: bool = False,
    callbacks: tuple[Callback, ...] = (),
) -> Run:
    """Continue a run from its last checkpoint (to `steps` in total if given); exact on the same device and
    number of processes, and correct on another number (under torchrun)."""
    return _finish(Trainer.resume(run_dir, steps, device, environment.cache_root(), environment.world()), progress,
                   callbacks)


def load(run_dir: str | Path, checkpoint: Literal["last", "best"] = "last", device: str = "cpu",
         weights: Literal["ema", "raw"] = "ema", sampler: dict[str, str] | None = None) -> Run:
    """Load a saved run's networks for sampling; never unpickles, and a damaged checkpoint is a CheckpointError.
    weights="raw" samples from G's trained weights instead of their EMA (the same thing for a run without one);
    `sampler` changes sampling settings of the algorithm (`Family.sampling_keys`, e.g. an energy's steps)."""
    folder = RunFolder(Path(run_dir))
    config, spec = environment.with_cache(folder.load_config()), folder.load_spec()
    if sampler:
        config = family_of(config).with_sampling(config, sampler)
    config = resolve(config, spec.kind)  # saved resolved: unchanged, but for a run of an older gankit
    tensors, meta = folder.load_checkpoint(checkpoint)
    algorithm = build_algorithm(config, spec)
    ckpt.load_model_state(algorithm, tensors, folder.checkpoints / meta["tensors"])
    if weights == "raw":
        algorithm.use_trained_weights()
    algorithm.to(resolve_device(device)).eval()
    threads = config.train.threads if isinstance(config.train.threads, int) else meta.get("measured", {}).get("threads")
    if threads and environment.omp_threads() is None:
        torch.set_num_threads(threads)  # sample, eval and pixels run as the run trained
    return Run(folder, config, spec, algorithm, meta["step"], measured=meta.get("measured") or {})
