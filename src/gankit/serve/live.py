"""Live 2D: a small 2D training started from the page, watched while it trains, paused, stepped and stopped.

The run is an ordinary `gankit.train` into RUNS_DIR/live/..., in a thread of the server; a training callback
(the API's own hook) copies, at most FRAMES_PER_S times a second, what the page draws (`gankit.serve.frames`:
D's landscape, the negatives and where training pushes them, G's manifold, reconstructions, the replay
buffer, what D believes is real, the coverage numbers). While paused, the same callback holds the training
thread and runs the one-phase updates the page asks for (`Trainer.train_phase`). The losses come from the run's
own metrics.jsonl. Each new frame is encoded once; every page watching gets the same bytes, so a second tab
costs the trainer nothing. One live session at a time per server: one run (the live page) or the lecture's
three views side by side (the views page).
"""

from __future__ import annotations

import importlib
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Literal

from gankit.algorithms import ALGORITHMS
from gankit.algorithms.ebm import langevin_settings
from gankit.data.catalog import dataset_kind
from gankit.errors import GankitError
from gankit.files import write_atomic
from gankit.serve.runs import RunsDir, curves, latest_pictures
from gankit.serve.settings import DRAWN, DRAWN_FILE, Resumed, RunSettings
from gankit.training.run_folder import RunFolder

if TYPE_CHECKING:
    from gankit.serve.frames import Belief
    from gankit.training.trainer import Trainer

DATA_POINTS = 600  # data points sent (once per run)
FRAMES_PER_S = 15  # frames are copied at most this often (and at the last step, and after each manual update)
LIVE_CURVES = ("loss_d", "loss_g", "loss", "d_real", "d_fake", "energy_magnitude", "eval/fid")
IMAGE_UPDATES_PER_S = 1  # an image run's page is told at most this often that something (a grid, a FID) may be new
MAX_PENDING = 8  # one-phase updates queued while paused; one more is refused
MAX_SESSION = 3  # runs trained at once (the three views)
State = Literal["starting", "running", "paused", "stopping", "stopped", "finished", "failed"]


class Busy(GankitError):
    """A second live run while one trains, or a request the run's state refuses: the server answers 409."""


class LiveRun:
    """One live training: its thread, the latest frame, what the page asked of it, and how it ended."""

    def __init__(self, runs: RunsDir, settings: RunSettings, out: RunFolder,
                 changed: threading.Condition | None = None) -> None:
        self.runs, self.settings, self.folder = runs, settings, out
        self.config = settings.config(str(out.root))  # a bad value is a ConfigError here, before any thread
        family = ALGORITHMS.get(settings.algorithm)
        self.kind = dataset_kind(self.config.data.name)  # points: 2D frames; image: sample grids and FID
        self.state: State = "starting"
        self.error: str | None = None
        self.step = 0
        self.frames = 0
        self.frame: dict[str, Any] | None = None  # the latest Frame, as the page reads it
        self.data: list[list[float | None]] | None = None  # the first DATA_POINTS of the data
        self.phases: list[str] = []  # the algorithm's phases, once built: what a one-phase update may name
        self.version = 0  # bumped at every change the page should see
        self._stop = threading.Event()
        self._paused = False
        self._pending: list[str] = []  # one-phase updates asked for while paused
        self._changed = changed or threading.Condition()  # guards the state; notified at every change
        self._encoded: tuple[int, bytes] | None = None
        self._last_frame_at = 0.0
        # what D believes is real, for algorithms with a D to ascend: Langevin settings now, particles once training
        believes = family.supports.discriminator and self.kind == "points"
        self._ascent = langevin_settings(self.config, "points") if believes else None
        self._belief: Belief | None = None
        self._thread = threading.Thread(target=self._train, name="gankit-live", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # -- what the page asks ----------------------------------------------------------------------
    def request_stop(self) -> None:
        with self._changed:
            if self.state in ("starting", "running", "paused"):
                self._set("stopping")
            self._stop.set()
            self._changed.notify_all()

    def pause(self) -> None:
        with self._changed:
            self._check_training("pause")
            self._paused = True
            self._changed.notify_all()

    def play(self) -> None:
        with self._changed:
            self._check_training("play")
            self._paused = False
            self._changed.notify_all()

    def step_phase(self, phase: str) -> None:
        """Queue exactly one update of `phase` (one optimizer step of its network); only while paused."""
        with self._changed:
            self._check_training("step")
            if self.state != "paused":
                raise Busy("one-phase updates are taken while paused: pause first")
            if phase not in self.phases:
                raise GankitError(f"phase: unknown {phase!r}; this run's phases: {', '.join(self.phases)}")
            if len(self._pending) >= MAX_PENDING:
                raise Busy(f"{MAX_PENDING} updates are waiting already; ask again when they are done")
            self._pending.append(phase)
            self._changed.notify_all()

    def _check_training(self, action: str) -> None:
        if self.state not in ("starting", "running", "paused"):
            raise Busy(f"cannot {action}: the live run is {self.state}")

    # -- what the page reads ---------------------------------------------------------------------
    def public(self) -> dict[str, Any]:
        return {"state": self.state, "error": self.error, "run": self.runs.run_id(self.folder),
                "step": self.step, "steps": self.settings.steps, "frames": self.frames, "version": self.version,
                "phases": self.phases, "view": ALGORITHMS.get(self.settings.algorithm).view,
                "settings": self.settings.public(), "data": self.data, "frame": self.frame,
                "curves": curves(self.folder, LIVE_CURVES), "samples": self._newest_grid()}

    def _newest_grid(self) -> str | None:
        """An image run's newest sample grid, relative to its folder (None for 2D runs: the frames show them)."""
        if self.kind != "image":
            return None
        return next((name for name in latest_pictures(self.folder) if name.startswith("samples/")), None)

    def encoded(self, after: int | None = None, wait_s: float = 0.0) -> bytes:
        """The public state as JSON, encoded once per version, outside the lock the trainer takes; with `after`,
        first wait up to `wait_s` for a version newer than it (a long poll: the page asks again once it has drawn)."""
        with self._changed:
            if after is not None:
                self._changed.wait_for(lambda: self.version > after or not self.alive, wait_s)
            version, cached = self.version, self._encoded
        if cached is not None and cached[0] == version:
            return cached[1]
        body = json.dumps(self.public(), allow_nan=False).encode()  # holds what `version` holds, or newer
        with self._changed:
            if self._encoded is None or self._encoded[0] < version:
                self._encoded = (version, body)
        return body

    def _set(self, state: State) -> None:
        """A new state, for the pages waiting on a change (hold `_changed`)."""
        self.state = state
        self.version += 1
        self._changed.notify_all()

    # -- the training thread ---------------------------------------------------------------------
    def _train(self) -> None:
        from gankit.api import resume, train

        try:
            if isinstance(self.settings, Resumed):  # on from its checkpoint, in its own folder
                run = resume(self.folder.root, steps=self.settings.steps, callbacks=(self._watch,))
            else:
                run = train(self.config, callbacks=(self._watch,))
        except GankitError as err:
            self._end("failed", str(err))
            return
        except Exception as err:  # the server keeps serving; the page shows what went wrong in one line
            self._end("failed", f"{type(err).__name__}: {err}")
            return
        self.step = run.step
        self._end("stopped" if run.interrupted else "finished")

    def _end(self, state: State, error: str | None = None) -> None:
        with self._changed:
            self.error = error
            self._set(state)

    def _watch(self, trainer: Trainer) -> None:
        """The training callback, after every iteration: a frame now and then; while paused, hold the training
        thread and take the one-phase updates asked for; stop when asked."""
        self.step = trainer.step
        if not self.phases:
            self.phases = list(dict.fromkeys(p.name for p in trainer.phases))
        rate = FRAMES_PER_S if self.kind == "points" else IMAGE_UPDATES_PER_S
        due = time.perf_counter() - self._last_frame_at >= 1 / rate
        if due or trainer.step == trainer.config.train.steps:
            self._show(trainer)
        while True:
            with self._changed:
                if self._stop.is_set() or not self._paused:
                    break
                pausing = self.state != "paused"
                if not pausing and not self._pending:
                    self._changed.wait()
                    continue
                phase = None if pausing else self._pending.pop(0)
            if phase is not None:
                trainer.train_phase(phase)  # outside the lock: the pages keep reading the last frame meanwhile
            self._show(trainer)  # pausing: the frame of this very step, before the page may ask for one update
            if pausing:
                with self._changed:
                    self._set("paused")
        with self._changed:
            if self._stop.is_set():
                trainer.request_stop()
            elif self.state in ("starting", "paused"):
                self._set("running")

    def _show(self, trainer: Trainer) -> None:
        from gankit.serve.frames import Belief, frame, rounded

        if self._belief is None and self._ascent is not None:
            self._belief = Belief(self._ascent, self.config.train.seed + 6)
        # made outside the lock: pages read the previous one meanwhile; an image run has its grids and FID instead
        shown = asdict(frame(trainer, self._belief)) if self.kind == "points" else None
        with self._changed:
            self.frame = shown
            if self.data is None and trainer.outputs.real_points is not None:
                self.data = rounded(trainer.outputs.real_points[:DATA_POINTS])
            self.frames += 1
            self._last_frame_at = time.perf_counter()
            self.version += 1
            self._changed.notify_all()


class Live:
    """The server's one live slot: a session of one run (the live page) or of the three views (the views page)."""

    def __init__(self, runs: RunsDir) -> None:
        self.runs = runs
        self.session: list[LiveRun] = []
        self._changed = threading.Condition()  # shared by the session's runs: one wait sees any of them change
        self._lock = threading.Lock()

    @property
    def current(self) -> LiveRun | None:
        """The run the live page shows: the session's first."""
        return self.session[0] if self.session else None

    def start(self, settings: RunSettings) -> LiveRun:
        return self.start_session([settings])[0]

    def start_session(self, settings: Sequence[RunSettings]) -> list[LiveRun]:
        """Start these runs together, each in its own thread; refused while any run of the last session trains."""
        if not 1 <= len(settings) <= MAX_SESSION:
            raise GankitError(f"a live session trains 1 to {MAX_SESSION} runs, not {len(settings)}")
        with self._lock:
            training = [run for run in self.session if run.alive]
            if training:
                raise Busy(f"a live run is training ({self.runs.run_id(training[0].folder)}); stop it first")
            runs: list[LiveRun] = []
            for one in settings:
                folder = self._new_folder(one, taken={run.folder for run in runs})
                runs.append(LiveRun(self.runs, one, folder, self._changed))  # checks each before anything is written
            for run in runs:
                if run.settings.data == DRAWN:
                    _write_drawn(run.folder, run.settings.points)
                run.start()
            self.session = runs
            return runs

    @staticmethod
    def warm_up() -> threading.Thread:
        """Import the training code (torch and all, a few seconds) in the background, so that the first Start
        trains at once instead of importing first."""
        thread = threading.Thread(target=importlib.import_module, args=("gankit.api",), name="gankit-warm-up",
                                  daemon=True)
        thread.start()
        return thread

    def _new_folder(self, settings: RunSettings, taken: set[RunFolder]) -> RunFolder:
        what = ALGORITHMS.get(settings.algorithm).run_name(settings.config("live"))
        base = f"live/{settings.data}-{what}-{time.strftime('%Y%m%d-%H%M%S')}"
        name, count = base, 1
        while (self.runs.root / name).exists() or RunFolder(self.runs.root / name) in taken:  # two in one second
            count += 1
            name = f"{base}-{count}"
        return RunFolder(self.runs.root / name)

    def resume(self, run_id: str, steps: int) -> LiveRun:
        """Continue a stopped run of RUNS_DIR from its last checkpoint to `steps` iterations in all."""
        from gankit.training.checkpoint import read_meta

        with self._lock:
            training = [run for run in self.session if run.alive]
            if training:
                raise Busy(f"a live run is training ({self.runs.run_id(training[0].folder)}); stop it first")
            folder = self.runs.run(run_id)
            done = (read_meta(folder.checkpoints, "last") or {}).get("step")
            if not isinstance(done, int):
                raise GankitError(f"{run_id} has no checkpoint to resume from")
            if steps <= done:
                raise GankitError(f"steps: {run_id} has trained {done} steps; resume to more than that")
            run = LiveRun(self.runs, Resumed(folder.load_config(), steps), folder, self._changed)
            run.start()
            self.session = [run]
            return run

    def running(self) -> LiveRun:
        if self.current is None:
            raise GankitError("no live run; start one first")
        return self.current

    def encoded_session(self, after: int | None = None, wait_s: float = 0.0) -> bytes:
        """Every run of the session as one JSON object, {"version", "runs": [each run's state]}, from each run's
        bytes as encoded once; with `after`, first wait up to `wait_s` for any run to change (a long poll)."""
        runs = self.session
        with self._changed:
            if after is not None:
                self._changed.wait_for(lambda: sum(r.version for r in runs) > after or not any(r.alive for r in runs),
                                       wait_s)
            version = sum(run.version for run in runs)
        return b'{"version": %d, "runs": [' % version + b", ".join(run.encoded() for run in runs) + b"]}"

    def stop(self) -> LiveRun:
        """Stop every run of the session (each checkpoints); the live page's run is returned."""
        with self._lock:
            run = self.running()
            for one in self.session:
                one.request_stop()
            return run

    def close(self, timeout: float = 10.0) -> None:
        """On server shutdown: ask the session's runs to stop (they checkpoint) and wait for them a while."""
        for run in self.session:
            run.request_stop()
        for run in self.session:
            run.join(timeout)


def _write_drawn(folder: RunFolder, points: tuple[tuple[float, float], ...]) -> None:
    """The drawn points as the run's `points:` file, written holding the folder's lock (which also marks the new
    folder as gankit's, so the run may start in it)."""
    text = "x,y\n" + "".join(f"{x!r},{y!r}\n" for x, y in points)
    try:
        with folder.held():
            write_atomic(folder.root / DRAWN_FILE, text.encode())
    except OSError as err:
        raise GankitError(f"could not write the drawn points into {folder.root} ({err.strerror or err})") from None
