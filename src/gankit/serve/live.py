"""Live 2D: a small 2D training started from the page, watched while it trains, stopped on request.

The run is an ordinary `gankit.train` into RUNS_DIR/live/..., in a thread of the server; a training
callback (the API's own hook) copies, every few iterations, what the page draws: D's score on a square
grid, the data, and the current negatives (G's samples, or the EBM's Langevin negatives). The losses
come from the run's own metrics.jsonl. One live run at a time per server.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from gankit.algorithms import ALGORITHMS
from gankit.config import Config
from gankit.errors import GankitError
from gankit.serve.runs import RunsDir, curves
from gankit.training.run_folder import RunFolder

if TYPE_CHECKING:
    from gankit.training.trainer import Trainer

HEAT_RESOLUTION = 48  # D is scored on this many × this many points per frame (the saved frames use 120)
NEGATIVES = 300  # negatives sent per frame
DATA_POINTS = 600  # data points sent (once per run)
FRAME_EVERY = 5  # iterations between frames
LIVE_CURVES = ("loss_d", "loss_g", "loss", "d_real", "d_fake", "energy_magnitude")


class Busy(GankitError):
    """A second live run while one trains: the server answers 409."""


@dataclass(frozen=True)
class LiveSettings:
    """What the page lets one choose; the rest is a small, fast 2D setup."""

    data: str = "ring8"
    algorithm: str = "gan"  # a family that supports the live view
    objective: str = "ns"
    d_steps: int = 1
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    steps: int = 1000  # ring8's ring forms by about 1 000 iterations (400 ended before it)
    seed: int = 0

    def config(self, out: str) -> Config:
        """A small MLP pair on the toy set, logging every 20 iterations; validated like any config."""
        values: dict[str, Any] = {
            "data": {"name": self.data, "num_points": 20_000},
            "model": {"algorithm": self.algorithm, "width": 64, "depth": 3},
            "optim": {"lr_g": self.lr_g, "lr_d": self.lr_d},
            "train": {"steps": self.steps, "batch_size": 256, "seed": self.seed, "out": out, "device": "cpu",
                      "log_every": 20, "sample_every": self.steps, "checkpoint_every": 100,
                      "progress_steps": [100, 1000]},
        }
        family = ALGORITHMS.get(self.algorithm)
        if not family.supports.live:
            valid = ", ".join(live_algorithms())
            raise GankitError(f"{self.algorithm} does not train on the live page; valid: {valid}")
        own = {"objective": {"name": self.objective}, "gan": {"d_steps": self.d_steps},
               # a shorter chain per negative batch than the 2D default (50), so the page moves
               "ebm": {"langevin_steps": 20, "buffer_size": 2000}}
        return Config.from_dict(values | {section: own[section] for section in family.sections if section in own})


def live_algorithms() -> list[str]:
    """The registered algorithms the live page can train."""
    return [name for name in ALGORITHMS.names() if ALGORITHMS.get(name).supports.live]


@dataclass
class Frame:
    step: int
    bounds: tuple[float, float]
    scores: list[list[float]]  # [x][y], HEAT_RESOLUTION each
    negatives: list[list[float]]  # [NEGATIVES, 2]


class LiveRun:
    """One live training: its thread, the latest frame, and how it ended."""

    def __init__(self, runs: RunsDir, settings: LiveSettings, out: RunFolder) -> None:
        self.runs, self.settings, self.folder = runs, settings, out
        self.config = settings.config(str(out.root))  # a bad value is a ConfigError here, before any thread
        self.state: Literal["starting", "running", "stopping", "stopped", "finished", "failed"] = "starting"
        self.error: str | None = None
        self.step = 0
        self.frames = 0
        self.frame: Frame | None = None
        self.data: list[list[float]] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._train, name="gankit-live", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        if self.state in ("starting", "running"):
            self.state = "stopping"
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _train(self) -> None:
        from gankit.api import train

        try:
            run = train(self.config, callbacks=(self._watch,))
        except GankitError as err:
            self.error, self.state = str(err), "failed"
            return
        except Exception as err:  # the server keeps serving; the page shows what went wrong in one line
            self.error, self.state = f"{type(err).__name__}: {err}", "failed"
            return
        self.step = run.step
        self.state = "stopped" if run.interrupted else "finished"

    def _watch(self, trainer: Trainer) -> None:
        """The training callback: after every iteration, stop when asked, and copy a frame now and then."""
        if self._stop.is_set():
            trainer.request_stop()
        elif self.state == "starting":
            self.state = "running"
        self.step = trainer.step
        if trainer.step % FRAME_EVERY == 0 or trainer.step == trainer.config.train.steps:
            self.frame = _frame(trainer)
            if self.data is None and trainer.outputs.real_points is not None:
                self.data = _rounded(trainer.outputs.real_points[:DATA_POINTS])
            self.frames += 1

    def public(self) -> dict[str, Any]:
        return {"state": self.state, "error": self.error, "run": self.runs.run_id(self.folder),
                "step": self.step, "steps": self.settings.steps, "frames": self.frames,
                "settings": asdict(self.settings), "data": self.data,
                "frame": None if self.frame is None else asdict(self.frame),
                "curves": curves(self.folder, LIVE_CURVES)}


def _rounded(points: Any) -> list[list[float]]:
    return [[round(float(v), 4) for v in row] for row in points.tolist()]


def _frame(trainer: Trainer) -> Frame:
    """D's scores and the negatives now; read-only (eval mode for the call, the run's RNG untouched)."""
    from gankit.algorithms.base import score_grid, seeded

    discriminator = trainer.algorithm.landscape_discriminator()
    scores = [] if discriminator is None else _rounded(score_grid(discriminator, trainer.bounds, trainer.device,
                                                                  HEAT_RESOLUTION).cpu())
    negatives = trainer.algorithm.negatives_for_picture(NEGATIVES, seeded(trainer.device, trainer.config.train.seed))
    return Frame(trainer.step, trainer.bounds, scores, [] if negatives is None else _rounded(negatives.cpu()))


class Live:
    """The server's one live slot."""

    def __init__(self, runs: RunsDir) -> None:
        self.runs = runs
        self.current: LiveRun | None = None
        self._lock = threading.Lock()

    def start(self, settings: LiveSettings) -> LiveRun:
        with self._lock:
            if self.current is not None and self.current.alive:
                raise Busy(f"a live run is training ({self.runs.run_id(self.current.folder)}); stop it first")
            run = LiveRun(self.runs, settings, self._new_folder(settings))
            run.start()
            self.current = run
            return run

    def _new_folder(self, settings: LiveSettings) -> RunFolder:
        what = ALGORITHMS.get(settings.algorithm).run_name(settings.config("live"))
        base = f"live/{settings.data}-{what}-{time.strftime('%Y%m%d-%H%M%S')}"
        name, count = base, 1
        while (self.runs.root / name).exists():  # two starts within a second
            count += 1
            name = f"{base}-{count}"
        return RunFolder(self.runs.root / name)

    def stop(self) -> LiveRun:
        with self._lock:
            if self.current is None:
                raise GankitError("no live run to stop")
            self.current.request_stop()
            return self.current

    def close(self, timeout: float = 10.0) -> None:
        """On server shutdown: ask the live run to stop (it checkpoints) and wait for it a while."""
        if self.current is not None:
            self.current.request_stop()
            self.current.join(timeout)
