"""Networks by name: `build_networks(settings, spec)` returns a (generator, discriminator) pair for a net family
(mlp, dcgan, resnet, r3gan), plus the shared blocks, DiffAugment and the EMA.

Nets take explicit values (`NetSettings`), never the config tree (a contract of its own): the algorithm that
builds them reads its config once and says what it wants.

May import (the layers below it, `lint-imports`): data, config, registry, version, jsonl, world, files, errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from gankit.data.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets.base import (
    AutoencoderDiscriminator,
    Discriminator,
    Generator,
    PackedDiscriminator,
    apply_spectral_norm,
)
from gankit.nets.dcgan import DCGANDiscriminator, DCGANGenerator
from gankit.nets.mlp import MLPDiscriminator, MLPGenerator
from gankit.nets.r3gan import R3GANDiscriminator, R3GANGenerator
from gankit.nets.resnet import ResNetDiscriminator, ResNetGenerator
from gankit.registry import Registry


@dataclass(frozen=True)
class NetSettings:
    """What a net family builds from; 0 or None leaves the choice to the family (its default width, latent
    size, D normalisation …)."""

    family: str  # a name in NETS (never `auto`: the algorithm resolves that)
    latent_dim: int = 0
    width: int = 0
    depth: int = 4  # the MLP pair's hidden layers
    d_width: int = 0  # D's own width; 0: as `width`
    d_depth: int = 0  # D's own hidden layers (mlp; 0: as `depth`) or extra 3×3 convolutions (dcgan; 0: none)
    conditional: bool = False  # G and D take the data's class labels
    d_condition: Literal["projection", "acgan"] = "projection"
    d_norm: Literal["batch", "instance", "none"] | None = None
    minibatch_std: bool | None = None
    spectral_norm: bool | None = None
    pack: int = 1  # PacGAN: D judges this many samples at once
    label_bias: bool = False  # dcgan: D adds a learned bias per label in every layer, not only in its head


NetBuilder = Callable[[NetSettings, DataSpec, int, int], tuple[Generator, Discriminator]]
"""(settings, data, number of classes for G, number of classes for D) -> (G, D)."""
NETS: Registry[NetBuilder] = Registry("net")


@NETS.register("mlp")
def _mlp(config: NetSettings, spec: DataSpec, g_classes: int, d_classes: int) -> tuple[Generator, Discriminator]:
    if spec.kind != "points":
        raise ConfigError(f"model mlp is for 2D point data; {spec.name} holds images (use dcgan)")
    _no_label_bias("mlp", config)
    latent, width, dim = config.latent_dim or 2, config.width or 128, spec.sample_shape[0]
    return (
        MLPGenerator(latent, dim, width, config.depth, g_classes),
        MLPDiscriminator(dim, config.d_width or width, config.d_depth or config.depth, d_classes, config.d_condition,
                         bool(config.minibatch_std)),
    )


def _fixed_depth(family: str, config: NetSettings) -> None:
    """A family whose D has no place for more layers refuses model.d_depth instead of ignoring it."""
    if config.d_depth:
        raise ConfigError(f"model.d_depth is for the mlp and dcgan nets; {family}'s discriminator has a fixed "
                          f"depth (got {config.d_depth}; leave it 0)")
    _no_label_bias(family, config)


def _no_label_bias(family: str, config: NetSettings) -> None:
    if config.label_bias:
        raise ConfigError(f"per-label biases in every layer of D (ebm.level_bias) are for the dcgan net, not {family}")


def _square_images(family: str, spec: DataSpec) -> tuple[int, int]:
    """(channels, side) of the data, which a convolutional family needs to be square images."""
    if spec.kind != "image":
        raise ConfigError(f"model {family} is for images; {spec.name} holds 2D points (use mlp)")
    channels, height, width_px = spec.sample_shape
    if height != width_px:
        raise ConfigError(f"{family} needs square images, got {height}×{width_px}; set data.image_size")
    return channels, height


@NETS.register("dcgan")
def _dcgan(config: NetSettings, spec: DataSpec, g_classes: int, d_classes: int) -> tuple[Generator, Discriminator]:
    channels, height = _square_images("dcgan", spec)
    latent, width = config.latent_dim or 100, config.width or 64
    return (
        DCGANGenerator(latent, channels, height, width, g_classes),
        DCGANDiscriminator(channels, height, config.d_width or width, d_classes, config.d_norm or "batch",
                           config.d_condition, bool(config.minibatch_std), config.d_depth, config.label_bias),
    )


@NETS.register("resnet")
def _resnet(config: NetSettings, spec: DataSpec, g_classes: int, d_classes: int) -> tuple[Generator, Discriminator]:
    _fixed_depth("resnet", config)
    channels, side = _square_images("resnet", spec)
    latent, width = config.latent_dim or 128, config.width or 128
    return (
        ResNetGenerator(latent, channels, side, width, g_classes),
        ResNetDiscriminator(channels, side, config.d_width or width, d_classes, config.d_condition,
                            bool(config.minibatch_std)),
    )


@NETS.register("r3gan")
def _r3gan(config: NetSettings, spec: DataSpec, g_classes: int, d_classes: int) -> tuple[Generator, Discriminator]:
    _fixed_depth("r3gan", config)
    channels, side = _square_images("r3gan", spec)
    latent, width = config.latent_dim or 64, config.width or 32
    return (
        R3GANGenerator(latent, channels, side, width, g_classes),
        R3GANDiscriminator(channels, side, config.d_width or width, d_classes, config.d_condition,
                           bool(config.minibatch_std)),
    )


def build_networks(
    config: NetSettings, spec: DataSpec, discriminator_kind: Literal["scores", "autoencoder"] = "scores",
    score_classes: int = 0,
) -> tuple[Generator, Discriminator]:
    """G and D for the data; D is BEGAN's auto-encoder when asked, and spectrally normalised if configured.
    `score_classes`: D's projection labels are these many of the caller's own (an energy ladder's levels)."""
    if config.conditional and not spec.num_classes:
        raise ConfigError(f"model.conditional needs a labelled dataset; {spec.name} has no labels")
    num_classes = spec.num_classes if config.conditional else 0
    build = NETS.get(config.family)
    generator, discriminator = build(config, spec, num_classes, score_classes or num_classes)
    if discriminator_kind == "autoencoder":
        if num_classes:
            raise ConfigError("the auto-encoder discriminator (began) is unconditional; drop model.conditional")
        decoder, _ = build(config, spec, 0, 0)  # a generator of the same family, fed with the code
        discriminator = AutoencoderDiscriminator(discriminator, decoder)
    elif config.pack > 1:  # the same family's D, for `pack` samples stacked along the first axis
        shape = spec.sample_shape
        packed = replace(spec, sample_shape=(shape[0] * config.pack, *shape[1:]))
        discriminator = PackedDiscriminator(build(config, packed, 0, 0)[1], config.pack)
    if config.spectral_norm:
        apply_spectral_norm(discriminator)
    return generator, discriminator


__all__ = ["NETS", "Discriminator", "Generator", "NetSettings", "build_networks"]
