"""Loading datasets by name (toy 2D distributions, image sets, `folder:PATH`) as whole tensors, checked."""

from __future__ import annotations

import torch

from gankit.config import DataConfig
from gankit.data.catalog import FOLDER_PREFIX, POINTS_PREFIX, dataset_spec
from gankit.data.dataset import Dataset
from gankit.data.images import adapt_images, load_folder
from gankit.data.toy2d import load_points_file
from gankit.errors import DataError

__all__ = ["fetch_dataset", "load_dataset"]

SPLITS = ("train", "test")


def load_dataset(config: DataConfig) -> Dataset:
    """Load `config.name` (or `folder:PATH`, `points:FILE.csv`) for `config.split` at `config.image_size` and
    `.channels`."""
    if config.split not in SPLITS:
        raise DataError(f"data.split must be one of {', '.join(SPLITS)}, got {config.split!r}")
    if config.name.startswith(FOLDER_PREFIX):
        path = config.name[len(FOLDER_PREFIX):]
        if not path:
            raise DataError("folder: needs a path, e.g. folder:~/pictures/faces")
        dataset = load_folder(path, config)
    elif config.name.startswith(POINTS_PREFIX):
        dataset = load_points_file(config.name[len(POINTS_PREFIX):], config)
    else:
        dataset = dataset_spec(config.name).load(config)
    if dataset.kind == "image":
        dataset.data = adapt_images(dataset.data, config.image_size, config.channels)
    _check(dataset)
    return dataset


def fetch_dataset(config: DataConfig) -> str:
    """Make `config.name` available offline; returns one paragraph saying what was done."""
    if config.name.startswith((FOLDER_PREFIX, POINTS_PREFIX)):
        return f"{config.name} reads local files; nothing to fetch"
    spec = dataset_spec(config.name)
    if spec.fetch is None:
        return f"{config.name}: {spec.summary}; nothing to fetch"
    return spec.fetch(config)


def _check(dataset: Dataset) -> None:
    """The Dataset contract: catches a loader that returns the wrong dtype or shape before training does."""
    x, name = dataset.data, dataset.name
    if dataset.kind == "image" and (x.dtype != torch.uint8 or x.ndim != 4 or x.shape[1] not in (1, 3)):
        raise DataError(f"{name}: images must be uint8 [N, 1|3, H, W], got {x.dtype} {list(x.shape)}")
    if dataset.kind == "points" and (x.dtype != torch.float32 or x.ndim != 2 or x.shape[1] != 2):
        raise DataError(f"{name}: points must be float32 [N, 2], got {x.dtype} {list(x.shape)}")
    if len(dataset) == 0:
        raise DataError(f"{name} is empty")
    if dataset.labels is not None and dataset.labels.shape != (len(dataset),):
        raise DataError(f"{name}: {len(dataset)} examples but labels of shape {list(dataset.labels.shape)}")
