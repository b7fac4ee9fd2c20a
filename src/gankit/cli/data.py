"""`gankit data list` and `gankit data fetch`; listing reads the catalog alone (no torch)."""

from __future__ import annotations

from pathlib import Path

import click

from gankit import environment
from gankit.data.catalog import DATASETS, FOLDER_PREFIX, POINTS_PREFIX


@click.group()
def data() -> None:
    """List and fetch datasets."""


@data.command("list")
def data_list() -> None:
    """The datasets gankit knows."""
    for name in DATASETS.names():
        spec = DATASETS.get(name)
        click.echo(f"{name:15s} {spec.kind:7s} {spec.summary}")
    click.echo(f"{FOLDER_PREFIX + 'PATH':15s} {'image':7s} every image under PATH, resized and center-cropped")
    click.echo(f"{POINTS_PREFIX + 'FILE.csv':15s} {'points':7s} the file's 2D points, one `x,y` line each")


@data.command("fetch")
@click.argument("name")
@click.option("--root", type=click.Path(file_okay=False), help="Cache folder.  [default: $GANKIT_CACHE or "
              "~/.cache/gankit]")
def data_fetch(name: str, root: str | None) -> None:
    """Get dataset NAME ready for offline use, saying exactly what was done."""
    from gankit.data.loading import fetch_dataset

    click.echo(fetch_dataset(environment.data_config(name, str(Path(root)) if root else None)))


COMMANDS = [data]
