"""Numeric precision of the training step: fp32, or autocast to bf16 or fp16 (CUDA, with a gradient scaler).

The loop owns it: every phase's loss runs under `autocast()`, and `backward`/`step` go through here, so that
fp16's loss scaling, the unscaled gradients the health numbers read, and the skipped steps of an overflow are
one mechanism. Weights, optimizer state and checkpoints stay fp32 in every precision.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any, Literal

import torch
from torch import Tensor, nn

from gankit.errors import ConfigError

Concrete = Literal["fp32", "bf16", "fp16"]
DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}
AUTO_MARGIN = 1.2  # `auto` picks bf16 on a CPU only when it is clearly faster there


def check_precision(name: str, device: torch.device) -> None:
    """Refuse, before anything is written, a precision this device cannot train in."""
    if name == "fp16" and device.type != "cuda":
        raise ConfigError("train.precision fp16 needs CUDA (its gradient scaler); on the CPU use bf16 or fp32")
    if name == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ConfigError("train.precision bf16: this GPU has no bf16; use fp16 or fp32")


def choose_precision(name: str, device: torch.device) -> Concrete:
    """`auto`: bf16 on a GPU that has it (else fp16); on a CPU, bf16 only where a short measurement finds it at
    least 1.2x faster than fp32 (CPUs differ: AVX-512 BF16 or AMX make it fast, others slower than fp32)."""
    check_precision(name, device)
    if name != "auto":
        return name  # type: ignore[return-value]
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "bf16" if _cpu_bf16_speedup() >= AUTO_MARGIN else "fp32"


def _cpu_bf16_speedup() -> float:
    """fp32 time over bf16-autocast time of a small convolution's forward and backward, best of 3 each."""
    conv = nn.Conv2d(64, 128, 4, 2, 1)
    x = torch.randn(64, 64, 14, 14, generator=torch.Generator().manual_seed(0))
    seconds = {}
    for label, enabled in (("fp32", False), ("bf16", True)):
        best = float("inf")
        for _ in range(4):  # the first is a warm-up (kernel selection)
            start = time.perf_counter()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=enabled):
                conv(x).float().sum().backward()
            best = min(best, time.perf_counter() - start)
        seconds[label] = best
    return seconds["fp32"] / seconds["bf16"]


class Precision:
    def __init__(self, name: Concrete, device: torch.device) -> None:
        self.name, self.device = name, device
        self.scaler = torch.amp.GradScaler("cuda") if name == "fp16" else None

    @contextlib.contextmanager
    def autocast(self) -> Iterator[None]:
        if self.name == "fp32":
            yield
            return
        with torch.autocast(self.device.type, dtype=DTYPES[self.name]):
            yield

    def backward(self, loss: Tensor) -> None:
        (self.scaler.scale(loss) if self.scaler is not None else loss).backward()

    def unscale(self, optimizer: torch.optim.Optimizer) -> None:
        """Gradients in their true units before anything reads them (the per-layer health norms)."""
        if self.scaler is not None:
            self.scaler.unscale_(optimizer)

    def step(self, optimizer: torch.optim.Optimizer) -> None:
        if self.scaler is None:
            optimizer.step()
            return
        self.scaler.step(optimizer)  # skipped when the scaled gradients overflowed
        self.scaler.update()

    def state_dict(self) -> dict[str, Any]:
        """fp16's loss scale and its growth counters, for an exact resume (nothing for fp32 and bf16)."""
        return {} if self.scaler is None else dict(self.scaler.state_dict())

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if self.scaler is not None and state:
            self.scaler.load_state_dict(state)


__all__ = ["Precision", "check_precision", "choose_precision"]
