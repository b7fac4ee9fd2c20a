"""`gankit serve`: a local web page to watch runs, sample them, compare them and train a 2D GAN live."""

from __future__ import annotations

import click

from gankit.errors import GankitError


@click.command()
@click.argument("runs_dir", default="runs", type=click.Path(file_okay=False))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback exposes the runs to the network (warned).")
def serve(runs_dir: str, port: int, host: str) -> None:
    """Serve the runs under RUNS_DIR on a local web page: every run, sampling from checkpoints, comparisons,
    and live 2D training. Offline: every asset ships with gankit. Ctrl-C stops it."""
    from pathlib import Path

    if not Path(runs_dir).is_dir():
        raise GankitError(f"{runs_dir} is not a folder of runs (train one with `gankit train --out {runs_dir}/NAME`)")
    from gankit.serve import server

    if not server.is_loopback(host):
        click.echo(f"gankit: warning: listening on {host}, not only this machine: anyone who can reach it can "
                   "read the runs and start training", err=True)
    sock = server.bind(host, port)
    click.echo(f"gankit serve: {Path(runs_dir).resolve()} at {server.url_of(sock)} (Ctrl-C stops)")
    server.serve(runs_dir, sock)


COMMANDS = [serve]
