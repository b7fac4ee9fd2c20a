"""Steps per minute of each `views` method: what `gankit bench views` uses to fill a wall-clock budget.

Each method trains in this process with the `views` suite's own config (the `cpu` budget's cell for seed 0),
a short warm-up first (thread and precision measurement, first-call allocations), then `--steps` timed steps.
The table's last column is the value to put in gankit.benchmark.suites.STEPS_PER_MINUTE for the machine the
budgets are named after. Run on an otherwise idle machine:

    python bench/views_rates.py [--steps 1000] [--methods vae,rae,...]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import gankit
from gankit.benchmark.runner import machine
from gankit.benchmark.suites import suite_cells
from gankit.training.trainer import Trainer

WARM_UP = 10  # steps not timed


def steps_per_minute(config: dict, steps: int) -> tuple[float, str]:
    """(timed steps per minute, the precision and threads the run chose)."""
    marks: dict[str, float] = {}

    def clock(trainer: Trainer) -> None:
        if trainer.step == WARM_UP:
            marks["start"] = time.perf_counter()
        elif trainer.step == WARM_UP + steps:
            marks["end"] = time.perf_counter()

    config["train"] |= {"steps": WARM_UP + steps, "time_limit": 0, "eval_every": 0, "sample_every": 10**6,
                        "checkpoint_every": 10**6}
    run = gankit.train(config, progress=False, callbacks=(clock,))
    chose = run.measured  # what `auto` picked, not the setting
    return 60 * steps / (marks["end"] - marks["start"]), f"{chose.get('precision')}, {chose.get('threads')} thread(s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--methods", default="")
    args = parser.parse_args()
    wanted = set(filter(None, args.methods.split(",")))
    print(f"{machine()}; {args.steps} timed steps after {WARM_UP}\n")
    print("| method | chosen | steps per minute |\n|---|---|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for cell in suite_cells("views", "cpu", seeds=1):
            if wanted and cell.method not in wanted:
                continue
            rate, chosen = steps_per_minute(cell.config(str(Path(tmp) / cell.method)), args.steps)
            print(f"| {cell.method} | {chosen} | {rate:.0f} |", flush=True)


if __name__ == "__main__":
    main()
