"""The `gankit` command: parse, build a config, call the library. Errors print one line, never a traceback.

One module per command group; each imports only what `--help` needs (no torch), the work happens inside.
"""

from __future__ import annotations

import warnings
from typing import Any

import click

from gankit.cli import bench, data, evaluate, features, report, sample, train
from gankit.cli.common import INTERRUPTED_EXIT
from gankit.errors import GankitError


def _one_line_warning(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    click.echo(f"gankit: {message}", err=True)


class Gankit(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        warnings.showwarning = _one_line_warning  # deprecations and notices as one line each
        try:
            return super().invoke(ctx)
        except GankitError as err:
            raise click.ClickException(str(err)) from None


@click.group(cls=Gankit, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gankit")
def main() -> None:
    """Train, sample and evaluate generative models the way the "Introduction to GAN" lecture lays them out."""


for _module in (train, sample, evaluate, data, features, bench, report):
    for _command in _module.COMMANDS:
        main.add_command(_command)

__all__ = ["INTERRUPTED_EXIT", "main"]
