"""`--nproc N`: start this same command as N data-parallel processes on this machine, through torchrun."""

from __future__ import annotations

import os
import sys
import uuid
from typing import Any

from gankit import environment
from gankit.cli.common import INTERRUPTED_EXIT
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


LOOPBACK_RENDEZVOUS = "gankit-loopback"


def relaunch(nproc: int, device: str, extra: list[str]) -> int:
    """Run `gankit <this command> <extra>` as `nproc` processes under torchrun's agent, in this process; the
    exit status (130 when stopped by Ctrl-C). Everything listens on 127.0.0.1 only: the rendezvous store
    (a loopback rendezvous, registered with torchrun's handler registry) and gloo (GLOO_SOCKET_IFNAME); it
    writes nothing outside the run folder (torchrun's own log folder is /dev/null)."""
    import logging
    import signal

    from torch.distributed import run as torchrun
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.elastic.rendezvous import rendezvous_handler_registry

    _, what = available_devices(device)
    threads = len(os.sched_getaffinity(0)) // nproc if what == "CPU cores" else 1
    environment.prepare_launch(threads)
    for name in list(logging.root.manager.loggerDict):  # each of torchrun's modules sets its logger's level
        if name.startswith("torch.distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)  # its failure report is replaced by one line below
    rendezvous_handler_registry.register(LOOPBACK_RENDEZVOUS, _loopback_rendezvous)  # again: a no-op
    args = torchrun.get_args_parser().parse_args([
        f"--rdzv-backend={LOOPBACK_RENDEZVOUS}", "--rdzv-endpoint=127.0.0.1:0", f"--rdzv-id={uuid.uuid4()}",
        "--nnodes=1", f"--nproc-per-node={nproc}", f"--log-dir={os.devnull}",  # no torchelastic_* folder in /tmp
        "-m", "gankit", *without_nproc(sys.argv[1:]), *extra])
    try:  # the workers run in sessions of their own: Ctrl-C reaches the agent, which passes it on once
        torchrun.run(args)
    except SignalException as stop:
        return 128 + int(stop.sigval)
    except ChildFailedError as failed:
        codes = {failure.exitcode for failure in failed.failures.values()}
        if codes <= {INTERRUPTED_EXIT, -signal.SIGINT}:
            return INTERRUPTED_EXIT
        rank, first = failed.get_first_failure()
        how = f"was killed by signal {-first.exitcode}" if first.exitcode < 0 else f"exited with {first.exitcode}"
        print(f"Error: process {rank} of {nproc} {how}; its message, if any, is above", file=sys.stderr)
        return 1
    return 0


def _loopback_rendezvous(params: Any) -> Any:
    """torchrun's static rendezvous for one machine, its store listening on 127.0.0.1 alone: torch's TCPStore
    binds every interface unless handed a socket (pytorch/pytorch#173909), so it is handed one."""
    import datetime
    import socket

    from torch.distributed import TCPStore
    from torch.distributed.elastic.rendezvous.static_tcp_rendezvous import StaticTCPRendezvous

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    class LoopbackRendezvous(StaticTCPRendezvous):
        def get_backend(self) -> str:
            return LOOPBACK_RENDEZVOUS

    handler = LoopbackRendezvous("127.0.0.1", port, 0, 1, params.run_id, 600)
    handler._store = TCPStore("127.0.0.1", port, 1, True, datetime.timedelta(seconds=600), multi_tenant=True,
                              master_listen_fd=listener.detach())
    return handler


__all__ = ["check_nproc", "relaunch", "without_nproc"]
