"""Stacked MNIST, the 1 000-mode benchmark (VEEGAN, PacGAN): three independent digits as R, G and B.

A mode is the triple of digits, so there are 10³ of them, equally likely. Built deterministically from
a digit dataset's split: `stacked-mnist` from full MNIST, `stacked-mnist-5k` from the subset that works
offline. Mode counting classifies each channel with the base dataset's feature classifier.
"""

from __future__ import annotations

from functools import partial

import torch

from gankit.config import DataConfig
from gankit.data.dataset import Dataset
from gankit.data.loading import fetch_dataset, load_dataset

# Sizes as in the literature: PacGAN evaluates 26 000 samples; 60 000 for training like MNIST's train split.
STACKED_SIZES = {"train": 60_000, "test": 26_000}
STACKED_CLASSES = [f"{k:03d}" for k in range(1000)]


def stack_digits(digits: Dataset, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n images whose channels are independent uniform draws from `digits`; labels 100·d_R + 10·d_G + d_B."""
    assert digits.labels is not None and digits.data.shape[1] == 1
    picks = torch.randint(len(digits), (3, n), generator=torch.Generator().manual_seed(seed))
    images = torch.cat([digits.data[p] for p in picks], dim=1)  # [n, 3, H, W]
    labels = (digits.labels[picks] * torch.tensor([[100], [10], [1]])).sum(0)
    return images.contiguous(), labels


def load_stacked(base: str, config: DataConfig) -> Dataset:
    digits = load_dataset(DataConfig(name=base, split=config.split, root=config.root))
    n = STACKED_SIZES[config.split]
    images, labels = stack_digits(digits, n, seed=0 if config.split == "train" else 1)
    return Dataset(
        name=f"stacked-{base}", kind="image", data=images, labels=labels, class_names=STACKED_CLASSES,
        source=f"Stacked MNIST: {n} triples of {base} {config.split} digits ({digits.source})",
    )


def _fetch_base(base: str, config: DataConfig) -> str:
    return fetch_dataset(DataConfig(name=base, root=config.root))


load_stacked_mnist = partial(load_stacked, "mnist")
fetch_stacked_mnist = partial(_fetch_base, "mnist")
load_stacked_mnist_5k = partial(load_stacked, "mnist-5k")
