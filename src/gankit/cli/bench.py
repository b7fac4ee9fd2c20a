"""`gankit bench SUITE`: every method side by side; suites and budgets come from gankit.benchmark.suites."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gankit.benchmark.suites import BUDGETS, SUITES
from gankit.cli.common import INTERRUPTED_EXIT
from gankit.metrics.extractors import FEATURE_EXTRACTORS


@click.command()
@click.argument("suite", type=click.Choice(list(SUITES)))
@click.option("--budget", type=click.Choice(BUDGETS), default="smoke", show_default=True,
              help="smoke: minutes, for CI; cpu: under an hour per suite on 2 cores (views: 15 min per cell); hour: "
                   "an hour per cell (views); gpu: the study's step counts.")
@click.option("--seeds", type=click.IntRange(1), help="Seeds per method.  [default: the budget's]")
@click.option("--methods", help="Comma-separated methods of the suite to run (others are left as they are).  "
              "[default: all]")
@click.option("--jobs", type=click.IntRange(1), default=1, show_default=True, help="Cells trained at once.")
@click.option("--out", type=click.Path(file_okay=False), help="Results folder.  [default: results/SUITE-BUDGET]")
@click.option("--features", "feature_space", type=click.Choice(FEATURE_EXTRACTORS.names()), default="classifier",
              show_default=True, help="inception: also the standard Inception FID of each image cell's final model.")
@click.option("--progress/--no-progress", default=True, help="Show the cells-done bar.")
@click.option("--estimate", is_flag=True, help="Print the suite's compute card (each method's pace on this machine "
              "and the suite's training time) and stop; without it the card is printed before any budget but smoke.")
def bench(suite: str, budget: str, seeds: int | None, methods: str | None, jobs: int, out: str | None,
          feature_space: str, progress: bool, estimate: bool) -> None:
    """Train every method of SUITE on the same data, network and budget, and tabulate their metrics.
    Re-running skips finished cells and resumes interrupted ones (Ctrl-C checkpoints the cells in training and
    exits with 130). Classifier-feature FID is computed along training; with --features inception, the final
    models also get the standard Inception FID."""
    from gankit.benchmark.runner import SuiteInterrupted, run_suite, suite_card
    from gankit.benchmark.suites import suite_cells

    if estimate or budget != "smoke":  # a smoke suite is shorter than its card would be
        for line in suite_card(suite_cells(suite, budget, seeds, _split(methods)), jobs):
            click.echo(line)
        if estimate:
            return
    results = Path(out or f"results/{suite}-{budget}")
    command = " ".join(["gankit", *sys.argv[1:]])  # recorded in bench.json: what produced the tables
    try:
        summary = run_suite(suite, budget, results, seeds, jobs, progress, inception=feature_space == "inception",
                            command=command, methods=_split(methods))
    except SuiteInterrupted as stop:
        click.echo(f"{stop}; to continue, run the same command again: {command}")
        sys.exit(INTERRUPTED_EXIT)
    except KeyboardInterrupt:  # a Ctrl-C while the bench starts, or a second one that aborts at once
        click.echo(f"stopped at once by Ctrl-C; the cells keep their last checkpoints; to continue, run the same "
                   f"command again: {command}")
        sys.exit(INTERRUPTED_EXIT)
    click.echo(summary)


def _split(methods: str | None) -> tuple[str, ...] | None:
    return tuple(m.strip() for m in methods.split(",") if m.strip()) if methods else None


COMMANDS = [bench]
