"""Real data, live: a named preset (a small image run that shows something within minutes on two cores) started
from the page, and any stopped live run continued from its checkpoint.

Both are settings a `gankit.serve.live.LiveRun` trains like the 2D ones: what the page shows of an image run is
its newest sample grid and the FID curve from its own metrics.jsonl (train.eval_every), not 2D frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gankit.config import Config
from gankit.errors import GankitError

EVALUATIONS = 10  # FID points (and sample grids) along a real-data run
REAL_PRESETS: dict[str, dict[str, Any]] = {
    # the GAN view: a narrow DCGAN pair; FID in the shipped Fashion-MNIST classifier's features, 1 000 samples
    "fashion-mnist-dcgan": {"data": {"name": "fashion-mnist"},
                            "model": {"algorithm": "gan", "net": "dcgan", "width": 32, "latent_dim": 64}},
    # the generator alone on the same data and the same networks' decoder
    "fashion-mnist-vae": {"data": {"name": "fashion-mnist"},
                          "model": {"algorithm": "vae", "net": "dcgan", "width": 32, "latent_dim": 16}},
}


@dataclass(frozen=True)
class RealDataSettings:
    """A preset, its length and seed; the rest is the preset's."""

    preset: str = "fashion-mnist-dcgan"
    steps: int = 2000
    seed: int = 0
    points: tuple[tuple[float, float], ...] = ()  # none: the data is the preset's

    @property
    def _values(self) -> dict[str, Any]:
        if self.preset not in REAL_PRESETS:
            raise GankitError(f"preset: unknown {self.preset!r}; valid: {', '.join(REAL_PRESETS)}")
        return REAL_PRESETS[self.preset]

    @property
    def data(self) -> str:
        return str(self._values["data"]["name"])

    @property
    def algorithm(self) -> str:
        return str(self._values["model"]["algorithm"])

    def config(self, out: str) -> Config:
        every = max(self.steps // EVALUATIONS, 10)
        train = {"steps": self.steps, "seed": self.seed, "out": out, "device": "cpu", "batch_size": 64,
                 "log_every": 10, "eval_every": every, "eval_samples": 1000, "sample_every": every,
                 "checkpoint_every": every}
        return Config.from_dict(self._values | {"train": train})

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
