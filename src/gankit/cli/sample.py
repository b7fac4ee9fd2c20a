"""`gankit sample` (from G, or from D alone by Langevin) and `gankit pixels` (the pixel-loss argument)."""

from __future__ import annotations

from pathlib import Path

import click

from gankit.errors import GankitError


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--n", "n", type=click.IntRange(1, 10_000),
              help="How many samples.  [default: 64; conditional: a row per class]")
@click.option("--out", type=click.Path(dir_okay=False), default="samples.png", show_default=True, help="PNG to write.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for z.")
@click.option("--class", "class_index", type=int, help="Class to generate (conditional runs).")
@click.option("--checkpoint", type=click.Choice(["last", "best"]), default="last", show_default=True)
@click.option("--nrow", type=int, default=8, show_default=True, help="Images per grid row.")
@click.option("--from-discriminator", is_flag=True,
              help="Generate with D alone: argmax_x D(x) by Langevin dynamics from noise; saves the chains.")
@click.option("--steps", type=click.IntRange(1), help="Langevin steps for --from-discriminator.  [default: the "
              "run's ebm.sample_steps; GANs: 20 for images, 50 for 2D]")
def sample(
    run_dir: str, n: int | None, out: str, seed: int, class_index: int | None, checkpoint: str, nrow: int,
    from_discriminator: bool, steps: int | None,
) -> None:
    """Draw N samples from RUN_DIR into a grid (images) or a scatter (2D).

    Conditional runs give one row per class, or only class K with --class K. With --from-discriminator,
    the run's D (a GAN's or an EBM's) generates by gradient ascent: each row of the picture is one chain,
    left to right (2D: the chains' end points over D's landscape).
    """
    from gankit.api import load

    run = load(run_dir, checkpoint=checkpoint)  # type: ignore[arg-type]
    if from_discriminator:
        path = run.save_ascent(out, n or (8 if run.spec.kind == "image" else 500), steps, seed)
        click.echo(f"wrote the argmax of D (step {run.step:,}) to {path}")
        return
    if n is None:
        n = run.spec.num_classes * nrow if run.algorithm.conditional and class_index is None else 64
    path = run.save_samples(out, n=n, labels=class_index, seed=seed, nrow=nrow)
    click.echo(f"wrote {n} samples from step {run.step:,} to {path}")


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--index", type=int, default=0, show_default=True, help="Which test-split image to edit.")
@click.option("--out", type=click.Path(dir_okay=False), default="pixels.png", show_default=True, help="PNG to write.")
def pixels(run_dir: str, index: int, out: str) -> None:
    """The pixel-loss argument: one isolated wrong pixel vs six along the stroke, by pixel error and by
    RUN_DIR's discriminator (a GAN or EBM trained on the image's dataset)."""
    from dataclasses import replace

    from gankit.api import load
    from gankit.data.loading import load_dataset
    from gankit.viz.figures import writing
    from gankit.viz.pictures import save_labelled_images
    from gankit.viz.pixel_argument import pixel_argument

    run = load(run_dir)
    discriminator = run.algorithm.discriminator
    if discriminator is None or run.spec.kind != "image":
        raise GankitError("gankit pixels needs a GAN or EBM run on images (it scores edits with D)")
    if discriminator.num_classes:
        raise GankitError("gankit pixels needs an unconditional D")
    test = load_dataset(replace(run.config.data, split="test"))
    if not 0 <= index < len(test):
        raise GankitError(f"--index {index} is out of range 0..{len(test) - 1}")
    result = pixel_argument(test.data[index], discriminator)
    labels = [f"{name}\npixel L2 {result.pixel_l2[name]:.2f}, D {result.d_score[name]:+.2f}" for name in result.images]
    with writing(Path(out)):
        path = save_labelled_images(list(result.images.values()), labels, Path(out))
    for name in result.images:
        click.echo(f"{name:17s} pixel L2 error {result.pixel_l2[name]:5.2f}   D(x) {result.d_score[name]:+8.3f}")
    click.echo(f"-> {path}")


COMMANDS = [sample, pixels]
