"""A run folder describes itself: config, data description, metrics, checkpoints and pictures."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gankit.config import Config
from gankit.data.spec import DataSpec
from gankit.errors import CheckpointError, GankitError
from gankit.training.checkpoint import write_atomic
from gankit.version import __version__


@dataclass(frozen=True)
class RunFolder:
    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / "config.yaml"

    @property
    def info_path(self) -> Path:
        return self.root / "run.json"

    @property
    def metrics_path(self) -> Path:
        return self.root / "metrics.jsonl"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def samples(self) -> Path:
        return self.root / "samples"

    @property
    def snapshots(self) -> Path:
        return self.root / "samples" / "snapshots"

    @property
    def tensorboard(self) -> Path:
        return self.root / "tb"

    def exists(self) -> bool:
        return self.config_path.is_file()

    def check_new(self, overwrite: bool) -> None:
        """Refuse to mix a new run with an earlier one in the same folder unless `overwrite`."""
        if self.exists() and not overwrite:
            raise GankitError(
                f"{self.root} already holds a run: continue it with `gankit resume {self.root}`, "
                "pick another --out, or pass --overwrite"
            )

    def create(self, config: Config, spec: DataSpec, overwrite: bool = False) -> None:
        """Start a new run here, clearing an earlier run's outputs when `overwrite`."""
        self.check_new(overwrite)
        if self.exists():
            self.metrics_path.unlink(missing_ok=True)
            for folder in (self.checkpoints, self.samples, self.tensorboard):
                shutil.rmtree(folder, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)
        write_atomic(self.config_path, config.to_yaml().encode())
        info = {"data": spec.to_dict(), "gankit_version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
        write_atomic(self.info_path, json.dumps(info, indent=1).encode())

    def load_config(self) -> Config:
        if not self.exists():
            raise CheckpointError(f"{self.root} is not a gankit run folder (no config.yaml)")
        return Config.from_yaml(self.config_path)

    def load_spec(self) -> DataSpec:
        try:
            return DataSpec.from_dict(json.loads(self.info_path.read_text())["data"])
        except (OSError, ValueError, KeyError) as err:
            raise CheckpointError(f"{self.info_path} is missing or damaged ({err})") from None

    def write_json(self, name: str, values: dict[str, Any]) -> Path:
        path = self.root / name
        write_atomic(path, json.dumps(values, indent=1).encode())
        return path


def default_run_name(config: Config) -> str:
    """runs/<data>-<model>-<objective>-<time>, e.g. runs/ring8-auto-ns-20261125-141500."""
    data = config.data.name.replace("folder:", "folder-").replace("/", "_").strip("_")
    model = config.model.net if config.model.algorithm == "gan" else config.model.algorithm
    return f"runs/{data}-{model}-{config.objective.name}-{time.strftime('%Y%m%d-%H%M%S')}"
