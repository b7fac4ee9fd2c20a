"""Where one training step of a `views` method spends its time: seconds per step and the top operators.

Each method is the `views` suite's cell (the `cpu` budget, seed 0) with fixed precision and threads, so the
profile is of the arithmetic, not of the measurements `auto` makes. Run with nothing else on the CPU:

    python bench/views_profile.py [--methods rae,drl] [--threads 2] [--precision bf16] [--steps 5]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import torch
from torch.profiler import ProfilerActivity, profile

from gankit.benchmark.runner import machine
from gankit.benchmark.suites import suite_cells
from gankit.config import Config
from gankit.environment import with_cache
from gankit.training.trainer import Trainer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default="rae,drl")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", default="bf16")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--rows", type=int, default=8)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{machine()}; {args.threads} thread(s), {args.precision}, channels-last")
    cells = {c.method: c for c in suite_cells("views", "cpu", seeds=1)}
    with tempfile.TemporaryDirectory() as tmp:
        for method in args.methods.split(","):
            sections = cells[method].config(f"{tmp}/{method}")
            sections["train"] |= {"threads": args.threads, "precision": args.precision, "time_limit": 0}
            trainer = Trainer.start(with_cache(Config.from_dict(sections)), overwrite=True)
            for _ in range(2):  # warm-up: first-call allocations and kernel choice
                trainer.train_step()
            start = time.perf_counter()
            for _ in range(args.steps):
                trainer.train_step()
            seconds = (time.perf_counter() - start) / args.steps
            with profile(activities=[ProfilerActivity.CPU]) as prof:
                trainer.train_step()
            events = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
            total = sum(e.self_cpu_time_total for e in events)
            print(f"\n{method}: {seconds * 1000:.0f} ms per step (batch {trainer.config.train.batch_size})\n")
            print("| operator | share of the step |\n|---|---:|")
            for event in events[: args.rows]:
                print(f"| {event.key} | {100 * event.self_cpu_time_total / total:.1f}% |")
            if trainer.lock is not None:
                trainer.lock.release()


if __name__ == "__main__":
    main()
