"""What a live run is started from: the live page's 2D settings (GAN Lab's rows), the three views, a real-data
preset, or a stopped run resumed. Each gives the run's config and what the page repeats of it (`public`).

A real-data run is a shipped image preset (`gankit presets`) with the page's steps and seed: what the page shows
of it is its newest sample grid and the FID curve from its own metrics.jsonl (train.eval_every), not 2D frames.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, get_args, get_type_hints

from gankit.algorithms import ALGORITHMS
from gankit.algorithms.family import VIEWS
from gankit.config import Config, OptimConfig
from gankit.config.presets import preset_names, preset_path
from gankit.data.catalog import dataset_kind
from gankit.errors import GankitError

DRAWN = "drawn"  # the data name for points drawn on the page
DRAWN_FILE = "drawn.csv"  # where they are written, inside the live run's own folder (a `points:` dataset)
MIN_DRAWN, MAX_DRAWN = 32, 5000  # points drawn by hand a run takes
OPTIMIZERS: tuple[str, ...] = get_args(get_args(get_type_hints(OptimConfig)["name"])[0])  # optim.name's choices


class RunSettings(Protocol):
    """What a live run is started from: LiveSettings, RealDataSettings or Resumed."""

    @property
    def steps(self) -> int: ...

    @property
    def points(self) -> tuple[tuple[float, float], ...]: ...

    @property
    def data(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    def config(self, out: str) -> Config: ...

    def public(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class LiveSettings:
    """What the page lets one choose (GAN Lab's rows); the rest is a small, fast 2D setup."""

    data: str = "ring8"  # a 2D set, or DRAWN: `points`
    algorithm: str = "gan"  # a family that supports the live view
    objective: str = "ns"
    optimizer: str = "adam"  # one of OPTIMIZERS
    d_steps: int = 2  # with 2 200 steps: 9 of 10 ring8 seeds show 8/8 (1 D step, 1 500 steps: 3 of 10)
    lr_g: float = 3e-3
    lr_d: float = 3e-3
    lr_final: float = 0.03  # both rates decay to this fraction by a half cosine over the run (samples settle on modes)
    width: int = 64  # G's hidden units
    depth: int = 3  # G's hidden layers
    d_width: int = 64
    d_depth: int = 3
    latent_dim: int = 2
    steps: int = 2200  # ring8: 8/8 modes on screen after 590-1 260 iterations, 6-12 s (docs/how-to/serve.md)
    seed: int = 0
    points: tuple[tuple[float, float], ...] = field(default=(), repr=False)  # drawn by hand, in [-4.5, 4.5]²

    def config(self, out: str) -> Config:
        """A small MLP pair on the 2D data, logging every 20 iterations, saving no landscape frames (the page draws
        its own, and a saved frame costs as much as 20 iterations); validated like any config."""
        drawn = self.data == DRAWN
        if drawn and len(self.points) < MIN_DRAWN:
            raise GankitError(f"points: draw at least {MIN_DRAWN} points (got {len(self.points)})")
        if not drawn and self.points:
            raise GankitError(f"points: only with data {DRAWN!r}")
        data = {"name": f"points:{out}/{DRAWN_FILE}"} if drawn else {"name": self.data, "num_points": 20_000}
        values: dict[str, Any] = {
            "data": data,
            # no weight average: the page shows G itself, so that one G step visibly moves its samples
            "model": {"algorithm": self.algorithm, "width": self.width, "depth": self.depth, "d_width": self.d_width,
                      "d_depth": self.d_depth, "latent_dim": self.latent_dim, "g_ema": 0.0},
            "optim": {"name": self.optimizer, "lr_g": self.lr_g, "lr_d": self.lr_d, "lr_final": self.lr_final,
                      "decay_steps": self.steps},
            "train": {"steps": self.steps, "batch_size": min(512, len(self.points)) if drawn else 512,
                      "seed": self.seed, "out": out, "device": "cpu", "log_every": 20, "landscape_every": 0,
                      "sample_every": self.steps,
                      "checkpoint_every": 100, "progress_steps": [100, 1000]},
        }
        family = ALGORITHMS.get(self.algorithm)
        if not family.supports.live:
            valid = ", ".join(live_algorithms())
            raise GankitError(f"{self.algorithm} does not train on the live page; valid: {valid}")
        own = {"objective": {"name": self.objective}, "gan": {"d_steps": self.d_steps},
               # a shorter chain per negative batch than the 2D default (50), so the page moves
               "ebm": {"langevin_steps": 20, "buffer_size": 2000}}
        return Config.from_dict(values | {section: own[section] for section in family.sections if section in own})

    def public(self) -> dict[str, Any]:
        """The settings without the drawn points (their count instead): what every frame repeats."""
        return {k: v for k, v in asdict(self).items() if k != "points"} | {"drawn_points": len(self.points)}


def three_views(algorithms: list[str], data: str, steps: int, seed: int) -> list[LiveSettings]:
    """One run per view of the lecture, in its order (the generator alone, the discriminator alone, both), on the
    same data with the same seed; each algorithm named must be of its view."""
    if len(algorithms) != len(VIEWS):
        raise GankitError(f"algorithms: one per view ({', '.join(VIEWS)}), got {len(algorithms)}")
    for name, view in zip(algorithms, VIEWS, strict=True):
        if ALGORITHMS.get(name).view != view:
            raise GankitError(f"algorithms: {name} is the {ALGORITHMS.get(name).view} view, not the {view} view")
    return [LiveSettings(data=data, algorithm=name, steps=steps, seed=seed) for name in algorithms]


def live_algorithms() -> list[str]:
    """The registered algorithms the live page can train."""
    return [name for name in ALGORITHMS.names() if ALGORITHMS.get(name).supports.live]


EVALUATIONS = 10  # FID points (and sample grids) along a real-data run
QUICK_PRESET = "fashion-gan-quick"  # the page's default: the DCGAN pair, about 4 minutes on two cores


def real_presets() -> list[str]:
    """The shipped presets (`gankit presets`) of image data whose algorithm can be scored along training, the
    quick GAN first: what the page's Real data card offers."""
    names = []
    for name in preset_names():
        config = _preset(name)
        if dataset_kind(config.data.name) == "image" and \
                ALGORITHMS.get(config.model.algorithm).supports.eval_during_training:
            names.append(name)
    return sorted(names, key=lambda n: (n != QUICK_PRESET, n))


def _preset(name: str) -> Config:
    return Config.from_yaml(preset_path(name))


@dataclass(frozen=True)
class RealDataSettings:
    """A shipped preset, its length and seed; the rest is the preset's, as `gankit train --preset` would run it."""

    preset: str = QUICK_PRESET
    steps: int = 2000
    seed: int = 0
    points: tuple[tuple[float, float], ...] = ()  # none: the data is the preset's

    @property
    def _preset(self) -> Config:
        if self.preset not in real_presets():
            raise GankitError(f"preset: unknown {self.preset!r}; valid: {', '.join(real_presets())}")
        return _preset(self.preset)

    @property
    def data(self) -> str:
        return self._preset.data.name

    @property
    def algorithm(self) -> str:
        return self._preset.model.algorithm

    def config(self, out: str) -> Config:
        every = max(self.steps // EVALUATIONS, 10)
        return self._preset.override({
            "train.steps": self.steps, "train.seed": self.seed, "train.out": out, "train.log_every": 10,
            "train.eval_every": every, "train.eval_samples": 1000, "train.sample_every": every,
            "train.checkpoint_every": every, "train.time_limit": 0.0})

    def public(self) -> dict[str, Any]:
        return {"preset": self.preset, "steps": self.steps, "seed": self.seed, "data": self.data,
                "algorithm": self.algorithm}


@dataclass(frozen=True)
class Resumed:
    """A stopped run continued from its last checkpoint to `steps` iterations in all (`gankit resume`)."""

    saved: Config  # the run's own config.yaml
    steps: int
    points: tuple[tuple[float, float], ...] = ()

    @property
    def data(self) -> str:
        return self.saved.data.name

    @property
    def algorithm(self) -> str:
        return self.saved.model.algorithm

    def config(self, out: str) -> Config:
        return self.saved.override({"train.steps": self.steps})

    def public(self) -> dict[str, Any]:
        return {"resumed": True, "steps": self.steps, "data": self.data, "algorithm": self.algorithm}
