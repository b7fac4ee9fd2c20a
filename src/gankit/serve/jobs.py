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

    def report(self, stage: str, progress: float) -> None:
        """Called by the work itself as it goes."""
        self.stage, self.progress = stage, min(max(progress, 0.0), 1.0)

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "state": self.state, "stage": self.stage,
                "progress": round(self.progress, 3), "error": self.error, "info": self.info,
                "image": f"/api/jobs/{self.id}/image" if self.image is not None else None}


Work = Callable[[Job], bytes]  # makes the PNG, reporting its progress on the job


class Jobs:
    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gankit-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, kind: str, work: Work) -> Job:
        job = Job(uuid.uuid4().hex, kind)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEPT_JOBS:
                self._jobs.popitem(last=False)
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
        self._pool.shutdown(wait=False, cancel_futures=True)
