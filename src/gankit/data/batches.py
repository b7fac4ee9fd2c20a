"""Shuffled mini-batches straight from the on-device tensors, addressed by a global batch index.

The shuffle of epoch e is a pure function of (seed, e), so the only state a resume needs is the
number of batches drawn so far: no sampler or iterator to pickle, no per-step image decoding. In a
data-parallel run each of `size` processes takes its own slice of every global batch of the same shuffle,
so a run resumes on any number of processes where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from gankit.data.dataset import Dataset, to_model_range
from gankit.errors import ConfigError


@dataclass
class Batch:
    x: Tensor  # [B, ...] in model range ([-1, 1] for images)
    labels: Tensor | None = None  # [B] int64


class Batches:
    def __init__(self, dataset: Dataset, batch_size: int, seed: int, rank: int = 0, size: int = 1) -> None:
        if batch_size > len(dataset):
            raise ConfigError(f"train.batch_size {batch_size} is larger than the dataset ({len(dataset)} examples)")
        if batch_size % size:
            raise ConfigError(f"train.batch_size {batch_size} does not split evenly over {size} processes")
        self.dataset = dataset
        self.batch_size = batch_size  # the global batch: all processes together
        self.seed = seed
        self.local = slice(rank * batch_size // size, (rank + 1) * batch_size // size)  # this process's share
        self.per_epoch = len(dataset) // batch_size  # the last partial batch of an epoch is dropped
        self._epoch = -1
        self._order = torch.empty(0, dtype=torch.long)

    def order(self, epoch: int) -> torch.Tensor:
        """The permutation used in `epoch`, identical every time it is asked for."""
        if epoch != self._epoch:
            rng = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            self._order = torch.randperm(len(self.dataset), generator=rng).to(self.dataset.data.device)
            self._epoch = epoch
        return self._order

    def get(self, index: int) -> Batch:
        """This process's share of batch number `index` counted from the start of training."""
        epoch, position = divmod(index, self.per_epoch)
        rows = self.order(epoch)[position * self.batch_size : (position + 1) * self.batch_size][self.local]
        labels = None if self.dataset.labels is None else self.dataset.labels[rows]
        return Batch(to_model_range(self.dataset.data[rows]), labels)
