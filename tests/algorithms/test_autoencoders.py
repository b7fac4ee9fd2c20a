"""The generator alone done well: the ex-post Gaussian mixture on codes and the RAE's penalties."""

from __future__ import annotations

import pytest
import torch

import gankit
from conftest import tiny_config
from gankit.algorithms import build_algorithm
from gankit.algorithms.autoencoder.density import GaussianMixture
from gankit.algorithms.resolve import resolve
from gankit.config import Config
from gankit.data.batches import Batch
from gankit.data.spec import DataSpec
from gankit.errors import ConfigError

POINTS = DataSpec(name="fake", kind="points", sample_shape=(2,))
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


def rae(regulariser: str):
    config = resolve(Config().override({"model.algorithm": "rae", "model.width": 8, "model.depth": 2,
                                        "vae.decoder_regulariser": regulariser, "vae.code_penalty": 0.5,
                                        "vae.decoder_penalty": 0.25}), "points")
    torch.manual_seed(0)
    return build_algorithm(config, POINTS, 16)


def test_the_rae_loss_is_squared_error_plus_its_code_and_decoder_penalties():
    model = rae("l2")
    x = torch.randn(16, 2, generator=torch.Generator().manual_seed(4))
    out = model.phases()[0].loss(Batch(x), torch.Generator())
    z = model.encoder(x)
    squared_error = (x - model.generator(z)).square().sum(1)
    weights = sum(p.square().sum() for p in model.generator.parameters())
    expected = (squared_error + 0.5 * 0.5 * z.square().sum(1)).mean() + 0.25 * weights
    assert torch.allclose(out.loss, expected, rtol=1e-6)
    assert torch.allclose(out.stats["decoder_penalty"], weights) and not model.differentiates_twice


def test_the_rae_gradient_penalty_is_the_squared_gradient_of_the_decoders_summed_output():
    model = rae("gp")
    z = torch.randn(5, model.generator.latent_dim, generator=torch.Generator().manual_seed(5))
    jacobians = [torch.autograd.functional.jacobian(model.generator, z[i:i + 1])[0, :, 0] for i in range(5)]
    expected = torch.stack([j.sum(0).square().sum() for j in jacobians]).mean()  # (Jᵀ1)² per code, averaged
    assert torch.allclose(model.decoder_regularisation(z), expected, rtol=1e-5)
    assert model.differentiates_twice


@pytest.mark.parametrize("algorithm", ["ae", "rae"])
def test_a_gmm_density_is_fitted_when_training_ends_saved_and_sampled_by_load(tmp_path, algorithm):
    extra = {"vae": {"latent_density": "gmm", "density_components": 4, "density_examples": 500}}
    gankit.train(tiny_config(tmp_path / "r", model={"algorithm": algorithm}, **extra))
    run = gankit.load(tmp_path / "r")
    mixture = run.algorithm.mixture
    assert mixture is not None and bool(mixture.fitted) and mixture.means.shape == (4, 2)
    drawn = run.algorithm.sample_latent(6, torch.Generator().manual_seed(0))
    stream = torch.Generator().manual_seed(0)  # the same draws, by hand: eps, then the mixture's components
    expected = mixture.sample(run.algorithm.generator.sample_latent(6, stream), stream)
    assert torch.equal(drawn, expected)


@pytest.mark.parametrize("key, value, words", [("vae.density_components", 0, "vae.density_components must be"),
                                               ("vae.density_examples", 3, "vae.density_examples must be at least"),
                                               ("vae.code_penalty", -1.0, "vae.code_penalty must be >= 0")])
def test_bad_density_and_penalty_settings_are_one_line(key, value, words):
    with pytest.raises(ConfigError, match=words):
        Config().override({"model.algorithm": "rae", key: value})


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


def test_the_optimal_sigma_loss_is_the_gaussian_likelihood_at_the_batchs_own_sigma():
    """σ-VAE: -log N(x; x̂, σ²I) with σ² = the batch's mean squared error per pixel."""
    config = resolve(Config.from_dict(tiny_config("unused", data={"name": "digits"},
                                                  model={"algorithm": "vae", "width": 8, "latent_dim": 4},
                                                  vae={"reconstruction": "optimal-sigma"})), "image")
    spec = DataSpec(name="digits", kind="image", sample_shape=(1, 8, 8))
    model = build_algorithm(config, spec, 4)
    x = torch.rand(4, 1, 8, 8) * 2 - 1
    z = torch.randn(4, 4)
    with torch.no_grad():
        got = model.reconstruction_loss(x, z)
        decoded = model.generator(z)
    variance = (x - decoded).square().mean()
    expected = -torch.distributions.Normal(decoded, variance.sqrt()).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(got, expected, rtol=1e-4)


def test_a_two_stage_run_fits_its_second_vae_and_samples_from_it(tmp_path):
    extra = {"vae": {"latent_density": "two-stage", "density_steps": 30, "density_width": 16,
                     "density_examples": 200, "reconstruction": "optimal-sigma"}}
    run = gankit.train(tiny_config(tmp_path / "run", data={"name": "digits"},
                                   model={"algorithm": "vae", "width": 8, "latent_dim": 4},
                                   train={"batch_size": 16, "steps": 6}, **extra))
    loaded = gankit.load(tmp_path / "run")
    second = loaded.algorithm.second_stage
    assert second is not None and bool(second.fitted)
    eps = torch.randn(5, 4, generator=torch.Generator().manual_seed(0))
    expected = loaded.algorithm.decode(second.sample(eps))
    assert torch.equal(loaded.algorithm.sample(5, generator=torch.Generator().manual_seed(0)), expected)
    assert run.step == 6
