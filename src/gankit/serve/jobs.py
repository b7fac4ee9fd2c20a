"""Heavy work (loading a checkpoint, sampling, Langevin chains, drawing) off the request thread.

A request submits a job and gets its id at once; the page polls the job for its stage and progress and
fetches the picture when it is done. One worker thread: the machine's cores go to one job at a time.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from gankit.errors import GankitError

KEPT_JOBS = 64  # finished jobs whose pictures stay fetchable; older ones are dropped first
MAX_WAITING = 16  # jobs queued or running at once: one more is refused (429) rather than piling up work


class TooMany(GankitError):
    """More picture jobs than the worker will get through soon: the server answers 429."""


class Cancelled(GankitError):
    """The server is shutting down: a running job stops at its next progress report."""


@dataclass
class Job:
    id: str
    kind: str
    state: Literal["queued", "running", "done", "failed"] = "queued"
    stage: str = "waiting for the worker"
    progress: float = 0.0  # 0..1
    error: str | None = None
    image: bytes | None = field(default=None, repr=False)  # the PNG a finished job made
    info: dict[str, Any] = field(default_factory=dict)  # what the picture shows (step, class, ...)
    stop: threading.Event = field(default_factory=threading.Event, repr=False)  # set when the server stops

    def report(self, stage: str, progress: float) -> None:
        """Called by the work itself as it goes; where a stopping server ends it."""
        if self.stop.is_set():
            raise Cancelled("the server is stopping")
        self.stage, self.progress = stage, min(max(progress, 0.0), 1.0)

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "state": self.state, "stage": self.stage,
                "progress": round(self.progress, 3), "error": self.error, "info": self.info,
                "image": f"/api/jobs/{self.id}/image" if self.image is not None else None}


Work = Callable[[Job], bytes | None]  # makes the PNG (None: a job that writes a file), reporting progress


class Jobs:
    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gankit-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def submit(self, kind: str, work: Work) -> Job:
        """Queue `work`; refused (TooMany) when MAX_WAITING jobs wait already. Only finished jobs are ever
        dropped from the registry, the oldest first, so a queued or running job keeps its id."""
        job = Job(uuid.uuid4().hex, kind, stop=self._stop)
        with self._lock:
            waiting = sum(j.state in ("queued", "running") for j in self._jobs.values())
            if waiting >= MAX_WAITING:
                raise TooMany(f"{waiting} picture jobs are waiting already; ask again when one is done")
            self._jobs[job.id] = job
            finished = [key for key, j in self._jobs.items() if j.state in ("done", "failed")]
            while len(self._jobs) > KEPT_JOBS and finished:
                del self._jobs[finished.pop(0)]
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    @staticmethod
    def _run(job: Job, work: Work) -> None:
        job.state = "running"
        try:
            job.image = work(job)
        except GankitError as err:  # damaged checkpoint, no discriminator, ...: the one line the CLI would print
            job.error, job.state = str(err), "failed"
            return
        except Exception as err:  # a bug must not kill the worker; the page shows it as one line
            job.error, job.state = f"{type(err).__name__}: {err}", "failed"
            return
        job.report("done", 1.0)
        job.state = "done"

    def shutdown(self) -> None:
        """Drop the queued jobs and end the running one at its next progress report."""
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
