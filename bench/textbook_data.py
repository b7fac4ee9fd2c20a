"""What the textbook loops of bench/ share: a shuffled loader of one tensor that starts over at each epoch."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.utils.data import DataLoader, TensorDataset


class EndlessBatches:
    """Batches of `data` as a DataLoader with shuffle and drop_last gives them, epoch after epoch, on `device`."""

    def __init__(self, data: Tensor, batch_size: int, device: torch.device | str) -> None:
        self.loader = DataLoader(TensorDataset(data), batch_size=batch_size, shuffle=True, drop_last=True)
        self.batches = iter(self.loader)
        self.device = device

    def next(self) -> Tensor:
        try:
            (batch,) = next(self.batches)
        except StopIteration:
            self.batches = iter(self.loader)
            (batch,) = next(self.batches)
        return batch.to(self.device)
