"""An ex-post latent density: a Gaussian mixture fitted to an auto-encoder's training codes.

A deterministic auto-encoder has no prior to sample from, and a VAE's codes do not fill its prior; fitting
a density to the codes the encoder actually produces and sampling that is what made auto-encoders
competitive again (Ghosh et al. 2020, "From Variational to Deterministic Autoencoders", a 10-component
GMM; Dai & Wipf 2019 fit a second VAE instead). Fitted by EM with full covariances, seeded, in torch.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

JITTER = 1e-4  # added to every covariance's diagonal: a component on a few identical codes stays sampleable
EM_STEPS = 100
TOLERANCE = 1e-5  # stop when the mean log-likelihood per code improves less than this


def _log_gaussians(z: Tensor, means: Tensor, chol: Tensor) -> Tensor:
    """[N, K]: log N(z_n; mean_k, L_k L_kᵀ) for every code and component."""
    diff = z[:, None, :] - means[None]  # [N, K, d]
    solved = torch.linalg.solve_triangular(chol[None], diff[..., None], upper=False)[..., 0]  # [N, K, d]
    log_det = 2 * torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)  # [K]
    d = z.shape[1]
    return -0.5 * (solved.square().sum(-1) + log_det + d * math.log(2 * math.pi))


def _kmeans_plus_plus(z: Tensor, k: int, generator: torch.Generator) -> Tensor:
    """k starting means spread over the codes (Arthur & Vassilvitskii 2007), from the seeded generator."""
    first = torch.randint(len(z), (1,), generator=generator, device=z.device)
    centres = [z[first[0]]]
    for _ in range(1, k):
        distance = torch.cdist(z, torch.stack(centres)).min(1).values.square()
        total = distance.sum()
        pick = torch.multinomial(distance / total, 1, generator=generator) if total > 0 else first
        centres.append(z[pick[0]])
    return torch.stack(centres)


class GaussianMixture(nn.Module):
    """K full-covariance Gaussians over codes of size d; its parameters are buffers, so a checkpoint holds it."""

    means: Tensor  # [K, d]
    chol: Tensor  # [K, d, d] lower Cholesky factors of the covariances
    log_weights: Tensor  # [K]
    fitted: Tensor  # bool scalar

    def __init__(self, components: int, dim: int) -> None:
        super().__init__()
        self.register_buffer("means", torch.zeros(components, dim))
        self.register_buffer("chol", torch.eye(dim).repeat(components, 1, 1))
        self.register_buffer("log_weights", torch.full((components,), -math.log(components)))
        self.register_buffer("fitted", torch.zeros((), dtype=torch.bool))

    @torch.no_grad()
    def fit(self, z: Tensor, seed: int = 0) -> float:
        """Fit to codes z [N, d] by EM; returns the mean log-likelihood per code reached."""
        k, d = self.means.shape
        if len(z) < k:
            raise ValueError(f"{len(z)} codes cannot fit {k} mixture components")
        z = z.double()
        generator = torch.Generator(device=z.device).manual_seed(seed)
        means = _kmeans_plus_plus(z, k, generator)
        eye = torch.eye(d, dtype=z.dtype, device=z.device)
        cov = (z - z.mean(0)).T @ (z - z.mean(0)) / len(z) + JITTER * eye
        chol = torch.linalg.cholesky(cov).repeat(k, 1, 1)
        log_weights = torch.full((k,), -math.log(k), dtype=z.dtype, device=z.device)
        previous = -math.inf
        for _ in range(EM_STEPS):
            joint = _log_gaussians(z, means, chol) + log_weights  # E step: [N, K]
            log_likelihood = torch.logsumexp(joint, 1)
            resp = (joint - log_likelihood[:, None]).exp()
            mass = resp.sum(0) + 1e-10  # M step
            log_weights = torch.log(mass / len(z))
            means = (resp.T @ z) / mass[:, None]
            diff = z[:, None, :] - means[None]
            cov = torch.einsum("nk,nki,nkj->kij", resp, diff, diff) / mass[:, None, None] + JITTER * eye
            chol = torch.linalg.cholesky(cov)
            mean_ll = float(log_likelihood.mean())
            if mean_ll - previous < TOLERANCE:
                break
            previous = mean_ll
        self.means.copy_(means.to(self.means.dtype))
        self.chol.copy_(chol.to(self.chol.dtype))
        self.log_weights.copy_(log_weights.to(self.log_weights.dtype))
        self.fitted.fill_(True)
        return mean_ll

    def sample(self, eps: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """Codes [N, d] from the mixture: a component per code by its weight, then mean + L·eps (eps ~ N(0, I)
        given, so the caller's draw of eps is the one random stream for z)."""
        pick = torch.multinomial(self.log_weights.exp(), len(eps), replacement=True, generator=generator)
        return self.means[pick] + (self.chol[pick] @ eps[..., None])[..., 0]
