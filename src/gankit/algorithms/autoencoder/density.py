"""Ex-post latent densities: a Gaussian mixture, or a second small VAE, fitted to an auto-encoder's codes.

A deterministic auto-encoder has no prior to sample from, and a VAE's codes do not fill its prior; fitting
a density to the codes the encoder actually produces and sampling that is what made auto-encoders
competitive again (Ghosh et al. 2020, "From Variational to Deterministic Autoencoders", a 10-component
GMM fitted by EM with full covariances; Dai & Wipf 2019, "Diagnosing and Enhancing VAE Models", a second VAE
on the codes whose decoder variance is learned). Both are fitted seeded, in torch.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

JITTER = 1e-4  # added to every covariance's diagonal: a component on a few identical codes stays sampleable
EM_STEPS = 100
TOLERANCE = 1e-5  # stop when the mean log-likelihood per code improves less than this


def gaussian_kl(mean: Tensor, log_var: Tensor) -> Tensor:
    """KL(N(mean, exp(log_var)) ‖ N(0, I)) per sample, in nats: the closed form."""
    return 0.5 * (mean.square() + log_var.exp() - 1 - log_var).sum(dim=1)


def _log_gaussians(z: Tensor, means: Tensor, chol: Tensor) -> Tensor:
    """[N, K]: log N(z_n; mean_k, L_k L_kᵀ) for every code and component; one component at a time, so the
    memory is the codes' own ([N, d]), not [N, K, d]."""
    d = z.shape[1]
    columns = []
    for mean, factor in zip(means, chol, strict=True):
        solved = torch.linalg.solve_triangular(factor, (z - mean).T, upper=False)  # [d, N]
        log_det = 2 * torch.log(torch.diagonal(factor)).sum()
        columns.append(-0.5 * (solved.square().sum(0) + log_det + d * math.log(2 * math.pi)))
    return torch.stack(columns, dim=1)


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
            cov = torch.stack([(resp[:, j, None] * (z - means[j])).T @ (z - means[j]) for j in range(k)])
            cov = cov / mass[:, None, None] + JITTER * eye
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


class LatentVAE(nn.Module):
    """The 2-Stage VAE's second stage: a VAE on the (standardised) codes, with the codes' own size as its latent
    and a learned decoder variance γ; codes are sampled as decoder(u), u ~ N(0, I). Dai & Wipf use three
    1 024-unit layers and hundreds of epochs; the width and steps are settings here, for a CPU budget."""

    centre: Tensor  # buffers [d]: the codes' mean and std, so the second VAE sees unit-scale inputs
    scale: Tensor
    fitted: Tensor

    def __init__(self, dim: int, width: int) -> None:
        super().__init__()

        def mlp(out: int) -> nn.Sequential:
            return nn.Sequential(nn.Linear(dim, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                                 nn.Linear(width, out))

        self.encoder, self.decoder = mlp(2 * dim), mlp(dim)
        self.log_gamma = nn.Parameter(torch.zeros(()))
        self.register_buffer("centre", torch.zeros(dim))
        self.register_buffer("scale", torch.ones(dim))
        self.register_buffer("fitted", torch.zeros((), dtype=torch.bool))

    def negative_elbo(self, z: Tensor, generator: torch.Generator) -> Tensor:
        """Per code: ‖z - decoder(u)‖²/(2γ) + d/2·log(2πγ) + KL(q(u|z) ‖ N(0, I)), u by reparameterisation."""
        mean, log_var = self.encoder(z).chunk(2, dim=1)
        log_var = log_var.clamp(-30, 20)
        u = mean + (0.5 * log_var).exp() * torch.randn(mean.shape, generator=generator, device=z.device)
        gamma, d = self.log_gamma.exp(), z.shape[1]
        error = (z - self.decoder(u)).square().sum(1)
        return error / (2 * gamma) + 0.5 * d * (math.log(2 * math.pi) + self.log_gamma) + gaussian_kl(mean, log_var)

    def fit(self, z: Tensor, steps: int, seed: int = 0, batch_size: int = 256, lr: float = 1e-3) -> float:
        """Train on codes z [N, d] for `steps` Adam steps of seeded minibatches; returns the last 100 steps'
        mean negative ELBO per code (in standardised units)."""
        generator = torch.Generator(device=z.device).manual_seed(seed)
        with torch.no_grad():
            self.centre.copy_(z.mean(0))
            self.scale.copy_(z.std(0).clamp_min(1e-6))
        data = (z - self.centre) / self.scale
        optimizer = torch.optim.Adam(self.parameters(), lr=lr)
        recent: list[Tensor] = []
        with torch.enable_grad():
            for _ in range(steps):
                pick = torch.randint(len(data), (min(batch_size, len(data)),), generator=generator, device=z.device)
                loss = self.negative_elbo(data[pick], generator).mean()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                recent = [*recent[-99:], loss.detach()]  # no device sync per step
        self.fitted.fill_(True)
        return float(torch.stack(recent).mean()) if recent else math.nan

    @torch.no_grad()
    def sample(self, eps: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """Codes [N, d]: decoder(eps) in the codes' own scale (eps ~ N(0, I) given by the caller)."""
        return self.decoder(eps) * self.scale + self.centre
