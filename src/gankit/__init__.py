"""gankit: train, sample and evaluate generative models the way the "Introduction to GAN" lecture lays them out.

`import gankit` is cheap and changes nothing (no torch, no matplotlib backend): the API below loads on
first use, so `gankit --help` and a notebook's `import gankit` stay fast and side-effect free.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from gankit.version import __version__

if TYPE_CHECKING:
    from gankit.algorithms.base import score_grid
    from gankit.api import Run, load, resume, train
    from gankit.config import Config
    from gankit.data.loading import load_dataset
    from gankit.environment import data_config
    from gankit.errors import CheckpointError, GankitError
    from gankit.metrics.evaluate import ImageEvaluator, compare_features, evaluate_run
    from gankit.metrics.modes2d import mode_stats
    from gankit.objectives import build_objective
    from gankit.samplers.langevin import langevin
    from gankit.viz.pixel_argument import one_and_six_wrong, pixel_argument

_EXPORTS = {"Config": "gankit.config", "GankitError": "gankit.errors", "CheckpointError": "gankit.errors",
            "Run": "gankit.api", "load": "gankit.api", "resume": "gankit.api", "train": "gankit.api",
            # the lecture's pieces on their own, for the notebooks in examples/ and for experiments:
            "data_config": "gankit.environment", "load_dataset": "gankit.data.loading",  # data, cache from env
            "build_objective": "gankit.objectives",  # D's and G's losses from D's scores
            "langevin": "gankit.samplers.langevin", "score_grid": "gankit.algorithms.base",  # argmax_x D(x); D in 2D
            "mode_stats": "gankit.metrics.modes2d",  # 2D modes captured and % high quality
            "ImageEvaluator": "gankit.metrics.evaluate", "compare_features": "gankit.metrics.evaluate",
            "evaluate_run": "gankit.metrics.evaluate",  # FID, KID, precision/recall, density/coverage
            "one_and_six_wrong": "gankit.viz.pixel_argument", "pixel_argument": "gankit.viz.pixel_argument"}
__all__ = ["CheckpointError", "Config", "GankitError", "ImageEvaluator", "Run", "__version__", "build_objective",
           "compare_features", "data_config", "evaluate_run", "langevin", "load", "load_dataset", "mode_stats",
           "one_and_six_wrong", "pixel_argument", "resume", "score_grid", "train"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gankit' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value
