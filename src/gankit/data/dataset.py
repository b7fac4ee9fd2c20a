"""What every dataset returns: whole tensors, small enough to live on the training device."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import torch
from torch import Tensor


@dataclass
class Dataset:
    """A whole dataset as tensors, small enough to live on the training device."""

    name: str
    kind: Literal["image", "points"]
    data: Tensor  # images: uint8 [N, C, H, W] in [0, 255]; points: float32 [N, 2]
    labels: Tensor | None = None  # int64 [N], or None when unlabelled
    class_names: list[str] | None = None
    modes: Tensor | None = None  # toy 2D: float32 [K, 2] mode centres
    mode_std: float | None = None  # toy 2D: std of each mode
    source: str = ""  # where it came from, for messages and metric cards

    def __len__(self) -> int:
        return self.data.shape[0]

    @property
    def num_classes(self) -> int:
        return len(self.class_names) if self.class_names else 0

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(self.data.shape[1:])

    def to(self, device: torch.device | str) -> Dataset:
        labels = None if self.labels is None else self.labels.to(device)
        return replace(self, data=self.data.to(device), labels=labels)


def to_model_range(x: Tensor) -> Tensor:
    """uint8 images in [0, 255] -> float in [-1, 1]; points pass through."""
    if x.dtype == torch.uint8:
        return x.float().div_(127.5).sub_(1.0)
    return x


def to_uint8(x: Tensor) -> Tensor:
    """Model-range images in [-1, 1] -> uint8 in [0, 255] (clamped)."""
    return ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
