"""The pictures a run's page asks for, made from its checkpoint by gankit's API and viz, as PNG bytes.

Each function is a job's work (gankit.serve.jobs): it loads the run (the loader checks the checkpoint's
hash first, so a damaged one is refused before anything is built), computes, draws, and reports its
stage on the job as it goes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from gankit.api import Run, load
from gankit.errors import GankitError
from gankit.serve.jobs import Job
from gankit.training.run_folder import RunFolder

Checkpoint = Literal["last", "best"]
ASCENT_POINTS = 500  # 2D chains in the argmax-of-D picture (image runs get `n`)


@contextmanager
def _png_file() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="gankit-serve-") as folder:
        yield Path(folder) / "picture.png"


def _loaded(job: Job, folder: RunFolder, checkpoint: Checkpoint) -> Run:
    job.report("checking and loading the checkpoint", 0.1)
    run = load(folder.root, checkpoint=checkpoint)
    job.info["step"] = run.step
    return run


def _drawn(job: Job, draw: Callable[[Path], Path]) -> bytes:
    with _png_file() as path:
        draw(path)
        job.report("encoding the picture", 0.95)
        return path.read_bytes()


def samples(folder: RunFolder, seed: int, n: int, label: int | None, checkpoint: Checkpoint = "last",
            nrow: int = 8) -> Callable[[Job], bytes]:
    """A grid (images) or scatter (2D) of n samples from the z that `seed` draws."""
    def work(job: Job) -> bytes:
        run = _loaded(job, folder, checkpoint)
        job.report(f"sampling {n} from seed {seed}", 0.4)
        return _drawn(job, lambda path: run.save_samples(path, n=n, labels=label, seed=seed, nrow=nrow))
    return work


def interpolation(folder: RunFolder, seed_a: int, seed_b: int, steps: int, label: int | None,
                  checkpoint: Checkpoint = "last") -> Callable[[Job], bytes]:
    """Samples along the latent line from seed_a's z to seed_b's: a row of images, or a path of 2D points."""
    from gankit.viz.pictures import save_image_grid, save_scatter

    def work(job: Job) -> bytes:
        run = _loaded(job, folder, checkpoint)
        job.report(f"decoding {steps} points between seeds {seed_a} and {seed_b}", 0.4)
        path_samples = run.interpolate(seed_a, seed_b, steps, label)
        if run.spec.kind == "image":
            return _drawn(job, lambda path: save_image_grid(path_samples, path, nrow=steps))
        modes = run.spec.modes_tensor() if run.spec.modes else None
        return _drawn(job, lambda path: save_scatter(path_samples, path, modes=modes,
                                                     title=f"seed {seed_a} → seed {seed_b}, {steps} steps"))
    return work


def landscape(folder: RunFolder, seed: int, checkpoint: Checkpoint = "last") -> Callable[[Job], bytes]:
    """2D runs: D's score surface with the data and the current negatives (G's samples, an EBM's buffer)."""
    from gankit.algorithms.base import sample_bounds, score_grid, seeded
    from gankit.data.loading import load_dataset
    from gankit.viz.pictures import save_landscape

    def work(job: Job) -> bytes:
        run = _loaded(job, folder, checkpoint)
        discriminator = run.algorithm.landscape_discriminator()
        if run.spec.kind != "points" or discriminator is None:
            raise GankitError("a landscape needs a 2D run with an unconditional, unpacked D (a GAN or EBM)")
        job.report("scoring D on the square and loading the data", 0.4)
        bounds = sample_bounds(run.spec)
        scores = score_grid(discriminator, bounds, run.algorithm.device).cpu()
        real = load_dataset(run.config.data).data[:2000].float()
        negatives = run.algorithm.negatives_for_picture(ASCENT_POINTS, seeded(run.algorithm.device, seed))
        job.report("drawing", 0.8)
        return _drawn(job, lambda path: save_landscape(
            scores, bounds, path, real, None if negatives is None else negatives.cpu(),
            title=f"D at step {run.step:,}"))
    return work


def ascent(folder: RunFolder, seed: int, n: int, steps: int | None,
           checkpoint: Checkpoint = "last") -> Callable[[Job], bytes]:
    """What D believes is real: argmax_x D(x) by Langevin chains from noise (GAN and EBM runs)."""
    def work(job: Job) -> bytes:
        run = _loaded(job, folder, checkpoint)
        chains = n if run.spec.kind == "image" else ASCENT_POINTS
        def progress(done: int, total: int) -> None:
            job.report(f"Langevin step {done} of {total} ({chains} chains on D)", 0.2 + 0.7 * done / total)

        return _drawn(job, lambda path: run.save_ascent(path, chains, steps, seed, progress=progress)[0])
    return work
