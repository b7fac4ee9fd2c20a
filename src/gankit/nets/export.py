"""A sampling network as an ONNX file: a network that turns noise (and labels) into samples in one forward
pass, exported with torch's exporter (`torch.onnx.export(dynamo=True)`) with the batch size left free.

What the inputs are and how to read the output goes into a JSON sidecar written by the caller
(`gankit.api.Run.export`); this module knows only tensors.
"""

from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor, nn

from gankit.errors import GankitError

OPSET = 18


@dataclass(frozen=True)
class ExportInput:
    """One input of an exported network, per example: its name, shape after the batch, type and how to draw it."""

    name: str
    shape: tuple[int, ...]
    dtype: torch.dtype
    draw: str  # e.g. "standard normal", "class index 0..9"
    high: int = 0  # integer inputs: values in [0, high)
    weights: tuple[float, ...] | None = None  # integer inputs drawn by these probabilities (else any value alike)

    def example(self, n: int) -> Tensor:
        if self.dtype.is_floating_point:
            return torch.randn(n, *self.shape, generator=torch.Generator().manual_seed(0))
        return torch.arange(n) % max(self.high, 1)


def export_onnx(network: nn.Module, inputs: list[ExportInput], path: Path) -> None:
    """Write `network` (called with the inputs in order) to `path` as ONNX, the batch dimension dynamic; the
    file appears whole or not at all."""
    try:
        import onnxscript  # noqa: F401  (torch's exporter needs it)
    except ImportError:
        raise GankitError("exporting to ONNX needs the onnx extra: pip install 'gankit[onnx]'") from None
    network = network.eval().cpu().float()
    examples = tuple(spec.example(3) for spec in inputs)
    batch = torch.export.Dim("batch", min=1, max=1 << 20)
    names = [spec.name for spec in inputs]
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's progress notes and deprecations, not the user's business
        partial = Path(folder) / path.name
        torch.onnx.export(_Positional(network, names), examples, str(partial), input_names=names,
                          output_names=["sample"], opset_version=OPSET, dynamo=True, external_data=False,
                          dynamic_shapes=(tuple({0: batch} for _ in names),), verbose=False)  # the *tensors
        partial.replace(path)


class _Positional(nn.Module):
    """The network with named positional inputs, as the exporter's dynamic shapes address them."""

    def __init__(self, network: nn.Module, names: list[str]) -> None:
        super().__init__()
        self.network, self.names = network, names

    def forward(self, *tensors: Tensor) -> Tensor:
        return self.network(*tensors)


__all__ = ["OPSET", "ExportInput", "export_onnx"]
