"""The one place that reads the process environment; the entry points (`gankit.cli`, `gankit.api`) call it
and pass what it finds down as arguments, so the library below never reads variables itself."""

from __future__ import annotations

import os
import sys
from dataclasses import replace

from gankit.config import Config, DataConfig
from gankit.errors import GankitError
from gankit.world import ONE_PROCESS, World

CACHE_VARIABLE = "GANKIT_CACHE"
DEBUG_VARIABLE = "GANKIT_DEBUG"  # set: an unexpected failure shows its traceback instead of one line


def debug() -> bool:
    """Whether $GANKIT_DEBUG asks for tracebacks."""
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def cache_root() -> str | None:
    """$GANKIT_CACHE, where downloads and feature caches go; None: the library's default (~/.cache/gankit)."""
    return os.environ.get(CACHE_VARIABLE) or None


def with_cache(config: Config) -> Config:
    """The config with data.root set from $GANKIT_CACHE when the user left it unset."""
    root = cache_root()
    if config.data.root is not None or root is None:
        return config
    return replace(config, data=replace(config.data, root=root))


def omp_threads() -> int | None:
    """$OMP_NUM_THREADS as a thread count, None when unset or not a positive whole number."""
    value = os.environ.get("OMP_NUM_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def with_threads(config: Config) -> Config:
    """The config with train.threads from $OMP_NUM_THREADS when it is set and the config says `auto`."""
    threads = omp_threads()
    if threads is None or config.train.threads != "auto":
        return config
    return replace(config, train=replace(config.train, threads=threads))


def from_environment(config: Config) -> Config:
    """What the environment adds to a config an entry point was given: the cache folder and the threads."""
    return with_threads(with_cache(config))


def data_config(name: str = "ring8", root: str | None = None, **fields: object) -> DataConfig:
    """A DataConfig for a command that names a dataset; the cache from `root`, else $GANKIT_CACHE."""
    return DataConfig(name=name, root=root or cache_root(), **fields)  # type: ignore[arg-type]


def world() -> World:
    """This process's place in a data-parallel run, from what torchrun sets (RANK, WORLD_SIZE, LOCAL_RANK,
    MASTER_ADDR, MASTER_PORT); one process when they are absent."""
    size = _whole("WORLD_SIZE", "1", 1)
    if size == 1:
        return ONE_PROCESS
    rank = _whole("RANK", None, 0)
    if rank >= size:
        raise GankitError(f"RANK {rank} is not below WORLD_SIZE {size} in the environment")
    return World(rank=rank, size=size, local_rank=_whole("LOCAL_RANK", "0", 0),
                 master_addr=os.environ.get("MASTER_ADDR", "127.0.0.1"),
                 master_port=_whole("MASTER_PORT", "29500", 1))


def _whole(name: str, default: str | None, least: int) -> int:
    """A whole-number environment variable (torchrun's), or one line saying which is malformed."""
    text = os.environ.get(name, default)
    if text is None:
        raise GankitError(f"{name} is not set in the environment, but WORLD_SIZE is (torchrun sets both)")
    if not text.strip().isdigit() or int(text) < least:
        raise GankitError(f"{name} in the environment must be a whole number of at least {least}, got {text!r}")
    return int(text)


LOOPBACK_INTERFACE = "lo0" if sys.platform == "darwin" else "lo"


def prepare_launch(threads_per_process: int) -> None:
    """Set this process's environment for the processes `gankit train --nproc` starts (they inherit it): each
    one's CPU threads its share of the cores unless the user chose (OMP_NUM_THREADS), and gloo's connections
    between them on the loopback interface (the job never leaves this machine) unless GLOO_SOCKET_IFNAME says."""
    os.environ.setdefault("OMP_NUM_THREADS", str(max(threads_per_process, 1)))
    os.environ.setdefault("GLOO_SOCKET_IFNAME", LOOPBACK_INTERFACE)
