"""gankit: train, sample and evaluate generative models the way the "Introduction to GAN" lecture lays them out.

`import gankit` is cheap and changes nothing (no torch, no matplotlib backend): the API below loads on
first use, so `gankit --help` and a notebook's `import gankit` stay fast and side-effect free.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from gankit.version import __version__

if TYPE_CHECKING:
    from gankit.api import Run, load, resume, train
    from gankit.config import Config
    from gankit.errors import CheckpointError, GankitError

_EXPORTS = {"Config": "gankit.config", "GankitError": "gankit.errors", "CheckpointError": "gankit.errors",
            "Run": "gankit.api", "load": "gankit.api", "resume": "gankit.api", "train": "gankit.api"}
__all__ = ["CheckpointError", "Config", "GankitError", "Run", "__version__", "load", "resume", "train"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gankit' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value
