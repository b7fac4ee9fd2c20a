"""The auto-encoders as algorithms: the RAE's penalties, the VAE's likelihoods and ELBO, sampling from fitted codes."""

from __future__ import annotations

import json
import math

import pytest
import torch

import gankit
from conftest import DIGITS_VAE, tiny_config
from gankit.algorithms import build_algorithm
from gankit.algorithms.resolve import resolve
from gankit.config import Config
from gankit.data.batches import Batch
from gankit.data.spec import DataSpec

POINTS = DataSpec(name="fake", kind="points", sample_shape=(2,))


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
    assert torch.allclose(out.stats["decoder_penalty"], weights) and model.second_derivatives is None


def test_the_rae_gradient_penalty_is_the_squared_gradient_of_the_decoders_summed_output():
    model = rae("gp")
    z = torch.randn(5, model.generator.latent_dim, generator=torch.Generator().manual_seed(5))
    jacobians = [torch.autograd.functional.jacobian(model.generator, z[i:i + 1])[0, :, 0] for i in range(5)]
    expected = torch.stack([j.sum(0).square().sum() for j in jacobians]).mean()  # (Jᵀ1)² per code, averaged
    assert torch.allclose(model.decoder_regularisation(z), expected, rtol=1e-5)
    assert model.second_derivatives == "vae.decoder_regulariser gp"


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


def test_vae_logs_a_falling_test_elbo_and_writes_its_pictures(tmp_path):
    run = gankit.train(tiny_config(tmp_path / "vae", **DIGITS_VAE))
    lines = [json.loads(line) for line in (tmp_path / "vae" / "metrics.jsonl").read_text().splitlines()]
    elbo = [line["test_neg_elbo"] for line in lines if "test_neg_elbo" in line]
    assert len(elbo) == 2 and elbo[1] < elbo[0]
    train_line = next(line for line in lines if "neg_elbo" in line)
    assert train_line["neg_elbo"] == pytest.approx(train_line["reconstruction"] + train_line["kl"], rel=1e-5)
    for picture in ("reconstructions.png", "interpolation.png", "progress.png"):
        assert (tmp_path / "vae" / picture).is_file()
    assert run.sample(6).shape == (6, 1, 8, 8)


def test_ae_samples_from_a_gaussian_fitted_to_its_codes(tmp_path):
    ae = {**DIGITS_VAE, "model": {**DIGITS_VAE["model"], "algorithm": "ae"}}
    run = gankit.train(tiny_config(tmp_path / "ae", **ae))
    algorithm = run.algorithm
    assert int(algorithm.codes_seen) == 40 * 32
    z = algorithm.sample_latent(20_000, torch.Generator().manual_seed(0))
    assert torch.allclose(z.mean(0), algorithm.code_mean, atol=0.05 * float(algorithm.code_mean.abs().max() + 1))
    # the codes' covariance, not the identity: feed codes of a known covariance and sample it back
    algorithm.codes_seen.zero_()
    codes = torch.randn(50_000, 4, generator=torch.Generator().manual_seed(1)) * torch.linspace(0.2, 3.0, 4)
    algorithm._track_codes(codes)
    drawn = algorithm.sample_latent(50_000, torch.Generator().manual_seed(2))
    assert torch.allclose(drawn.std(0), torch.linspace(0.2, 3.0, 4), rtol=0.05)


def test_the_gaussian_reconstruction_loss_is_the_gaussian_negative_log_likelihood():
    torch.manual_seed(0)
    config = resolve(Config().override({"model.algorithm": "vae", "vae.reconstruction": "gaussian",
                                        "vae.gaussian_std": 0.3, "model.width": 8, "model.latent_dim": 4}), "image")
    from gankit.algorithms import build_algorithm
    from gankit.data.spec import DataSpec

    vae = build_algorithm(config, DataSpec(name="fake", kind="image", sample_shape=(1, 8, 8)))
    x, z = torch.rand(5, 1, 8, 8) * 2 - 1, torch.randn(5, 4)
    mean = vae.generator(z)
    expected = -torch.distributions.Normal(mean, 0.3).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(vae.reconstruction_loss(x, z), expected, rtol=1e-5)


def test_a_vae_with_the_gaussian_likelihood_trains_on_images(tmp_path):
    vae = {**DIGITS_VAE, "vae": {"reconstruction": "gaussian"}}
    run = gankit.train(tiny_config(tmp_path / "g", **vae))
    assert run.config.vae.reconstruction == "gaussian" and (tmp_path / "g" / "reconstructions.png").is_file()
    lines = [json.loads(line) for line in (tmp_path / "g" / "metrics.jsonl").read_text().splitlines()]
    assert all(math.isfinite(line["loss"]) for line in lines if "loss" in line)


def test_the_manifold_is_the_decoder_on_the_latent_grid():
    from gankit.algorithms.base import latent_grid

    config = resolve(Config().override({"model.algorithm": "vae", "model.width": 8, "model.depth": 2,
                                        "model.latent_dim": 3}), "points")
    vae = build_algorithm(config, POINTS)
    expected = vae.generator.eval()(latent_grid(4, 3, torch.device("cpu")))
    assert torch.allclose(vae.manifold(4), expected.detach())
