"""The one place that reads the process environment; the entry points (`gankit.cli`, `gankit.api`) call it
and pass what it finds down as arguments, so the library below never reads variables itself."""

from __future__ import annotations

import os
from dataclasses import replace

from gankit.config import Config, DataConfig

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
