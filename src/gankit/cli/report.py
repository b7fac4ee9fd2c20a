"""`gankit report PATH`: one self-contained HTML page for a run or a bench results folder."""

from __future__ import annotations

import click


@click.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False))
def report(path: str) -> None:
    """Write PATH/report.html, one self-contained page (opens offline) for a run or a bench results folder."""
    from gankit.viz.report import write_report

    click.echo(f"wrote {write_report(path)}")


COMMANDS = [report]
