"""Algorithms by name: `build_algorithm(config, spec)` wires networks and objective into one module."""

from __future__ import annotations

from collections.abc import Callable

from gankit.algorithms.autoencoder import Autoencoder
from gankit.algorithms.base import Algorithm, Phase, PhaseOutput
from gankit.algorithms.ebm import EBM
from gankit.algorithms.gan import GAN
from gankit.config import AugmentConfig, Config
from gankit.config.parsing import augment_policy
from gankit.data.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets import build_networks
from gankit.nets.augment import DiffAugment
from gankit.objectives import build_objective
from gankit.registry import Registry

ALGORITHMS: Registry[Callable[[Config, DataSpec], Algorithm]] = Registry("algorithm")


@ALGORITHMS.register("gan")
def _gan(config: Config, spec: DataSpec) -> Algorithm:
    objective = build_objective(config.objective)
    generator, discriminator = build_networks(config.model, spec, objective.discriminator_kind)
    assert config.train.batch_size is not None, "config.resolve fills train.batch_size"
    return GAN(generator, discriminator, objective, config.objective, config.model.g_ema or 0.0, config.gan,
               config.train.batch_size, build_augment(config.augment, spec))


def build_augment(config: AugmentConfig, spec: DataSpec) -> DiffAugment | None:
    """DiffAugment for the policy's augmentations, None for `none`; images only."""
    names = augment_policy(config.policy)
    if not names:
        return None
    if spec.kind != "image":
        raise ConfigError(f"augment.policy {config.policy} is for images; {spec.name} holds 2D points (use none)")
    return DiffAugment(names, config.probability, config.ada_target, config.ada_images)


def _unconditional(config: Config) -> None:
    if config.model.conditional:
        raise ConfigError(f"model.algorithm {config.model.algorithm} is unconditional here; drop model.conditional")


@ALGORITHMS.register("ae")
def _ae(config: Config, spec: DataSpec) -> Algorithm:
    _unconditional(config)
    decoder, trunk = build_networks(config.model, spec)
    return Autoencoder(trunk, decoder, config.vae, variational=False)


@ALGORITHMS.register("vae")
def _vae(config: Config, spec: DataSpec) -> Algorithm:
    _unconditional(config)
    decoder, trunk = build_networks(config.model, spec)
    return Autoencoder(trunk, decoder, config.vae, variational=True)


def sample_bounds(spec: DataSpec) -> tuple[float, float]:
    """Where samples may go: the image range, or a box one unit beyond the outermost 2D mode (4.5 without)."""
    if spec.kind == "image":
        return -1.0, 1.0
    reach = float(spec.modes_tensor().abs().max()) + 1 if spec.modes else 4.5
    return -reach, reach


@ALGORITHMS.register("ebm")
def _ebm(config: Config, spec: DataSpec) -> Algorithm:
    _unconditional(config)
    _, energy = build_networks(config.model, spec)
    return EBM(energy, spec.sample_shape, sample_bounds(spec), config.ebm)


def build_algorithm(config: Config, spec: DataSpec) -> Algorithm:
    return ALGORITHMS.get(config.model.algorithm)(config, spec)


__all__ = ["ALGORITHMS", "EBM", "GAN", "Algorithm", "Autoencoder", "Phase", "PhaseOutput", "build_algorithm",
           "sample_bounds"]
