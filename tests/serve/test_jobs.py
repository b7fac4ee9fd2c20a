from __future__ import annotations

import time

import pytest


def test_picture_jobs_are_bounded_and_a_stopping_server_ends_the_running_one():
    import threading

    from gankit.serve.jobs import MAX_WAITING, Jobs, TooMany

    release, reports = threading.Event(), []

    def slow(job):
        while not release.is_set():
            job.report("working", 0.5)  # a stopping server ends the work here
            reports.append(1)
            release.wait(0.01)
        return b"png"

    jobs = Jobs()
    accepted = [jobs.submit("slow", slow) for _ in range(MAX_WAITING)]
    with pytest.raises(TooMany, match="picture jobs are waiting"):
        jobs.submit("slow", slow)
    assert all(jobs.get(job.id) is job for job in accepted)  # every accepted job keeps its id
    jobs.shutdown()
    deadline = time.monotonic() + 5
    while accepted[0].state == "running" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert accepted[0].state == "failed" and "stopping" in accepted[0].error
    release.set()
