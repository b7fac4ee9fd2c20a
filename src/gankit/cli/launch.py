"""`--nproc N`: start this same command as N data-parallel processes on this machine, through torchrun."""

from __future__ import annotations

import os
import subprocess
import sys

from gankit import environment
from gankit.errors import ConfigError


def available_devices(device: str) -> tuple[int, str]:
    """How many processes this machine can give a device each: its GPUs for a CUDA run, else its CPU cores."""
    import torch

    if device.startswith("cuda") or (device == "auto" and torch.cuda.is_available()):
        return torch.cuda.device_count(), "GPUs"
    return len(os.sched_getaffinity(0)), "CPU cores"


def check_nproc(nproc: int, device: str, batch_size: int | None) -> None:
    """One line for an --nproc this machine or this batch cannot take; nothing is started or written."""
    if nproc < 1:
        raise ConfigError(f"--nproc must be at least 1, got {nproc}")
    if environment.world().size > 1:
        raise ConfigError("--nproc starts torchrun itself; under torchrun, leave it out")
    count, what = available_devices(device)
    if nproc > count:
        raise ConfigError(f"--nproc {nproc} is more processes than this machine has {what} ({count})")
    if batch_size is not None and batch_size % nproc:
        raise ConfigError(f"train.batch_size {batch_size} does not split evenly over --nproc {nproc} processes")


def without_nproc(args: list[str]) -> list[str]:
    """The command line with its --nproc option (either spelling) removed."""
    kept, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--nproc":
            skip = True
        elif not arg.startswith("--nproc="):
            kept.append(arg)
    return kept


def relaunch(nproc: int, device: str, extra: list[str]) -> int:
    """Run `gankit <this command> <extra>` under torchrun with `nproc` processes; their exit status."""
    _, what = available_devices(device)
    threads = len(os.sched_getaffinity(0)) // nproc if what == "CPU cores" else 1
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={nproc}",
               "-m", "gankit", *without_nproc(sys.argv[1:]), *extra]
    return subprocess.call(command, env=environment.launch_environment(threads))


__all__ = ["check_nproc", "relaunch", "without_nproc"]
