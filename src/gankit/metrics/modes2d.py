"""Mode coverage on 2D Gaussian mixtures, as in VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018).

Each sample is registered to its nearest mode centre. It is *high quality* when it lies within
3 standard deviations of that centre. A mode is *captured* when at least `min_fraction` of the
count a uniform spread would give it (N / K) are high-quality samples registered to it; PacGAN uses
20 of an expected 100 (0.2), so a handful of stray points does not count as covering a mode.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import Tensor

DEFAULT_SAMPLES = 2500  # the protocol's sample count


@dataclass(frozen=True)
class ModeStats:
    modes_captured: int
    num_modes: int
    high_quality: float  # fraction of samples within 3 std of their nearest mode
    kl_to_uniform: float  # KL(high-quality mode histogram || uniform over modes), nats
    num_samples: int
    spread: float = math.nan  # the samples' std over the modes' (both as the norm of the per-axis std): ~1 on the
    # data, near 0 when G has collapsed to a point, on a mode or off the data (which high_quality cannot tell)

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"modes captured {self.modes_captured}/{self.num_modes}, "
            f"high quality {100 * self.high_quality:.1f}%, KL to uniform {self.kl_to_uniform:.3f} "
            f"({self.num_samples} samples)"
        )

    def score(self) -> float:
        """One number to rank checkpoints: modes first, then quality."""
        return self.modes_captured + self.high_quality


def mode_stats(samples: Tensor, modes: Tensor, std: float, min_fraction: float = 0.2) -> ModeStats:
    """Coverage and quality of `samples` [N, 2] against `modes` [K, 2] of common `std`."""
    samples, modes = samples.float().cpu(), modes.float().cpu()
    n, k = samples.shape[0], modes.shape[0]
    distances = torch.cdist(samples, modes)  # [N, K]
    nearest_distance, nearest = distances.min(dim=1)
    good = nearest_distance <= 3 * std
    counts = torch.bincount(nearest[good], minlength=k).float()
    captured = int((counts >= min_fraction * n / k).sum())
    if counts.sum() > 0:
        p = counts / counts.sum()
        nonzero = p > 0
        kl = float((p[nonzero] * (p[nonzero] * k).log()).sum())
    else:
        kl = float("inf")
    spread = float(samples.std(dim=0).norm() / modes.std(dim=0, correction=0).norm()) if n > 1 and k > 1 else math.nan
    return ModeStats(captured, k, float(good.float().mean()), kl, n, spread)
