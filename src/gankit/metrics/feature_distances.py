"""Distances between two sets of features: FID, KID, precision/recall, density/coverage.

Pure tensor functions (features in, numbers out), so every extractor and every caller shares them;
feature extraction lives elsewhere. Features are [N, D] tensors; sums run in float64.
"""

from __future__ import annotations

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


def _pairwise_distances(a: Tensor, b: Tensor, chunk: int = 4096) -> Tensor:
    return torch.cat([torch.cdist(a[i : i + chunk], b) for i in range(0, a.shape[0], chunk)])  # [Na, Nb]


def knn_radii(features: Tensor, k: int) -> Tensor:
    """Distance from each point to its k-th nearest other point [N]: the radius of its k-NN ball."""
    if features.shape[0] <= k:
        raise ValueError(f"k-NN radii with k = {k} need more than {k} points, got {features.shape[0]}")
    distances = _pairwise_distances(features, features)
    return distances.kthvalue(k + 1, dim=1).values  # +1: each point is its own nearest, at distance 0


@dataclass(frozen=True)
class ManifoldScores:
    precision: float  # share of fakes inside the real manifold (Kynkäänniemi et al. 2019)
    recall: float  # share of reals inside the fake manifold
    density: float  # how many real k-NN balls hold each fake, over k (Naeem et al. 2020)
    coverage: float  # share of real balls that hold at least one fake


def manifold_scores(real: Tensor, fake: Tensor, k_pr: int = 3, k_dc: int = 5) -> ManifoldScores:
    """Improved precision/recall (k = 3) and density/coverage (k = 5) from k-NN balls around samples."""
    real, fake = real.float(), fake.float()
    real_to_fake = _pairwise_distances(real, fake)  # [Nr, Nf]
    inside_real_pr = real_to_fake <= knn_radii(real, k_pr)[:, None]
    inside_fake_pr = real_to_fake <= knn_radii(fake, k_pr)[None, :]
    inside_real_dc = real_to_fake <= knn_radii(real, k_dc)[:, None]
    return ManifoldScores(
        precision=float(inside_real_pr.any(dim=0).float().mean()),
        recall=float(inside_fake_pr.any(dim=1).float().mean()),
        density=float(inside_real_dc.sum(dim=0).float().mean() / k_dc),
        coverage=float(inside_real_dc.any(dim=1).float().mean()),
    )


__all__ = ["GaussianStats", "ManifoldScores", "frechet_distance", "kernel_inception_distance", "knn_radii",
           "manifold_scores"]
