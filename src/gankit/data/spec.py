"""The shape of a dataset without its contents: enough to rebuild networks when sampling a saved run."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import torch
from torch import Tensor

from gankit.data.dataset import Dataset


@dataclass(frozen=True)
class DataSpec:
    """What a model needs to know about its data: kind, sample shape, classes, and toy modes."""

    name: str
    kind: Literal["image", "points"]
    sample_shape: tuple[int, ...]  # images: (C, H, W); points: (2,)
    class_names: tuple[str, ...] = ()
    modes: tuple[tuple[float, ...], ...] = ()  # toy 2D mode centres
    mode_std: float | None = None

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def modes_tensor(self) -> Tensor:
        return torch.tensor(self.modes, dtype=torch.float32)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> DataSpec:
        return cls(
            name=values["name"], kind=values["kind"], sample_shape=tuple(values["sample_shape"]),
            class_names=tuple(values.get("class_names") or ()),
            modes=tuple(tuple(m) for m in values.get("modes") or ()), mode_std=values.get("mode_std"),
        )

    @classmethod
    def of(cls, dataset: Dataset) -> DataSpec:
        modes = () if dataset.modes is None else tuple(tuple(m) for m in dataset.modes.tolist())
        return cls(
            name=dataset.name, kind=dataset.kind, sample_shape=dataset.sample_shape,
            class_names=tuple(dataset.class_names or ()), modes=modes, mode_std=dataset.mode_std,
        )
