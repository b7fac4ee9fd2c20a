from __future__ import annotations

import pytest
import torch

from gankit.algorithms.autoencoder.density import GaussianMixture
from gankit.algorithms.autoencoder.model import gaussian_kl

CENTRES = torch.tensor([[-5.0, 0.0], [0.0, 5.0], [5.0, 0.0]])


def clusters(per_cluster: int = 600, std: float = 0.3) -> torch.Tensor:
    noise = torch.randn(len(CENTRES), per_cluster, 2, generator=torch.Generator().manual_seed(3)) * std
    return (CENTRES[:, None] + noise).reshape(-1, 2)


def test_the_mixture_recovers_a_known_mixtures_means_and_weights():
    mixture = GaussianMixture(3, 2)
    mixture.fit(clusters(), seed=0)
    order = mixture.means[:, 0].argsort()
    assert torch.allclose(mixture.means[order], CENTRES, atol=0.05)
    assert torch.allclose(mixture.log_weights.exp(), torch.full((3,), 1 / 3), atol=0.01)
    covariance = mixture.chol @ mixture.chol.transpose(1, 2)
    assert torch.allclose(covariance[:, 0, 0], torch.full((3,), 0.09), atol=0.02)
    again = GaussianMixture(3, 2)
    again.fit(clusters(), seed=0)
    assert torch.equal(again.means, mixture.means)  # seeded: the same codes give the same mixture


def test_mixture_samples_come_from_its_components():
    mixture = GaussianMixture(3, 2)
    mixture.fit(clusters(), seed=0)
    eps = torch.randn(3000, 2, generator=torch.Generator().manual_seed(1))
    z = mixture.sample(eps, torch.Generator().manual_seed(2))
    nearest = torch.cdist(z, CENTRES).min(1)
    assert (nearest.values < 4 * 0.3).float().mean() > 0.99
    assert torch.bincount(nearest.indices, minlength=3).min() > 800  # every component drawn, by its weight


def test_a_mixture_needs_at_least_as_many_codes_as_components():
    with pytest.raises(ValueError, match="2 codes cannot fit 3"):
        GaussianMixture(3, 2).fit(torch.randn(2, 2))


def test_the_second_stage_vae_learns_toy_codes_it_can_then_sample():
    """Dai & Wipf's second stage on codes from three clusters: its samples land near the clusters, in their
    proportions, and far fewer fall between them than from one Gaussian fitted to the same codes."""
    from gankit.algorithms.autoencoder.density import LatentVAE

    torch.manual_seed(0)
    codes = clusters(per_cluster=1000, std=0.3)
    second = LatentVAE(2, 64)
    with torch.no_grad():
        first_loss = float(second.negative_elbo((codes - codes.mean(0)) / codes.std(0),
                                                torch.Generator().manual_seed(0)).mean())
    loss = second.fit(codes, steps=1500, seed=0)
    assert loss < first_loss - 1 and bool(second.fitted)
    samples = second.sample(torch.randn(3000, 2, generator=torch.Generator().manual_seed(1)))
    nearest = torch.cdist(samples, CENTRES).min(1)
    near = nearest.values < 1.5
    assert near.float().mean() > 0.7
    shares = torch.bincount(nearest.indices[near], minlength=3).float() / near.sum()
    assert torch.allclose(shares, torch.full((3,), 1 / 3), atol=0.1)
    gaussian = codes.mean(0) + torch.randn(3000, 2, generator=torch.Generator().manual_seed(1)) * codes.std(0)
    assert (torch.cdist(gaussian, CENTRES).min(1).values < 1.5).float().mean() < near.float().mean() - 0.15
    torch.manual_seed(0)
    again = LatentVAE(2, 64)
    torch.manual_seed(0)
    same = LatentVAE(2, 64)
    assert again.fit(codes, steps=20, seed=4) == same.fit(codes, steps=20, seed=4)  # seeded


def test_vae_kl_matches_the_closed_form_of_torch_distributions():
    mean, log_var = torch.randn(5, 3), torch.randn(5, 3)
    q = torch.distributions.Normal(mean, (0.5 * log_var).exp())
    p = torch.distributions.Normal(torch.zeros(5, 3), torch.ones(5, 3))
    assert torch.allclose(gaussian_kl(mean, log_var), torch.distributions.kl_divergence(q, p).sum(1), atol=1e-5)
    assert torch.allclose(gaussian_kl(torch.zeros(2, 4), torch.zeros(2, 4)), torch.zeros(2))
