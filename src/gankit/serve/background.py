"""Training off the server's request loop: one ordinary `gankit.train` or `gankit.resume` in a thread.

The page's trainings are normal run folders under RUNS_DIR; a training callback (the API's own hook) lets
the page watch each iteration and asks the Trainer to stop, with a checkpoint, when the page says so. A
failure ends the thread with one line for the page, never the server.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from gankit.errors import GankitError

if TYPE_CHECKING:
    from gankit.api import Run
    from gankit.training.trainer import Trainer

State = Literal["starting", "running", "stopping", "stopped", "finished", "failed"]
Watch = Callable[["Trainer"], None]
Training = Callable[[tuple[Watch, ...]], "Run"]  # gankit.train or gankit.resume, given its callbacks


class Busy(GankitError):
    """A second training while one trains: the server answers 409."""


class TrainingThread:
    """One training in a daemon thread: its state, the step it reached, how it ended."""

    def __init__(self, training: Training, watch: Watch | None = None, name: str = "gankit-training") -> None:
        self.state: State = "starting"
        self.error: str | None = None
        self.step = 0
        self._training, self._watch = training, watch
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

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

    def _run(self) -> None:
        try:
            run = self._training((self._each_iteration,))
        except GankitError as err:
            self.error, self.state = str(err), "failed"
            return
        except Exception as err:  # the server keeps serving; the page shows what went wrong in one line
            self.error, self.state = f"{type(err).__name__}: {err}", "failed"
            return
        self.step = run.step
        self.state = "stopped" if run.interrupted else "finished"

    def _each_iteration(self, trainer: Trainer) -> None:
        if self._stop.is_set():
            trainer.request_stop()
        elif self.state == "starting":
            self.state = "running"
        self.step = trainer.step
        if self._watch is not None:
            self._watch(trainer)


__all__ = ["Busy", "TrainingThread"]
