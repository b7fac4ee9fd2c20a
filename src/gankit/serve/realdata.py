"""Real data, live: an image run started from the page from a shipped preset, watched as it trains.

The run is an ordinary `gankit.train` of the preset (its steps, seed and how often it draws and evaluates
set by the page) into RUNS_DIR/page/PRESET-TIME, in a thread (gankit.serve.background). The page reads
what the run writes itself: its newest sample grid and the FID line of each evaluation (classifier
features, `train.eval_every`). Stopping checkpoints it; resuming continues any stopped run of RUNS_DIR.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from gankit.config import Config
from gankit.config.presets import preset_names, preset_path
from gankit.data.catalog import dataset_kind
from gankit.errors import GankitError
from gankit.serve.background import Busy, TrainingThread
from gankit.serve.runs import RunsDir, curves
from gankit.training.run_folder import RunFolder

DEFAULT_PRESET = "fashion-gan-quick"
PICTURES = 20  # sample grids along a run: train.sample_every is steps / PICTURES
EVALUATIONS = 10  # FID points along a run
EVAL_SAMPLES = 1000  # generated and real images per FID point: a second or two in classifier features


def image_presets() -> list[str]:
    """The shipped presets of image data, the page's choices (the default first)."""
    names = [n for n in preset_names() if dataset_kind(_preset(n).data.name) == "image"]
    return sorted(names, key=lambda n: (n != DEFAULT_PRESET, n))


def _preset(name: str) -> Config:
    return Config.from_yaml(str(preset_path(name)))


@dataclass(frozen=True)
class ImageSettings:
    preset: str = DEFAULT_PRESET
    steps: int = 3000
    seed: int = 0

    def config(self, out: str) -> Config:
        """The preset with the page's steps and seed, drawing and evaluating PICTURES and EVALUATIONS times."""
        if self.preset not in image_presets():
            raise GankitError(f"preset: {self.preset!r} is not an image preset; valid: {', '.join(image_presets())}")
        return _preset(self.preset).override({
            "train.steps": self.steps, "train.seed": self.seed, "train.out": out,
            "train.sample_every": max(1, self.steps // PICTURES), "train.eval_every": max(1, self.steps // EVALUATIONS),
            "train.eval_samples": EVAL_SAMPLES, "train.checkpoint_every": max(1, self.steps // EVALUATIONS),
        })


class ImageRun:
    """One image run trained from the page: a new one from a preset, or a stopped one resumed."""

    def __init__(self, runs: RunsDir, folder: RunFolder, thread: TrainingThread, settings: dict[str, Any]) -> None:
        self.runs, self.folder, self.thread, self.settings = runs, folder, thread, settings

    @classmethod
    def new(cls, runs: RunsDir, settings: ImageSettings) -> ImageRun:
        from gankit.api import train

        name = f"page/{settings.preset}-{time.strftime('%Y%m%d-%H%M%S')}"
        count = 1
        while (runs.root / (f"{name}-{count}" if count > 1 else name)).exists():  # two starts within a second
            count += 1
        folder = RunFolder(runs.root / (f"{name}-{count}" if count > 1 else name))
        config = settings.config(str(folder.root))  # a bad value is one line here, before any thread
        thread = TrainingThread(lambda callbacks: train(config, progress=False, callbacks=callbacks),
                                name="gankit-image-run")
        return cls(runs, folder, thread, asdict(settings))

    @classmethod
    def resumed(cls, runs: RunsDir, folder: RunFolder) -> ImageRun:
        from gankit.api import resume

        if not folder.checkpoints.is_dir():
            raise GankitError(f"{runs.run_id(folder)} has no checkpoint to resume from")
        config = folder.load_config()
        if dataset_kind(config.data.name) != "image":
            raise GankitError(f"{runs.run_id(folder)} is a 2D run: resume it from the live 2D page or the command line")
        thread = TrainingThread(lambda callbacks: resume(folder.root, progress=False, callbacks=callbacks),
                                name="gankit-image-run")
        return cls(runs, folder, thread, {"resumed": True, "steps": config.train.steps})

    def public(self) -> dict[str, Any]:
        grids = sorted(self.folder.samples.glob("step-*.png")) if self.folder.samples.is_dir() else []
        fid = curves(self.folder, ("eval/fid",)).get("eval/fid", [])
        return {"state": self.thread.state, "error": self.thread.error, "run": self.runs.run_id(self.folder),
                "step": self.thread.step, "steps": self.settings.get("steps"), "settings": self.settings,
                "grid": f"{self.runs.run_id(self.folder)}/samples/{grids[-1].name}" if grids else None,
                "fid": fid}


class ImageRuns:
    """The server's one image-run slot. `busy_elsewhere` says what else trains (the live 2D run): the machine's
    cores go to one training at a time."""

    def __init__(self, runs: RunsDir, busy_elsewhere: Callable[[], str | None]) -> None:
        self.runs, self.busy_elsewhere = runs, busy_elsewhere
        self.current: ImageRun | None = None
        self._lock = threading.Lock()

    def busy(self) -> str | None:
        """What trains in this slot now, as words, or None."""
        if self.current is not None and self.current.thread.alive:
            return f"an image run is training ({self.runs.run_id(self.current.folder)})"
        return None

    def start(self, settings: ImageSettings) -> ImageRun:
        return self._started(lambda: ImageRun.new(self.runs, settings))

    def resume(self, run_id: str) -> ImageRun:
        return self._started(lambda: ImageRun.resumed(self.runs, self.runs.run(run_id)))

    def _started(self, make: Callable[[], ImageRun]) -> ImageRun:
        with self._lock:
            if busy := self.busy() or self.busy_elsewhere():
                raise Busy(f"{busy}; stop it first")
            run = make()
            run.thread.start()
            self.current = run
            return run

    def stop(self) -> ImageRun:
        with self._lock:
            if self.current is None:
                raise GankitError("no image run to stop")
            self.current.thread.request_stop()
            return self.current

    def close(self, timeout: float = 10.0) -> None:
        """On server shutdown: ask the run to stop (it checkpoints) and wait for it a while."""
        if self.current is not None:
            self.current.thread.request_stop()
            self.current.thread.join(timeout)


__all__ = ["DEFAULT_PRESET", "ImageRun", "ImageRuns", "ImageSettings", "image_presets"]
