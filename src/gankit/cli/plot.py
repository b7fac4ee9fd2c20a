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
@click.option("--norm-layers", is_flag=True,
              help="Also plot the normalisation layers' scale and shift (left out by default: the weight layers).")
def grad_norms(run_dirs: tuple[str, ...], out: str, network: str, norm_layers: bool) -> None:
    """Per-layer gradient norms of RUN_DIRS' D on a log scale: the homework's WGAN (clipping) vs WGAN-GP plot."""
    from gankit.viz.curves import read_run_log, save_grad_norms
    from gankit.viz.figures import writing

    logs = [read_run_log(Path(run)) for run in run_dirs]
    if not norm_layers:
        for log, run_dir in zip(logs, run_dirs, strict=True):
            log.hidden_layers = _normalisation_layers(run_dir, network)
    with writing(Path(out)):
        path = save_grad_norms(logs, Path(out), network)
    for log in logs:
        click.echo(f"{log.name}: {len(log.layers(network))} {network} layers")
    click.echo(f"-> {path}")


def _normalisation_layers(run_dir: str, network: str) -> set[str]:
    """The run's normalisation layers, from its networks rebuilt from the checkpoint (none if it has no such net)."""
    from gankit.api import load
    from gankit.training.health import normalisation_layers

    module = load(run_dir).algorithm.trainable().get(network)
    return set() if module is None else normalisation_layers(module)


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
