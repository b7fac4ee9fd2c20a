"""The one place that reads the process environment; the entry points (`gankit.cli`, `gankit.api`) call it
and pass what it finds down as arguments, so the library below never reads variables itself."""

from __future__ import annotations

import os
from dataclasses import replace

from gankit.config import Config, DataConfig
from gankit.world import ONE_PROCESS, World

CACHE_VARIABLE = "GANKIT_CACHE"


def cache_root() -> str | None:
    """$GANKIT_CACHE, where downloads and feature caches go; None: the library's default (~/.cache/gankit)."""
    return os.environ.get(CACHE_VARIABLE) or None


def with_cache(config: Config) -> Config:
    """The config with data.root set from $GANKIT_CACHE when the user left it unset."""
    root = cache_root()
    if config.data.root is not None or root is None:
        return config
    return replace(config, data=replace(config.data, root=root))


def data_config(name: str = "ring8", root: str | None = None, **fields: object) -> DataConfig:
    """A DataConfig for a command that names a dataset; the cache from `root`, else $GANKIT_CACHE."""
    return DataConfig(name=name, root=root or cache_root(), **fields)  # type: ignore[arg-type]


def world() -> World:
    """This process's place in a data-parallel run, from what torchrun sets (RANK, WORLD_SIZE, LOCAL_RANK,
    MASTER_ADDR, MASTER_PORT); one process when they are absent."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size == 1:
        return ONE_PROCESS
    return World(rank=int(os.environ["RANK"]), size=size, local_rank=int(os.environ.get("LOCAL_RANK", "0")),
                 master_addr=os.environ.get("MASTER_ADDR", "127.0.0.1"),
                 master_port=int(os.environ.get("MASTER_PORT", "29500")))


def launch_environment(threads_per_process: int) -> dict[str, str]:
    """The environment for the processes `gankit train --nproc` starts: this one's, with each process's
    CPU threads set to its share of the cores unless the user chose (OMP_NUM_THREADS)."""
    return {"OMP_NUM_THREADS": str(max(threads_per_process, 1))} | dict(os.environ)
