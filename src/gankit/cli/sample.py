"""`gankit sample` (from G, or from D alone by Langevin) and `gankit pixels` (the pixel-loss argument)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from gankit.cli.common import parse_sets, sampling_bar
from gankit.errors import GankitError


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--n", "n", type=click.IntRange(1, 10_000),
              help="How many samples.  [default: 64; conditional: a row per class]")
@click.option("--out", type=click.Path(dir_okay=False),
              help="PNG to write.  [default: in the run folder, samples-stepN-seedS.png (--from-discriminator: "
                   "argmax-d-stepN-seedS.png)]")
@click.option("--out-dir", type=click.Path(file_okay=False),
              help="Write each sample as its own file, 1.png … N.png, into this new or empty folder (not a grid).")
@click.option("--format", "image_format", type=click.Choice(["png", "jpg"]), default="png", show_default=True,
              help="File type for --out-dir (jpg at quality 95).")
@click.option("--tgz", type=click.Path(dir_okay=False),
              help="With --out-dir: also pack the files into this .tgz, flat (no folder inside), reproducible.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
              help="Seed for z: the same seed, the same samples.")
@click.option("--class", "class_index", type=int, help="Class to generate (conditional runs).")
@click.option("--checkpoint", type=click.Choice(["last", "best"]), default="last", show_default=True)
@click.option("--nrow", type=click.IntRange(1, 1024), default=8, show_default=True, help="Images per grid row.")
@click.option("--scale", type=click.IntRange(1, 32),
              help="Enlarge the grid by this whole factor.  [default: to at least 512 pixels wide]")
@click.option("--sampler", "sampler_sets", multiple=True, metavar="KEY=VALUE",
              help="A sampling setting of the run's algorithm for these samples alone, e.g. ebm.sample_steps=100.")
@click.option("--from-discriminator", is_flag=True,
              help="Generate with D alone: argmax_x D(x) by Langevin dynamics from noise; saves the chains.")
@click.option("--steps", type=click.IntRange(1), help="Langevin steps for --from-discriminator.  [default: the "
              "run's ebm.sample_steps; GANs: 20 for images, 50 for 2D]")
def sample(
    run_dir: str, n: int | None, out: str | None, out_dir: str | None, image_format: str, tgz: str | None, seed: int,
    class_index: int | None, checkpoint: str, nrow: int, scale: int | None, sampler_sets: tuple[str, ...],
    from_discriminator: bool, steps: int | None,
) -> None:
    """Draw N samples from RUN_DIR into a grid (images) or a scatter (2D), or as N files (--out-dir).

    Conditional runs give one row per class, or only class K with --class K. With --from-discriminator,
    the run's D (a GAN's or an EBM's) generates by gradient ascent: each row of the picture is one chain,
    left to right, with D's score on every image (2D: the chains' end points over D's landscape and the data).
    For the GAN homework: `--n 1000 --format jpg --out-dir DIR --tgz submission.tgz`.
    """
    if tgz is not None and out_dir is None:
        raise GankitError("--tgz packs the files of --out-dir; give --out-dir DIR as well")
    if out_dir is not None:
        from gankit.viz.submission import check_empty_folder

        if from_discriminator:
            raise GankitError("--out-dir writes G's samples; --from-discriminator draws a picture of chains (--out)")
        check_empty_folder(Path(out_dir))  # before loading anything
    from gankit.api import load
    from gankit.training.run_folder import RunFolder

    run = load(run_dir, checkpoint=checkpoint,  # type: ignore[arg-type]
               sampler=parse_sets(sampler_sets, "--sampler", "ebm.sample_steps=100"))
    if from_discriminator:
        out = out or str(Path(run_dir) / f"argmax-d-step{run.step:08d}-seed{seed}.png")
        with RunFolder.held_for(Path(out)):  # into a run folder: not while another process trains it
            path, scores = run.save_ascent(out, n or (8 if run.spec.kind == "image" else 500), steps, seed, scale)
        start, end = float(scores[0].mean()), float(scores[-1].mean())
        click.echo(f"D's mean score along the {len(scores) - 1} Langevin steps: {start:+.2f} at the start (noise) "
                   f"-> {end:+.2f} at the end; what D scores highest need not look real")
        click.echo(f"wrote the argmax of D (step {run.step:,}) to {path}")
        return
    if out_dir is not None:
        with RunFolder.held_for(Path(out_dir) / "1.png"):
            _save_files(run, n or 64, class_index, seed, Path(out_dir), image_format, tgz)
        return
    if n is None:
        n = run.spec.num_classes * nrow if run.algorithm.conditional and class_index is None else 64
    out = out or str(Path(run_dir) / f"samples-step{run.step:08d}-seed{seed}.png")  # next to the run, kept apart
    with RunFolder.held_for(Path(out)):
        path = run.save_samples(out, n=n, labels=class_index, seed=seed, nrow=nrow, scale=scale)
    click.echo(f"wrote {n} samples from step {run.step:,} to {path}")


def _save_files(run: Any, n: int, class_index: int | None, seed: int, folder: Path, image_format: str,
                tgz: str | None) -> None:
    """N samples as numbered files (and their flat archive): what the homework submits."""
    from gankit.viz.figures import writing
    from gankit.viz.submission import save_image_files, write_flat_tgz

    if run.spec.kind != "image":
        raise GankitError(f"--out-dir writes image files; {run.config.data.name} holds 2D points (use --out)")
    with sampling_bar(run, n) as progress:
        images = run.sample(n, labels=class_index, seed=seed, progress=progress)
    with writing(folder):
        files = save_image_files(images, folder, image_format)  # type: ignore[arg-type]  # click checked it
    size = "x".join(str(side) for side in images.shape[-2:])
    click.echo(f"wrote {n} samples ({size}) from step {run.step:,} to {folder}/1.{image_format} … {n}.{image_format}")
    if tgz is not None:
        with writing(Path(tgz)):
            archive = write_flat_tgz(files, Path(tgz))
        click.echo(f"packed them, flat, into {archive}")


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--index", type=int, default=0, show_default=True, help="Which test-split image to edit (and draw).")
@click.option("--n", "n", type=click.IntRange(1), default=1, show_default=True,
              help="Also count, over test images INDEX … INDEX+N-1, how often each judge prefers the six pixels.")
@click.option("--out", type=click.Path(dir_okay=False),
              help="PNG to write.  [default: in the run folder, pixels-stepN-imageI.png]")
def pixels(run_dir: str, index: int, n: int, out: str | None) -> None:
    """The pixel-loss argument: one isolated wrong pixel vs six along the stroke, by pixel error and by
    RUN_DIR's discriminator (a GAN or EBM trained on the image's dataset)."""
    from dataclasses import replace

    from gankit.api import load
    from gankit.data.loading import load_dataset
    from gankit.training.run_folder import RunFolder
    from gankit.viz.figures import writing
    from gankit.viz.pictures import save_labelled_images
    from gankit.viz.pixel_argument import ONE, SIX, pixel_argument, tally

    run = load(run_dir)
    discriminator = run.algorithm.discriminator
    if discriminator is None or run.spec.kind != "image":
        raise GankitError("gankit pixels needs a GAN or EBM run on images (it scores edits with D)")
    if discriminator.num_classes:
        raise GankitError("gankit pixels needs an unconditional D")
    test = load_dataset(replace(run.config.data, split="test"))
    if not 0 <= index < len(test):
        raise GankitError(f"--index {index} is out of range 0..{len(test) - 1}")
    if index + n > len(test):
        raise GankitError(f"--index {index} --n {n} runs past the test split's {len(test)} images")
    try:
        result = pixel_argument(test.data[index], discriminator)
    except ValueError as err:
        raise GankitError(f"test image {index}: {err}; try another --index") from None
    out = out or str(Path(run_dir) / f"pixels-step{run.step:08d}-image{index}.png")
    labels = [f"{name}\npixel L2 {result.pixel_l2[name]:.2f}, s(x) {result.d_score[name]:+.2f}"
              for name in result.images]
    title = (f"test image {index}: the pixel loss prefers {result.pixel_loss_prefers}, "
             f"D prefers {result.discriminator_prefers} (edited pixels in red)")
    with RunFolder.held_for(Path(out)), writing(Path(out)):
        path = save_labelled_images(list(result.images.values()), labels, Path(out),
                                    marks=[None, result.edited(ONE), result.edited(SIX)], title=title)
    click.echo(f"test image {index}:")
    for name in result.images:
        click.echo(f"  {name:17s} pixel L2 error {result.pixel_l2[name]:5.2f}   "
                   f"s(x), D's raw score {result.d_score[name]:+8.3f}")
    click.echo(f"  the pixel loss prefers the {result.pixel_loss_prefers} (smaller error); "
               f"D prefers the {result.discriminator_prefers} (higher score)")
    if n > 1:
        counts = tally(test.data[index:index + n], discriminator)
        skipped = f" ({counts.skipped} skipped: no stroke or no background)" if counts.skipped else ""
        click.echo(f"over test images {index}..{index + n - 1}{skipped}: the pixel loss prefers the six pixels in "
                   f"{counts.pixel_loss_prefers_six}/{counts.images}, D in {counts.discriminator_prefers_six}/"
                   f"{counts.images} ({100 * counts.discriminator_prefers_six / max(counts.images, 1):.0f}%)")
    click.echo(f"-> {path}")


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(dir_okay=False),
              help="The .onnx file; its description goes beside it as .json.  [default: in the run folder, "
                   "generator-stepN.onnx]")
@click.option("--checkpoint", type=click.Choice(["last", "best"]), default="last", show_default=True,
              help="Which checkpoint's weights.")
@click.option("--weights", type=click.Choice(["ema", "raw"]), default="ema", show_default=True,
              help="G's EMA (when the run has one) or its trained weights.")
def export(run_dir: str, out: str | None, checkpoint: str, weights: str) -> None:
    """Export RUN_DIR's sampling network to ONNX (noise and labels in, samples out, any batch size), with a
    JSON sidecar that says how to draw its inputs and read its output; onnxruntime runs it without gankit."""
    from gankit.api import load
    from gankit.training.run_folder import RunFolder

    run = load(run_dir, checkpoint=checkpoint, weights=weights)  # type: ignore[arg-type]
    path = Path(out or Path(run_dir) / f"generator-step{run.step:08d}.onnx")
    with RunFolder.held_for(path):  # into a run folder: not while another process trains it
        written = run.export(path)
    click.echo(f"wrote the sampling network of step {run.step:,} to {written} and its description to "
               f"{written.with_suffix('.json')}")


COMMANDS = [sample, pixels, export]
