"""The lecture's "generator alone": an auto-encoder or VAE whose decoder is the GAN's generator.

The decoder is the family's generator and the encoder mirrors its discriminator, so the three views
share networks. Losses are per-pixel (Bernoulli cross-entropy or Gaussian), which is the lecture's point:
each output component is judged on its own, never the relations between them, so samples come out blurry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import torch
from torch import Tensor, autograd, nn
from torch.nn import functional as F

from gankit.algorithms.autoencoder.density import GaussianMixture, LatentVAE, gaussian_kl
from gankit.algorithms.base import (
    Algorithm,
    Phase,
    PhaseOutput,
    SamplingNetwork,
    latent_grid,
    latent_line,
    net_settings,
)
from gankit.config import Config, OptimConfig, VAEConfig
from gankit.data.batches import Batch
from gankit.data.shard import per_example_randn
from gankit.data.spec import DataSpec
from gankit.nets import build_networks
from gankit.nets.base import Discriminator, Encoder, Generator
from gankit.nets.export import ExportInput
from gankit.nets.modes import evaluating
from gankit.samplers.langevin import Progress

MIN_LOG_STD = -6.0  # σ-VAE's floor on the optimal log σ: a perfect batch would otherwise give log 0
CODE_MOMENTUM = 0.99  # the plain AE's running estimate of its codes' mean and second moment


Kind = Literal["ae", "vae", "rae"]


class Autoencoder(Algorithm):
    """`ae` (deterministic codes), `vae` (Kingma & Welling 2014: reparameterised codes, loss = reconstruction
    + beta * KL, the negative ELBO when beta = 1) or `rae` (Ghosh et al. 2020: deterministic codes, squared
    error + beta·½‖z‖² + lambda·(the decoder's weights² or its gradient penalty)). Samples come from the latent
    density `vae.latent_density`: the prior, a Gaussian fitted to the codes as they train, or a Gaussian mixture
    fitted to the training codes when training ends (the Gaussian stands in until then)."""

    generator: Generator
    code_mean: Tensor  # buffers
    code_second_moment: Tensor
    codes_seen: Tensor

    def __init__(self, trunk: Discriminator, decoder: Generator, settings: VAEConfig, kind: Kind) -> None:
        super().__init__()
        latent = decoder.latent_dim
        self.variational, self.regularised = kind == "vae", kind == "rae"
        self.encoder = Encoder(trunk, 2 * latent if self.variational else latent)
        self.generator = decoder
        self.discriminator = None  # the generator alone: nothing scores x
        self.settings = settings
        self.density = settings.latent_density or ("prior" if self.variational else "gaussian")
        self.register_buffer("code_mean", torch.zeros(latent))
        self.register_buffer("code_second_moment", torch.eye(latent))
        self.register_buffer("codes_seen", torch.zeros((), dtype=torch.long))
        # submodules only when used, so that runs sampling otherwise keep their checkpoints' keys
        self.mixture = GaussianMixture(settings.density_components, latent) if self.density == "gmm" else None
        self.second_stage = LatentVAE(latent, settings.density_width) if self.density == "two-stage" else None

    def trainable(self) -> dict[str, nn.Module]:
        return {"autoencoder": self}

    def learning_rates(self, optim: OptimConfig) -> dict[str, float]:
        assert optim.lr_g is not None, "gankit.algorithms.resolve fills the learning rates"
        return {"autoencoder": optim.lr_g}

    def phases(self) -> list[Phase]:
        return [Phase("autoencoder", "autoencoder", 1, True, self.loss)]

    @property
    def sampling_phase(self) -> str:
        return "autoencoder"

    def encode(self, x: Tensor, rng: torch.Generator | None) -> tuple[Tensor, Tensor]:
        """(code z, KL to the prior per sample); VAE: z sampled by the reparameterisation trick."""
        code = self.encoder(x)
        if not self.variational:
            return code, torch.zeros(len(x), device=x.device)
        mean, log_var = code.chunk(2, dim=1)
        log_var = log_var.clamp(-30, 20)  # exp() stays finite
        z = mean + (0.5 * log_var).exp() * per_example_randn(mean, rng)
        return z, gaussian_kl(mean, log_var)

    def reconstruction_loss(self, x: Tensor, z: Tensor) -> Tensor:
        """-log p(x | z) per sample, in nats; the RAE's squared error, whose likelihood it leaves unnamed."""
        if self.regularised:
            return (x - self.generator(z)).square().flatten(1).sum(1)
        if self.settings.reconstruction == "bernoulli":  # pixels in [0, 1] read as probabilities
            logits = 2 * self.generator.raw(z)  # (tanh(a) + 1) / 2 = sigmoid(2a)
            return F.binary_cross_entropy_with_logits(logits, (x + 1) / 2, reduction="none").flatten(1).sum(1)
        dims = x[0].numel()
        squared = (x - self.generator(z)).square().flatten(1).sum(1)
        if self.settings.reconstruction == "optimal-sigma":  # σ-VAE: σ² is the batch's mean squared error
            log_std = (0.5 * torch.log(squared.mean() / dims)).clamp_min(MIN_LOG_STD)
            return squared / (2 * (2 * log_std).exp()) + dims * (log_std + 0.5 * math.log(2 * math.pi))
        std = self.settings.gaussian_std
        return squared / (2 * std**2) + dims * math.log(std * math.sqrt(2 * math.pi))

    def loss(self, batch: Batch | None, rng: torch.Generator, *, measure: bool = False) -> PhaseOutput:
        assert batch is not None
        z, kl = self.encode(batch.x, rng)
        reconstruction = self.reconstruction_loss(batch.x, z)
        stats = {"reconstruction": reconstruction.detach().mean()}
        if self.regularised:  # RAE: codes kept small, the decoder kept smooth, in place of the VAE's noise
            code = 0.5 * z.square().sum(1)
            smoothness = self.decoder_regularisation(z)
            loss = (reconstruction + self.settings.code_penalty * code).mean()
            loss = loss + self.settings.decoder_penalty * smoothness
            stats |= {"code_penalty": code.detach().mean(), "decoder_penalty": smoothness.detach()}
        else:
            loss = (reconstruction + self.settings.beta * kl).mean()
        stats["loss"] = loss.detach()
        if self.variational:
            stats |= {"kl": kl.detach().mean(), "neg_elbo": (reconstruction + kl).detach().mean()}
        return PhaseOutput(loss, stats, pending={"codes": z.detach()})

    def decoder_regularisation(self, z: Tensor) -> Tensor:
        """RAE's L_REG: the decoder's squared weights (`l2`), or the squared norm of the gradient of its summed
        output with respect to the code (`gp`), averaged over the batch."""
        if self.settings.decoder_regulariser == "l2":
            return sum((p.square().sum() for p in self.generator.parameters()), torch.zeros((), device=z.device))
        code = z.detach().requires_grad_(True)
        (grad,) = autograd.grad(self.generator(code).sum(), code, create_graph=True)
        return grad.square().sum(1).mean()

    @property
    def second_derivatives(self) -> str | None:
        return "vae.decoder_regulariser gp" if self.regularised and self.settings.decoder_regulariser == "gp" else None

    @torch.no_grad()
    def after_update(self, phase: str, output: PhaseOutput) -> dict[str, Tensor]:
        """A Gaussian fitted to the codes as they train (what `gaussian` samples, and `gmm` until it is fitted)."""
        if self.density != "prior":
            self._track_codes(output.pending["codes"])
        return {}

    def _track_codes(self, z: Tensor) -> None:
        z = z.float()  # bf16 codes under autocast; the running moments stay float32
        momentum = CODE_MOMENTUM if int(self.codes_seen) else 0.0
        self.codes_seen += len(z)
        self.code_mean.lerp_(z.mean(0), 1 - momentum)
        self.code_second_moment.lerp_(z.T @ z / len(z), 1 - momentum)

    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """`prior`: N(0, I). `gmm`, once fitted: the mixture fitted to the training codes. Otherwise a Gaussian
        fitted to the codes as they trained (a plain AE's codes fill an irregular region, so much of this
        Gaussian decodes to nothing like the data: the ex-post mixture is the remedy)."""
        eps = self.generator.sample_latent(n, generator)
        if self.density == "prior":
            return eps
        if self.mixture is not None and bool(self.mixture.fitted):
            return self.mixture.sample(eps, generator)
        if self.second_stage is not None and bool(self.second_stage.fitted):
            return self.second_stage.sample(eps)
        covariance = self.code_second_moment - torch.outer(self.code_mean, self.code_mean)
        jitter = 1e-4 * torch.eye(len(self.code_mean), device=eps.device)
        return self.code_mean + eps @ torch.linalg.cholesky(covariance + jitter).T

    def sampling_network(self) -> SamplingNetwork:
        """The decoder behind the latent density, as one network of standard-normal noise (and, for a mixture,
        the component of each sample, drawn by the weights in `notes`)."""
        d = self.generator.latent_dim
        eps = ExportInput("eps", (d,), torch.float32, "standard normal")
        if self.density == "prior":
            return SamplingNetwork(self.generator, [eps])
        if self.mixture is not None and bool(self.mixture.fitted):
            k = len(self.mixture.means)
            weights = self.mixture.log_weights.exp().tolist()
            component = ExportInput("component", (), torch.int64, f"component 0..{k - 1}, drawn by its weight", k,
                                    tuple(weights))
            return SamplingNetwork(_MixtureDecoder(self.mixture, self.generator), [eps, component],
                                   {"component_weights": weights})
        if self.second_stage is not None and bool(self.second_stage.fitted):
            return SamplingNetwork(_StagedDecoder(self.second_stage, self.generator), [eps])
        covariance = self.code_second_moment - torch.outer(self.code_mean, self.code_mean)
        jitter = 1e-4 * torch.eye(d, device=covariance.device)
        return SamplingNetwork(_AffineDecoder(self.code_mean, torch.linalg.cholesky(covariance + jitter),
                                              self.generator), [eps])

    def decode(self, z: Tensor) -> Tensor:
        with torch.no_grad(), evaluating(self.generator):
            return self.generator(z)

    def sample(self, n: int, labels: Tensor | None = None, generator: torch.Generator | None = None,
               progress: Progress | None = None) -> Tensor:
        if labels is not None:
            raise ValueError("auto-encoders here are unconditional")
        return self.decode(self.sample_latent(n, generator))

    def manifold(self, side: int) -> Tensor:
        return self.decode(latent_grid(side, self.generator.latent_dim, self.generator.device))

    def latent_path(self, start: torch.Generator, end: torch.Generator, steps: int,
                    label: int | None = None) -> Tensor:
        return self.decode(latent_line(self.sample_latent(1, start), self.sample_latent(1, end), steps))

    def interpolate(self, pairs: int, steps: int, generator: torch.Generator) -> Tensor:
        return self.decode(latent_line(self.sample_latent(pairs, generator), self.sample_latent(pairs, generator),
                                       steps))

    @torch.no_grad()
    def end_of_training(self, examples: Callable[[int], Tensor]) -> dict[str, float]:
        """`gmm` / `two-stage`: fit the mixture or the second VAE to the codes (the VAE's posterior means) of the
        first training examples."""
        if self.mixture is None and self.second_stage is None:
            return {}
        assert self.settings.density_examples, "gankit.algorithms.resolve fills vae.density_examples"
        x, codes = examples(self.settings.density_examples), []
        with evaluating(self):
            for chunk in x.split(500):
                code = self.encoder(chunk)
                codes.append(code.chunk(2, dim=1)[0] if self.variational else code)
        if self.mixture is not None:
            return {"density_log_likelihood": self.mixture.fit(torch.cat(codes).float())}
        assert self.second_stage is not None
        return {"second_stage_neg_elbo": self.second_stage.fit(torch.cat(codes).float(), self.settings.density_steps)}

    @torch.no_grad()
    def reconstruct(self, x: Tensor) -> Tensor:
        """Decoded codes (the VAE's posterior means) of x, in model range."""
        with evaluating(self):
            code = self.encoder(x)
            return self.generator(code.chunk(2, dim=1)[0] if self.variational else code)

    def end_pictures(self, heldout: Tensor | None, generator: torch.Generator) -> dict[str, tuple[Tensor, int]]:
        """Rows of 8 held-out images, each followed by its reconstruction; and the latent lines."""
        pictures = {}
        if heldout is not None:
            real = heldout[:32]
            shape = (4, 8, *real.shape[1:])
            rows = torch.stack([real.view(shape), self.reconstruct(real).view(shape)], 1)  # [4, 2, 8, ...]
            pictures["reconstructions.png"] = (rows.flatten(0, 2), 8)
        return pictures | super().end_pictures(heldout, generator)

    @torch.no_grad()
    def heldout(self, x: Tensor, batch_size: int = 500) -> dict[str, float]:
        """Per-example losses on held-out data, in nats: the negative ELBO (VAE, one seeded z per example)."""
        rng = torch.Generator(device=x.device).manual_seed(0)
        sums: dict[str, float] = {}
        with evaluating(self):
            for chunk in x.split(batch_size):
                z, kl = self.encode(chunk, rng)
                reconstruction = self.reconstruction_loss(chunk, z)
                parts = {"test_reconstruction": reconstruction}
                if self.variational:
                    parts |= {"test_kl": kl, "test_neg_elbo": reconstruction + kl}
                for key, value in parts.items():
                    sums[key] = sums.get(key, 0.0) + float(value.sum())
        return {key: value / len(x) for key, value in sums.items()}


def build(config: Config, spec: DataSpec, kind: Kind) -> Autoencoder:
    decoder, trunk = build_networks(net_settings(config.model, spec), spec)
    return Autoencoder(trunk, decoder, config.vae, kind)


def build_ae(config: Config, spec: DataSpec, batch_size: int) -> Autoencoder:
    return build(config, spec, "ae")


def build_vae(config: Config, spec: DataSpec, batch_size: int) -> Autoencoder:
    return build(config, spec, "vae")


def build_rae(config: Config, spec: DataSpec, batch_size: int) -> Autoencoder:
    return build(config, spec, "rae")


class _MixtureDecoder(nn.Module):
    """decoder(means[c] + chol[c] @ eps): the mixture's sampling, its random choice of c left to the caller."""

    def __init__(self, mixture: GaussianMixture, decoder: nn.Module) -> None:
        super().__init__()
        self.mixture, self.decoder = mixture, decoder

    def forward(self, eps: Tensor, component: Tensor) -> Tensor:
        z = self.mixture.means[component] + (self.mixture.chol[component] @ eps[..., None])[..., 0]
        return self.decoder(z)


class _StagedDecoder(nn.Module):
    """decoder(second_stage(u)): the 2-Stage VAE's codes, then the images."""

    def __init__(self, stage: LatentVAE, decoder: nn.Module) -> None:
        super().__init__()
        self.stage, self.decoder = stage, decoder

    def forward(self, eps: Tensor) -> Tensor:
        return self.decoder(self.stage.sample(eps))


class _AffineDecoder(nn.Module):
    """decoder(mean + L eps): the Gaussian fitted to the codes as they trained."""

    mean: Tensor
    chol: Tensor

    def __init__(self, mean: Tensor, chol: Tensor, decoder: nn.Module) -> None:
        super().__init__()
        self.register_buffer("mean", mean.detach().clone())
        self.register_buffer("chol", chol.detach().clone())
        self.decoder = decoder

    def forward(self, eps: Tensor) -> Tensor:
        return self.decoder(self.mean + eps @ self.chol.T)
