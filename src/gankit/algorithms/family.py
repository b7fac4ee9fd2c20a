"""What an algorithm is, torch-free: its config, its defaults, what it supports and how it is shown.

Every place outside `gankit.algorithms` that needs to know something about an algorithm asks its `Family`
(through `ALGORITHMS.get(name)` or `family_of(config)`) instead of comparing the algorithm's name to a string.
`gankit --help`, `--dry-run`, the report and the web page read families without importing torch; the
network code is built on first use through `build`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

from gankit.config.defaults import TOY_DEFAULTS, Layer
from gankit.config.resolve import net_family
from gankit.errors import ConfigError

if TYPE_CHECKING:
    from gankit.algorithms.base import Algorithm
    from gankit.config import Config, DataKind
    from gankit.data.spec import DataSpec

View = Literal["generator alone", "discriminator alone", "generator + discriminator"]
VIEWS: tuple[View, ...] = get_args(View)  # in the lecture's order
# Config sections that belong to one algorithm family or another; the rest (data, model, optim, train) are shared.
OWN_SECTIONS = ("objective", "gan", "augment", "vae", "ebm")


@dataclass(frozen=True)
class Supports:
    """What an algorithm can do; a setting it does not support is refused in one line before anything is built."""

    conditional: bool = False  # class labels in its networks (model.conditional)
    packing: bool = False  # PacGAN's packed D (model.pack)
    penalties: bool = False  # gradient penalties on D (objective.penalty)
    parallel: bool = True  # data-parallel training (--nproc)
    landscape: bool = False  # a D whose score surface over 2D data is drawn
    heldout: bool = False  # numbers on held-out data logged during training (the VAE's test ELBO)
    latent_space: bool = True  # a latent z to interpolate in
    discriminator: bool = False  # a D to ascend from noise ("what D believes is real")
    live: bool = False  # trainable on the web page's live 2D view
    eval_during_training: bool = True  # sampling cheap enough for image metrics along training
    exports: bool = False  # a network that samples in one pass (Algorithm.sampling_network), for `gankit export`


@dataclass(frozen=True)
class Watched:
    """What the training verdict (`gankit.algorithms.verdict`) reads of a run's metrics.jsonl for an algorithm."""

    losses: tuple[str, ...] = ("loss",)  # metrics keys of its losses: a blow-up of any is divergence
    adversarial: bool = False  # a G and a D in contest: mode collapse and "discriminator wins" apply
    falls: bool = True  # the first loss should fall: flat is "not learning yet", far back up is divergence
    energy: str | None = None  # a scale whose blow-up is divergence (the energy model's mean |energy|)


@dataclass(frozen=True)
class Family:
    """One registered algorithm: its name, the lecture's view it is, and everything the rest of gankit asks."""

    name: str
    view: View
    summary: str  # one line for --help and the docs
    build: Callable[[Config, DataSpec, int], Algorithm]  # (resolved config, data, this process's batch) -> module
    sections: tuple[str, ...] = ()  # the algorithm-specific config sections it reads (of OWN_SECTIONS)
    defaults: Layer = field(default_factory=dict)  # its own default layer
    toy_defaults: Layer = field(default_factory=dict)  # on 2D data, above `defaults`
    supports: Supports = Supports()
    progress_labels: dict[str, str] = field(default_factory=dict)  # metrics.jsonl key -> progress-bar label
    shown: tuple[tuple[str, str, str], ...] = ()  # (label, section, key): config values that say what a run is
    watched: Watched = Watched()  # what the training verdict reads of its metrics
    sampling_keys: tuple[str, ...] = ()  # settings that change how a trained model samples, not what it learned

    @property
    def has_recipe(self) -> bool:
        """Whether `model.recipe` (`--recipe modern`) means something for this algorithm."""
        return False

    def presets(self, config: Config) -> dict[str, tuple[Any, str]]:
        """Fields a named preset picks before the default layers apply: key -> (value, where it comes from)."""
        return {}

    def net(self, config: Config, kind: DataKind) -> str:
        """The net family a run of this algorithm gets (`model.net`, or by the data and recipe when `auto`)."""
        return net_family(config.model, kind)

    def default_layers(self, config: Config, toy: bool) -> list[tuple[str, Layer]]:
        """(layer name, values) in priority order, above the net family's and the base layer: its own choices
        (no batch-norm D, no minibatch std, …) beat the GAN-tuned 2D layer."""
        own = [(f"algorithm {self.name}", self.defaults)]
        if not toy:
            return own
        return [(f"algorithm {self.name} on 2D data", self.toy_defaults), *own, ("2D data", TOY_DEFAULTS)]

    def check(self, config: Config) -> None:
        """Refuse, in one line, settings this algorithm does not support."""
        m, what = config.model, f"model.algorithm {self.name}"
        if m.conditional and not self.supports.conditional:
            raise ConfigError(f"{what} is unconditional here; drop model.conditional")
        if m.pack > 1 and not self.supports.packing:
            raise ConfigError(f"model.pack (PacGAN) is for unconditional GANs, not {what}")
        if m.recipe != "none" and not self.has_recipe:
            raise ConfigError(f"{what} has no recipe {m.recipe!r}; drop --recipe (the GAN and rae have one)")

    def with_sampling(self, config: Config, assignments: dict[str, str]) -> Config:
        """A trained run's config with other sampling settings (`--sampler KEY=VALUE`); a key that would change
        what the saved weights mean is refused in one line."""
        for key in assignments:
            if key not in self.sampling_keys:
                valid = ", ".join(self.sampling_keys) or "none: it samples in one pass"
                raise ConfigError(f"--sampler {key}: not a sampling setting of {self.name} (valid: {valid})")
        return config.override(assignments)

    def run_name(self, config: Config) -> str:
        """What the default run folder's name says of the model: runs/<data>-<this>-<time>."""
        return self.name

    def phase_lines(self, config: Config) -> list[str]:
        """One line per phase of a training iteration, for --dry-run (the config must be resolved)."""
        return [f"{self.name}: one update per iteration"]

    def describe(self, sections: dict[str, Any]) -> dict[str, Any]:
        """The `shown` values of a run's saved config sections (None where missing), by label."""
        def get(section: str, key: str) -> Any:
            values = sections.get(section)
            return values.get(key) if isinstance(values, dict) else None

        return {label: get(section, key) for label, section, key in self.shown}

    def unused_sections(self) -> tuple[str, ...]:
        """The algorithm-specific sections this algorithm never reads (the report leaves them out)."""
        return tuple(name for name in OWN_SECTIONS if name not in self.sections)
