"""The contract every generator and discriminator keeps, whatever its architecture."""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from gankit.data.shard import per_example
from gankit.errors import GankitError


class Generator(nn.Module):
    """Maps latent z [N, latent_dim] (and labels [N] when conditional) to samples."""

    def __init__(self, latent_dim: int, output_shape: tuple[int, ...], num_classes: int = 0) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.output_shape = tuple(output_shape)
        self.num_classes = num_classes

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return per_example(lambda m: torch.randn(m, self.latent_dim, generator=generator, device=self.device), n,
                           generator)

    def sample_labels(self, n: int, generator: torch.Generator | None = None) -> Tensor | None:
        """Uniform class labels for a conditional generator, None for an unconditional one."""
        if not self.num_classes:
            return None
        return per_example(lambda m: torch.randint(self.num_classes, (m,), generator=generator, device=self.device),
                           n, generator)

    def sample(
        self, n: int, labels: Tensor | None = None, generator: torch.Generator | None = None
    ) -> Tensor:
        """n samples from the prior (labels drawn uniformly when conditional and not given)."""
        z = self.sample_latent(n, generator)
        if labels is None:
            labels = self.sample_labels(n, generator)
        return self(z, labels)

    def raw(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        """The output before its final squashing (images: the tanh's input, so that a VAE can read it as
        Bernoulli logits: (tanh(a) + 1) / 2 = sigmoid(2a)); points have none."""
        return self(z, labels)

    def condition(self, z: Tensor, labels: Tensor | None) -> Tensor:
        """z with a one-hot label appended when conditional; checks labels are given iff needed."""
        if not self.num_classes:
            if labels is not None:
                raise GankitError("this generator is unconditional; train with model.conditional=true for labels")
            return z
        if labels is None:
            raise GankitError("this generator is class-conditional: pass labels")
        return torch.cat([z, F.one_hot(labels, self.num_classes).to(z.dtype)], dim=1)


class Discriminator(nn.Module):
    """Scores samples: features(x) -> raw score/logit [N], higher = more real.

    Conditional discriminators use labels one of two ways:
    - `projection` (Miyato & Koyama 2018): score = w·h + embed(y)·h, labels shift the score;
    - `acgan` (Odena et al. 2017): an unconditional score plus a classifier head on the same features.

    With `minibatch_std`, the features get one more entry: their standard deviation over the batch
    (Karras et al. 2018, one group), so D can tell a batch that lacks variety from a real one.
    """

    def __init__(
        self, feature_dim: int, num_classes: int = 0, condition: Literal["projection", "acgan"] = "projection",
        minibatch_std: bool = False,
    ) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.condition = condition if num_classes else "none"
        self.minibatch_std = minibatch_std
        dim = feature_dim + int(minibatch_std)
        self.head = nn.Linear(dim, 1)
        self.embed = nn.Embedding(num_classes, dim) if self.condition == "projection" else None
        if self.embed is not None:  # on the head's scale: nn.Embedding's N(0, 1) makes class scores explode
            bound = dim**-0.5
            nn.init.uniform_(self.embed.weight, -bound, bound)
        self.classifier = nn.Linear(dim, num_classes) if self.condition == "acgan" else None

    def features(self, x: Tensor, labels: Tensor | None = None) -> Tensor:  # [N, feature_dim]
        """The trunk's features; `labels` reach it only in a family built with per-label biases (dcgan)."""
        raise NotImplementedError

    def representation(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        """What the heads see: the features, plus their batch standard deviation when enabled."""
        h = self.features(x, labels)
        if not self.minibatch_std:
            return h
        spread = h.std(dim=0, unbiased=False).mean()  # one number for the whole batch
        return torch.cat([h, spread.expand(h.shape[0], 1)], dim=1)  # [N, feature_dim + 1]

    def evaluate(self, x: Tensor, labels: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        """(score [N], class logits [N, K] for AC-GAN, else None) from one pass through the trunk."""
        h = self.representation(x, labels)
        score = self.head(h).squeeze(1)
        if self.embed is not None:
            if labels is None:
                raise GankitError("this discriminator is class-conditional: pass labels")
            score = score + (self.embed(labels) * h).sum(dim=1)
        return score, self.classifier(h) if self.classifier is not None else None

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.evaluate(x, labels)[0]  # [N]


class Encoder(nn.Module):
    """x -> code [N, code_dim]: the family's discriminator trunk with its score head swapped for a code head,
    so an auto-encoder's encoder mirrors the GAN's discriminator."""

    def __init__(self, trunk: Discriminator, code_dim: int) -> None:
        super().__init__()
        self.trunk = trunk
        trunk.head = nn.Linear(trunk.head.in_features, code_dim)
        trunk.embed = trunk.classifier = None

    def forward(self, x: Tensor) -> Tensor:
        return self.trunk.head(self.trunk.representation(x))


class AutoencoderDiscriminator(Discriminator):
    """BEGAN's discriminator: an auto-encoder scoring x by minus its L1 reconstruction error.

    The encoder is the family's discriminator trunk with its head widened to the code; the decoder
    is the family's generator fed with that code, so architectures stay shared, not copied.
    """

    def __init__(self, encoder: Discriminator, decoder: Generator) -> None:
        nn.Module.__init__(self)
        self.num_classes, self.condition = 0, "none"
        self.encoder, self.decoder = encoder, decoder
        encoder.head = nn.Linear(encoder.head.in_features, decoder.latent_dim)  # h -> code
        self.head = self.embed = self.classifier = None  # type: ignore[assignment]  # scored by reconstruction, not a head

    def features(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.encoder.head(self.encoder.representation(x))  # [N, code_dim]

    def reconstruct(self, x: Tensor) -> Tensor:
        return self.decoder(self.features(x))

    def evaluate(self, x: Tensor, labels: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        error = (x - self.reconstruct(x)).abs().flatten(1).mean(dim=1)  # L(x) per sample
        return -error, None


class PackedDiscriminator(Discriminator):
    """PacGAN (Lin et al. 2018): `pack` consecutive samples are judged together, stacked along channels
    (2D: features), one score per pack. The inner network is the family's D built for the stacked input."""

    def __init__(self, inner: Discriminator, pack: int) -> None:
        nn.Module.__init__(self)
        self.num_classes, self.condition, self.pack = 0, "none", pack
        self.inner = inner

    def evaluate(self, x: Tensor, labels: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        if x.shape[0] % self.pack:
            raise GankitError(f"PacGAN: {x.shape[0]} samples do not split into packs of {self.pack}")
        return self.inner.evaluate(x.reshape(x.shape[0] // self.pack, self.pack * x.shape[1], *x.shape[2:]), labels)


def apply_spectral_norm(module: nn.Module) -> nn.Module:
    """Spectral normalisation (Miyato et al. 2018) on every linear, conv and embedding weight."""
    for layer in list(module.modules()):
        if isinstance(layer, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d, nn.Embedding)):
            nn.utils.parametrizations.spectral_norm(layer)
    return module
