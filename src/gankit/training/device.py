"""Which device a run uses: `auto` picks CUDA when present; asking for CUDA without one is a clear error."""

from __future__ import annotations

import torch

from gankit.errors import ConfigError


def resolve_device(name: str, local_rank: int = 0) -> torch.device:
    """The device named by train.device; a data-parallel process given `auto` or `cuda` takes the GPU of its
    local rank (torchrun's LOCAL_RANK), as each process needs its own."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"train.device is {name!r} but this machine has no CUDA device; use cpu or auto")
    if name == "cuda" and local_rank:
        return torch.device("cuda", local_rank)
    return torch.device(name)
