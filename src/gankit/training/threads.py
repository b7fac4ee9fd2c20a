"""How many CPU threads torch uses: measured on this run's own step, not assumed.

torch's intra-op pool takes every core by default; on a 2-core machine that also runs something else its
spinning threads can make a step many times slower than one thread would (README's first command: 72 s on one
thread, 24 min on two beside other work). `train.threads: auto` times a few real steps at each candidate count
within the CPU affinity mask, under the machine's load as it is now, and keeps the fastest.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

MIN_SECONDS = 0.25  # time each candidate for at least this long (and at least MIN_STEPS steps)
MIN_STEPS = 2
MAX_STEPS = 50
CLEARLY_FASTER = 1.05  # more threads must win by 5% to be kept: the fewer leave the machine's other work alone


@dataclass(frozen=True)
class ThreadChoice:
    threads: int
    measured: dict[int, float]  # candidate -> steps per second (empty when the count was given, not measured)
    how: str  # "measured", "set" (an integer in the config) or "environment" (OMP_NUM_THREADS)

    def describe(self, images_per_step: int) -> str:
        """One line for the start-up message: the choice, and what each candidate measured."""
        if not self.measured:
            return f"{self.threads} thread{'s' * (self.threads > 1)} ({self.how})"
        rates = ", ".join(f"{n}: {rate * images_per_step:,.0f} img/s" for n, rate in sorted(self.measured.items()))
        return f"{self.threads} thread{'s' * (self.threads > 1)} (measured {rates})"


def available_cores() -> int:
    """The cores this process may run on (its affinity mask), which a container or `taskset` may narrow."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def candidates(cores: int) -> list[int]:
    """1, 2, 4, … up to the cores available, and the cores themselves."""
    counts, n = [], 1
    while n < cores:
        counts.append(n)
        n *= 2
    return [*counts, cores]


def steps_per_second(step: Callable[[], object], min_seconds: float = MIN_SECONDS) -> float:
    """Steps per second of `step` after one warm-up step (kernel selection, caches)."""
    step()
    done, start = 0, time.perf_counter()
    while done < MIN_STEPS or (time.perf_counter() - start < min_seconds and done < MAX_STEPS):
        step()
        done += 1
    return done / (time.perf_counter() - start)


def measure_threads(step: Callable[[], object], counts: list[int], min_seconds: float = MIN_SECONDS) -> ThreadChoice:
    """Time `step` at each thread count and keep the fastest (fewer threads unless more are clearly faster);
    torch is left at the chosen count."""
    measured: dict[int, float] = {}
    for count in counts:
        torch.set_num_threads(count)
        measured[count] = steps_per_second(step, min_seconds)
    best = min(counts)
    for count in sorted(counts):
        if measured[count] > measured[best] * CLEARLY_FASTER:
            best = count
    torch.set_num_threads(best)
    return ThreadChoice(best, measured, "measured")


def fixed_threads(count: int, how: str) -> ThreadChoice:
    torch.set_num_threads(count)
    return ThreadChoice(count, {}, how)


__all__ = ["ThreadChoice", "available_cores", "candidates", "fixed_threads", "measure_threads"]
