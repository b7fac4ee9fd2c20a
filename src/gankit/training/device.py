"""Which device a run uses: `auto` picks CUDA when present; asking for CUDA without one is a clear error."""

from __future__ import annotations

import torch

from gankit.errors import ConfigError


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"train.device is {name!r} but this machine has no CUDA device; use cpu or auto")
    return torch.device(name)
