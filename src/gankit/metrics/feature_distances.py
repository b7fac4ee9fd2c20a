"""Distances between two sets of features: FID, KID, precision/recall, density/coverage.

Pure tensor functions (features in, numbers out), so every extractor and every caller shares them;
feature extraction lives elsewhere. Features are [N, D] tensors; sums run in float64.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class GaussianStats:
    """Mean [D] and covariance [D, D] of a feature set: all FID needs, and what gets cached."""

    mean: Tensor
    cov: Tensor
    count: int

    @classmethod
    def of(cls, features: Tensor) -> GaussianStats:
        x = features.double()
        if x.dim() != 2 or x.shape[0] < 2:
            raise ValueError(f"features must be [N >= 2, D], got {tuple(features.shape)}")
        return cls(x.mean(0), torch.cov(x.T).reshape(x.shape[1], x.shape[1]), x.shape[0])


def _psd_sqrt(matrix: Tensor) -> Tensor:
    """Square root of a symmetric positive semi-definite matrix, by eigendecomposition (tiny negatives -> 0)."""
    values, vectors = torch.linalg.eigh(matrix)
    return (vectors * values.clamp(min=0).sqrt()) @ vectors.T


def frechet_distance(a: GaussianStats, b: GaussianStats) -> float:
    """‖μa − μb‖² + tr(Σa + Σb − 2(Σa Σb)^½) (Heusel et al. 2017).

    tr((Σa Σb)^½) is computed as the sum of the square roots of the eigenvalues of Σa^½ Σb Σa^½,
    which is symmetric PSD: no complex parts to discard, unlike scipy.linalg.sqrtm on Σa Σb.
    """
    root_a = _psd_sqrt(a.cov)
    middle = root_a @ b.cov @ root_a
    trace_root = torch.linalg.eigvalsh((middle + middle.T) / 2).clamp(min=0).sqrt().sum()
    distance = (a.mean - b.mean).pow(2).sum() + a.cov.trace() + b.cov.trace() - 2 * trace_root
    return float(distance.clamp(min=0))


def kernel_inception_distance(
    real: Tensor, fake: Tensor, subsets: int = 100, subset_size: int = 1000, generator: torch.Generator | None = None
) -> tuple[float, float]:
    """KID (Bińkowski et al. 2018): unbiased MMD² with k(x, y) = (x·y / D + 1)³, mean and std over subsets."""
    real, fake = real.double(), fake.double()
    size = min(subset_size, real.shape[0], fake.shape[0])
    if size < 2:
        raise ValueError("KID needs at least 2 samples in each set")
    dim = real.shape[1]
    estimates = []
    for _ in range(subsets):
        x = real[torch.randperm(real.shape[0], generator=generator)[:size]]
        y = fake[torch.randperm(fake.shape[0], generator=generator)[:size]]
        k_xx, k_yy, k_xy = ((x @ x.T / dim + 1) ** 3, (y @ y.T / dim + 1) ** 3, (x @ y.T / dim + 1) ** 3)
        off_diagonal = size * (size - 1)
        mmd = ((k_xx.sum() - k_xx.trace()) + (k_yy.sum() - k_yy.trace())) / off_diagonal - 2 * k_xy.mean()
        estimates.append(mmd)
    values = torch.stack(estimates)
    return float(values.mean()), float(values.std()) if subsets > 1 else 0.0


ROWS_PER_CHUNK = 2048  # distance rows held at once: 2 048 x 26 000 floats is 213 MB, never the whole N x N


def _distance_chunks(a: Tensor, b: Tensor) -> Iterator[tuple[slice, Tensor]]:
    """(rows, distances from a[rows] to every b), a chunk of rows at a time."""
    for start in range(0, a.shape[0], ROWS_PER_CHUNK):
        rows = slice(start, start + ROWS_PER_CHUNK)
        yield rows, torch.cdist(a[rows], b)


def knn_radii(features: Tensor, *ks: int) -> Tensor:
    """Distance from each point to its k-th nearest other point [N] (or [len(ks), N] for several k, from one
    pass over the distances): the radius of its k-NN ball."""
    if features.shape[0] <= max(ks):
        raise ValueError(f"k-NN radii with k = {max(ks)} need more than {max(ks)} points, got {features.shape[0]}")
    # index k of the sorted row: each point is its own nearest, at distance 0
    nearest = [d.topk(max(ks) + 1, dim=1, largest=False).values for _, d in _distance_chunks(features, features)]
    radii = torch.cat(nearest)[:, list(ks)].T
    return radii[0] if len(ks) == 1 else radii


@dataclass(frozen=True)
class ManifoldScores:
    precision: float  # share of fakes inside the real manifold (Kynkäänniemi et al. 2019)
    recall: float  # share of reals inside the fake manifold
    density: float  # how many real k-NN balls hold each fake, over k (Naeem et al. 2020)
    coverage: float  # share of real balls that hold at least one fake


def manifold_scores(real: Tensor, fake: Tensor, k_pr: int = 3, k_dc: int = 5) -> ManifoldScores:
    """Improved precision/recall (k = 3) and density/coverage (k = 5) from k-NN balls around samples."""
    real, fake = real.float(), fake.float()
    (real_pr, real_dc), fake_pr = knn_radii(real, k_pr, k_dc), knn_radii(fake, k_pr)
    fake_in_real_pr = torch.zeros(fake.shape[0], dtype=torch.bool)  # precision: inside some real ball
    real_balls_per_fake = torch.zeros(fake.shape[0])  # density
    real_in_fake_pr, real_ball_hit = [], []  # recall; coverage
    for rows, real_to_fake in _distance_chunks(real, fake):  # [chunk of reals, Nf]
        inside_real_pr = real_to_fake <= real_pr[rows, None]
        inside_real_dc = real_to_fake <= real_dc[rows, None]
        fake_in_real_pr |= inside_real_pr.any(dim=0)
        real_balls_per_fake += inside_real_dc.sum(dim=0)
        real_in_fake_pr.append((real_to_fake <= fake_pr[None, :]).any(dim=1))
        real_ball_hit.append(inside_real_dc.any(dim=1))
    return ManifoldScores(
        precision=float(fake_in_real_pr.float().mean()),
        recall=float(torch.cat(real_in_fake_pr).float().mean()),
        density=float(real_balls_per_fake.mean() / k_dc),
        coverage=float(torch.cat(real_ball_hit).float().mean()),
    )

def shown(key: str, value: float, inception: bool) -> tuple[str, float]:
    """A metric as a line or a table shows it: its name with its unit, and its value in that unit. KID in Inception
    features is read ×10³, as its papers report it (raw values ~1e-4 to 0.1); in gankit's classifier features
    it is on those features' own, larger scale and is shown as it is."""
    if key == "kid" and inception:
        return "kid×10³", value * 1000.0
    return key, value


__all__ = ["GaussianStats", "ManifoldScores", "frechet_distance", "kernel_inception_distance",
           "knn_radii", "manifold_scores", "shown"]
