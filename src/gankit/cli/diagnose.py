"""`gankit diagnose RUN`: the training verdict on a run (healthy, mode collapse, discriminator wins, divergence or
not learning yet), the evidence that decided it and what to try."""

from __future__ import annotations

import click


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as one JSON object.")
def diagnose(run_dir: str, as_json: bool) -> None:
    """The verdict on RUN_DIR from its metrics.jsonl (and modes.json or metric cards where it has them):
    the kind, each signal that crossed its threshold and from which step, and one line of what to try.
    Works on a finished run and on one still training."""
    import json

    from gankit.algorithms.verdict import judge_run

    verdict = judge_run(run_dir)
    click.echo(json.dumps(verdict.to_dict()) if as_json else "\n".join(verdict.lines()))


COMMANDS = [diagnose]
