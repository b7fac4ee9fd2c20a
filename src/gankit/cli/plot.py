"""`gankit plot`: logged numbers of several runs on one figure (any metric; D's per-layer gradient norms)."""

from __future__ import annotations

from pathlib import Path

import click

RUNS = click.argument("run_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))


@click.group()
def plot() -> None:
    """Plot what runs logged in metrics.jsonl, several runs on one figure."""


@plot.command("grad-norms")
@RUNS
@click.option("--out", type=click.Path(dir_okay=False), default="grad-norms.png", show_default=True,
              help="Picture to write (.png, .pdf, .svg, …).")
@click.option("--network", type=click.Choice(["discriminator", "generator"]), default="discriminator",
              show_default=True, help="Whose layers.")
def grad_norms(run_dirs: tuple[str, ...], out: str, network: str) -> None:
    """Per-layer gradient norms of RUN_DIRS' D on a log scale: the homework's WGAN (clipping) vs WGAN-GP plot."""
    from gankit.viz.curves import read_run_log, save_grad_norms
    from gankit.viz.figures import writing

    logs = [read_run_log(Path(run)) for run in run_dirs]
    with writing(Path(out)):
        path = save_grad_norms(logs, Path(out), network)
    for log in logs:
        click.echo(f"{log.name}: {len(log.layers(network))} {network} layers")
    click.echo(f"-> {path}")


@plot.command()
@RUNS
@click.option("--metric", "metrics", multiple=True, required=True,
              help="A metrics.jsonl key (loss_d, d_real, wasserstein, eval/fid, …); repeat for more panels.")
@click.option("--out", type=click.Path(dir_okay=False), default="curves.png", show_default=True,
              help="Picture to write (.png, .pdf, .svg, …).")
@click.option("--log", "log_scale", is_flag=True, help="Logarithmic y axis.")
def curves(run_dirs: tuple[str, ...], metrics: tuple[str, ...], out: str, log_scale: bool) -> None:
    """Any logged metric of RUN_DIRS along training, one panel per --metric, one line per run."""
    from gankit.viz.curves import read_run_log, save_curves
    from gankit.viz.figures import writing

    logs = [read_run_log(Path(run)) for run in run_dirs]
    with writing(Path(out)):
        path = save_curves(logs, list(metrics), Path(out), log_scale)
    click.echo(f"-> {path}")


COMMANDS = [plot]
