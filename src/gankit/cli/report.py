"""`gankit report PATH`: one self-contained HTML page for a run or a bench results folder."""

from __future__ import annotations

import click


@click.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False))
def report(path: str) -> None:
    """Write PATH/report.html, one self-contained page (opens offline) for a run or a bench results folder."""
    from contextlib import nullcontext
    from pathlib import Path

    from gankit.training.run_folder import RunFolder
    from gankit.viz.report import write_report

    folder = RunFolder(Path(path))
    with folder.held() if folder.exists() else nullcontext():  # a run: not while another process trains it
        click.echo(f"wrote {write_report(path)}")


COMMANDS = [report]
