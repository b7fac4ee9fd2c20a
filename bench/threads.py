"""Threads: `train.threads=auto` against each fixed count, on an idle machine and beside one busy process.

Each row is one `gankit train` in a fresh process (wall and CPU seconds, the CPU of the process and its
children). The workloads are the README's first command (ring8) and a 300-step DCGAN on Fashion-MNIST; the
busy process is one single-threaded torch matrix-multiply loop, as a user's other work would be. Run on an
otherwise idle machine:

    python bench/threads.py [--ring8-steps 3000] [--dcgan-steps 300]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

BUSY = ("import torch\ntorch.set_num_threads(1)\na = torch.randn(512, 512)\n"
        "while True:\n    a = (a @ a).tanh()\n")


def train(args: list[str], threads: str, out: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, auto's choice) of one training run in its own process."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}  # auto must see no override
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "gankit", "train", *args, "--out", str(out), "--no-progress",
                           "--set", f"train.threads={threads}"], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"gankit train failed: {done.stderr.strip().splitlines()[-1]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, str(yaml.safe_load((out / "config.yaml").read_text())["train"]["threads"])  # what ran


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ring8-steps", type=int, default=3000)
    parser.add_argument("--dcgan-steps", type=int, default=300)
    options = parser.parse_args()
    workloads = {
        f"ring8, {options.ring8_steps} steps": ["--data", "ring8", "--steps", str(options.ring8_steps)],
        f"DCGAN Fashion-MNIST, {options.dcgan_steps} steps": ["--data", "fashion-mnist", "--net", "dcgan", "--steps",
                                                              str(options.dcgan_steps)],
    }
    cores = len(os.sched_getaffinity(0))
    settings = ["auto", *[str(n) for n in range(1, cores + 1)]]
    print(f"{'workload':34s} {'load':9s} {'threads':8s} {'chose':6s} {'wall s':>8s} {'CPU s':>8s}")
    verdicts = []
    with tempfile.TemporaryDirectory() as tmp:
        for load in ("idle", "busy"):
            busy = subprocess.Popen([sys.executable, "-c", BUSY]) if load == "busy" else None
            try:
                for index, (name, args) in enumerate(workloads.items()):
                    walls = {}
                    for setting in settings:
                        wall, cpu, chose = train(args, setting, Path(tmp) / f"{load}-{index}-{setting}")
                        walls[setting] = wall
                        print(f"{name:34s} {load:9s} {setting:8s} {chose:6s} {wall:8.1f} {cpu:8.1f}", flush=True)
                    best = min(v for k, v in walls.items() if k != "auto")
                    verdicts.append((name, load, walls["auto"] / best))
            finally:
                if busy is not None:
                    busy.kill()
    print()
    for name, load, ratio in verdicts:
        verdict = "within" if ratio <= 1.1 else "over"
        print(f"{name}, {load}: auto takes {ratio:.2f}x the best fixed count ({verdict} 10%)")


if __name__ == "__main__":
    main()
