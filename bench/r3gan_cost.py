"""Where a modern-recipe step on the r3gan nets spends its time on a CPU, against the DCGAN pair.

Prints three tables: seconds per `--recipe modern` step on Fashion-MNIST for each net family; the step's time
by operator (torch.profiler, the r3gan nets); and each convolution kind of an r3gan block at its sizes, timed
as R1/R2 use it (forward, input gradient with create_graph, then backward through both) and divided by its
multiply-adds, so a kind that moves much memory for little arithmetic shows as few multiply-adds per ns.
One thread by default, as one core of a 2-core machine; run with nothing else on the CPU:
`.venv/bin/python bench/r3gan_cost.py [--threads 1] [--steps 5]` (about 2 min).
"""

from __future__ import annotations

import argparse
import tempfile
import time

import torch
from torch import nn
from torch.profiler import ProfilerActivity, profile

from gankit.config import Config
from gankit.environment import with_cache
from gankit.training.trainer import Trainer

BATCH = 64


def step_seconds(net: str, steps: int, folder: str) -> tuple[float, Trainer]:
    config = Config.from_dict({"data": {"name": "fashion-mnist"}, "model": {"recipe": "modern", "net": net},
                               "train": {"steps": 1000, "out": f"{folder}/{net}",
                                         "threads": torch.get_num_threads()}})  # a fixed count for the profile
    trainer = Trainer.start(with_cache(config), overwrite=True)
    for _ in range(2):  # warm-up: the first steps allocate and pick kernels
        trainer.train_step()
    start = time.perf_counter()
    for _ in range(steps):
        trainer.train_step()
    return (time.perf_counter() - start) / steps, trainer


def operator_table(trainer: Trainer, rows: int = 8) -> None:
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(2):
            trainer.train_step()
    events = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    total = sum(e.self_cpu_time_total for e in events)
    print("\n| operator (r3gan nets) | share of the step |\n|---|---:|")
    for event in events[:rows]:
        print(f"| {event.key} | {100 * event.self_cpu_time_total / total:.1f}% |")
    double = sum(e.cpu_time_total for e in events if e.key == "aten::_convolution_double_backward")
    print(f"| (within these: convolution double backward, R1/R2's second derivative) | {100 * double / total:.1f}% |")


def penalty_pass_ms(conv: nn.Conv2d, size: int, repeats: int = 5) -> float:
    """One conv as a gradient penalty uses it: forward, d(out)/d(in) with create_graph, backward of both."""
    x = torch.randn(BATCH, conv.in_channels, size, size, requires_grad=True)

    def once() -> None:
        y = conv(x)
        (grad,) = torch.autograd.grad(y.square().sum(), x, create_graph=True)
        (grad.square().sum() + y.sum()).backward()

    once()
    start = time.perf_counter()
    for _ in range(repeats):
        once()
    return (time.perf_counter() - start) / repeats * 1000


def convolution_table() -> None:
    print("\n| conv kind | size | channels | ms per penalty pass | multiply-adds per ns |\n|---|---:|---:|---:|---:|")
    for channels, size in ((64, 28), (128, 14), (256, 7)):  # the r3gan D's block widths (width 32) at 28x28
        kinds = {
            "1x1 expand": nn.Conv2d(channels // 2, channels, 1, bias=False),
            "grouped 3x3 (16 per group)": nn.Conv2d(channels, channels, 3, padding=1, groups=channels // 16,
                                                    bias=False),
            "dense 3x3 (for scale)": nn.Conv2d(channels, channels, 3, padding=1, bias=False),
        }
        for kind, conv in kinds.items():
            macs = BATCH * size * size * conv.weight.numel()  # per output pixel: the whole (grouped) kernel
            ms = penalty_pass_ms(conv, size)
            print(f"| {kind} | {size} | {channels} | {ms:.1f} | {macs / (ms * 1e6):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as folder:
        print(f"| nets (--recipe modern, batch {BATCH}, {args.threads} thread(s), fp32) | s per step |\n|---|---:|")
        trainer = None
        for net in ("dcgan", "r3gan"):
            seconds, trainer = step_seconds(net, args.steps, folder)
            print(f"| {net} | {seconds:.3f} |")
        assert trainer is not None
        operator_table(trainer)
    convolution_table()


if __name__ == "__main__":
    main()
