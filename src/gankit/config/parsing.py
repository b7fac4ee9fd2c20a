"""From plain values to a Config: renamed keys moved, every field's type checked, ranges validated early.

Each message names the field, so a typo in a YAML file or a --set is one line that says where it is.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
import warnings
from typing import TYPE_CHECKING, Any, Literal

import yaml

from gankit.errors import ConfigError

if TYPE_CHECKING:
    from gankit.config.schema import Config, VAEConfig

FLOAT32_MAX = 3.4e38  # the networks compute in float32 (or less): a larger setting overflows on the first step
MAX_SEED = 2**63 - 1  # torch's generators take a signed 64-bit seed
MAX_STEPS = 10**9  # beyond this a typo, not a plan: a billion steps of the smallest model take years on a CPU

# Keys renamed in gankit 0.2 (GAN-only fields left `train`); the old ones still work for one release.
AUGMENTATIONS = ("color", "translation", "cutout")  # DiffAugment's, in the order it applies them

RENAMED_KEYS = {"train.d_steps": "gan.d_steps", "train.g_steps": "gan.g_steps", "train.order": "gan.order"}


def new_key(key: str) -> str:
    if key in RENAMED_KEYS:
        warnings.warn(f"config key {key} is now {RENAMED_KEYS[key]}; the old name goes in the next release",
                      FutureWarning, stacklevel=3)
        return RENAMED_KEYS[key]
    return key


def renamed(values: Any) -> Any:
    """`values` with renamed keys moved to their new place (a run folder of gankit 0.1 still loads)."""
    if not isinstance(values, dict):
        return values
    values = {k: dict(v) if isinstance(v, dict) else v for k, v in values.items()}
    for old in RENAMED_KEYS:
        section, name = old.split(".")
        if isinstance(values.get(section), dict) and name in values[section]:
            new_section, new_name = new_key(old).split(".")
            moved = values[section].pop(name)
            target = values.setdefault(new_section, {})
            if isinstance(target, dict) and target.get(new_name) is None:
                target[new_name] = moved
    return values


def build_section(cls: type, values: Any, prefix: str) -> Any:
    """Build dataclass `cls` from a dict, rejecting unknown fields and checking each value's type."""
    if not isinstance(values, dict):
        raise ConfigError(f"{prefix.rstrip('.') or 'config'} must be a mapping, got {values!r}")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"unknown field {prefix}{unknown[0]}; valid: {', '.join(sorted(known))}")
    kwargs = {}
    for name, value in values.items():
        hint = hints[name]
        if dataclasses.is_dataclass(hint):
            kwargs[name] = build_section(typing.cast(type, hint), value, f"{prefix}{name}.")
        else:
            kwargs[name] = _coerce(value, hint, f"{prefix}{name}")
    return cls(**kwargs)


def takes_text(hint: Any) -> bool:
    """Whether a field holds text only (a name, a path, a device, a choice of words): a string typed for it is
    taken as it is, never read as YAML (`runs/exp #2` is a folder name, not `runs/exp` and a comment)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return all(takes_text(option) for option in options)
    if origin is Literal:
        return all(isinstance(a, str) for a in args)
    return hint is str


def typed_value(text: str, hint: Any, name: str) -> Any:
    """A value typed on the command line for a field: literal text for a text field, else a YAML scalar or flow
    list (`1e-3`, `true`, `[100, 1000]`), as a config file would give it."""
    if takes_text(hint) or not text.strip():
        return text
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"{name}: cannot read {text!r} ({str(err).splitlines()[0]})") from None


def _coerce(value: Any, hint: Any, name: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return _coerce(value, options[0], name)
        for option in options:  # the first that takes the value
            try:
                return _coerce(value, option, name)
            except ConfigError:
                continue
        kinds = " or ".join(", ".join(map(str, typing.get_args(o))) if typing.get_origin(o) is Literal
                            else o.__name__ for o in options)
        raise ConfigError(f"{name} must be {kinds}, got {value!r}")
    if origin is Literal:
        if value not in args:
            raise ConfigError(f"{name} must be one of {', '.join(map(str, args))}, got {value!r}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{name} must be a list, got {value!r}")
        return [_coerce(v, args[0], f"{name}[{i}]") for i, v in enumerate(value)]
    if hint is float and isinstance(value, (int, str)) and not isinstance(value, bool):
        try:  # YAML 1.1 reads "1e-3" as a string
            return float(value)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {value!r}") from None
    is_bool_as_int = hint is int and isinstance(value, bool)
    if hint in (int, float, str, bool) and (not isinstance(value, hint) or is_bool_as_int):
        raise ConfigError(f"{name} must be {hint.__name__}, got {value!r}")
    return value


def validate(config: Config) -> None:
    """Range checks that types alone cannot express; each message names the field."""
    _check_positive(config)
    _check_limits(config)
    _check_non_negative(config)
    _check_model(config)
    _check_vae(config.vae)
    _check_fractions(config)
    _check_shapes(config)
    _validate_modern(config)
    device = config.train.device
    if device != "auto" and not (device == "cpu" or device.startswith("cuda")):
        raise ConfigError(f"train.device must be auto, cpu, cuda or cuda:N, got {device!r}")


def _check_positive(config: Config) -> None:
    """Counts, rates and step sizes that must be above zero (None: filled by algorithms.resolve)."""
    t, o, g, e = config.train, config.optim, config.gan, config.ebm
    positive = {
        "train.steps": t.steps, "train.batch_size": t.batch_size, "gan.d_steps": g.d_steps,
        "gan.g_steps": g.g_steps, "train.log_every": t.log_every, "train.sample_every": t.sample_every,
        "train.checkpoint_every": t.checkpoint_every, "optim.lr_g": o.lr_g, "optim.lr_d": o.lr_d,
        "data.num_points": config.data.num_points, "objective.penalty_every": config.objective.penalty_every,
        "objective.began_gamma": config.objective.began_gamma, "vae.gaussian_std": config.vae.gaussian_std,
        "ebm.langevin_steps": e.langevin_steps, "ebm.step_size": e.step_size,
        "ebm.sample_steps": e.sample_steps, "model.pack": config.model.pack,
        "ebm.chain_step_size": e.chain_step_size, "ebm.sample_chain_step_size": e.sample_chain_step_size,
    }
    for name, value in positive.items():
        if value is not None and not (value > 0 and math.isfinite(value)):
            raise ConfigError(f"{name} must be positive, got {value}")
        if value is not None and value > FLOAT32_MAX:
            raise ConfigError(f"{name} is too large for float32 (at most {FLOAT32_MAX:g}), got {value:g}")


def _check_limits(config: Config) -> None:
    """The seed, thread and step counts' own ranges."""
    t = config.train
    if not 0 <= t.seed <= MAX_SEED:
        raise ConfigError(f"train.seed must be in 0..{MAX_SEED} (2^63 - 1), got {t.seed}")
    if isinstance(t.threads, int) and t.threads < 1:
        raise ConfigError(f"train.threads must be auto or at least 1, got {t.threads}")
    if t.steps > MAX_STEPS:
        raise ConfigError(f"train.steps must be at most {MAX_STEPS:,}, got {t.steps:,}")
    if t.eval_samples < 10:
        raise ConfigError(f"train.eval_samples must be at least 10, got {t.eval_samples}")


def _check_non_negative(config: Config) -> None:
    """Weights, periods and budgets where zero means off."""
    t, ob, v, e = config.train, config.objective, config.vae, config.ebm
    for name, value in (("objective.penalty_weight", ob.penalty_weight), ("objective.clip", ob.clip),
                        ("objective.aux_weight", ob.aux_weight), ("objective.began_k_lr", ob.began_k_lr),
                        ("train.max_recoveries", t.max_recoveries), ("train.eval_every", t.eval_every),
                        ("train.time_limit", t.time_limit), ("train.landscape_every", t.landscape_every),
                        ("vae.beta", v.beta), ("ebm.noise", e.noise),
                        ("ebm.buffer_size", e.buffer_size), ("ebm.energy_penalty", e.energy_penalty),
                        ("ebm.score_matching", e.score_matching),
                        ("objective.gamma_r1", ob.gamma_r1), ("objective.gamma_r2", ob.gamma_r2),
                        ("objective.penalty_decay_steps", ob.penalty_decay_steps),
                        ("optim.decay_steps", config.optim.decay_steps),
                        ("vae.code_penalty", v.code_penalty), ("vae.decoder_penalty", v.decoder_penalty)):
        if value is not None and not (value >= 0 and math.isfinite(value)):
            raise ConfigError(f"{name} must be >= 0, got {value}")


def _check_model(config: Config) -> None:
    """PacGAN's packing against the batch and the conditional model."""
    m, batch_size = config.model, config.train.batch_size
    if m.pack > 1 and m.conditional:
        raise ConfigError("model.pack (PacGAN) is for unconditional GANs")
    if m.pack > 1 and batch_size is not None and batch_size % m.pack:
        raise ConfigError(f"train.batch_size {batch_size} must be a multiple of model.pack {m.pack}")


def _check_vae(v: VAEConfig) -> None:
    """The ex-post latent density's sizes."""
    if v.density_components < 1:
        raise ConfigError(f"vae.density_components must be at least 1, got {v.density_components}")
    for name, count in (("vae.density_width", v.density_width), ("vae.density_steps", v.density_steps)):
        if count < 1:
            raise ConfigError(f"{name} must be at least 1, got {count}")
    if v.density_examples is not None and v.density_examples < v.density_components:
        raise ConfigError(f"vae.density_examples must be at least vae.density_components ({v.density_components}), "
                          f"got {v.density_examples}")


def _check_fractions(config: Config) -> None:
    """Decay rates and probabilities in [0, 1) or [0, 1]."""
    e, m, o = config.ebm, config.model, config.optim
    if not 0 <= e.energy_ema < 1:
        raise ConfigError(f"ebm.energy_ema must be in [0, 1) (0 = off), got {e.energy_ema}")
    if not 0 <= e.restart <= 1:
        raise ConfigError(f"ebm.restart must be in [0, 1], got {e.restart}")
    if m.g_ema is not None and not 0 <= m.g_ema < 1:
        raise ConfigError(f"model.g_ema must be in [0, 1) (0 = off), got {m.g_ema}")
    for name, beta in (("optim.beta1", o.beta1), ("optim.beta2", o.beta2), ("optim.beta2_start", o.beta2_start)):
        if beta is not None and not 0 <= beta < 1:
            raise ConfigError(f"{name} must be in [0, 1), got {beta}")


def _check_shapes(config: Config) -> None:
    """Network sizes and image shapes."""
    m, d = config.model, config.data
    if m.latent_dim < 0 or m.width < 0 or m.depth < 1:
        raise ConfigError("model.latent_dim and model.width must be >= 0 and model.depth >= 1")
    if m.d_width < 0 or m.d_depth < 0:
        raise ConfigError("model.d_width and model.d_depth must be >= 0 (0: as width and depth)")
    if d.channels not in (None, 1, 3):
        raise ConfigError(f"data.channels must be 1 or 3, got {d.channels}")
    if d.image_size is not None and d.image_size < 4:
        raise ConfigError(f"data.image_size must be at least 4, got {d.image_size}")


def augment_policy(policy: str | None) -> list[str]:
    """The augmentations a policy string names, in DiffAugment's order; one-line error for unknown ones."""
    names = [] if policy is None or policy.strip() in ("", "none") else [n.strip() for n in policy.split(",")]
    unknown = [n for n in names if n not in AUGMENTATIONS]
    if unknown:
        raise ConfigError(f"augment.policy: unknown augmentation {unknown[0]!r}; valid: none or a comma list of "
                          f"{', '.join(AUGMENTATIONS)}")
    return [n for n in AUGMENTATIONS if n in names]


def _validate_modern(config: Config) -> None:
    """The fields of the modern recipe's parts: penalty and lr decay, augmentation and ADA."""
    ob, a = config.objective, config.augment
    for name, final in (("objective.penalty_final", ob.penalty_final), ("optim.lr_final", config.optim.lr_final)):
        if final is not None and not 0 <= final <= 1:
            raise ConfigError(f"{name} must be in [0, 1], got {final}")
    augment_policy(a.policy or "none")
    if not 0 <= a.probability <= 1:
        raise ConfigError(f"augment.probability must be in [0, 1], got {a.probability}")
    if not 0 <= a.ada_target < 1:
        raise ConfigError(f"augment.ada_target must be in [0, 1) (0 = off), got {a.ada_target}")
    if a.ada_images <= 0:
        raise ConfigError(f"augment.ada_images must be positive, got {a.ada_images}")
