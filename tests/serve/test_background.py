"""A training in a server thread: it runs the real training with the page's callback, stops on request with
a checkpoint, and ends a failure in one line without raising into the server."""

import time

import gankit
from conftest import tiny_config
from gankit.errors import GankitError
from gankit.serve.background import TrainingThread


def wait(thread, timeout_s=120.0):
    deadline = time.monotonic() + timeout_s
    while thread.alive:
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_a_training_thread_watches_every_iteration_and_stops_on_request_with_a_checkpoint(tmp_path):
    seen = []

    def watch(trainer):
        seen.append(trainer.step)
        if trainer.step == 7:
            thread.request_stop()

    config = tiny_config(tmp_path / "run", train={"steps": 1000, "checkpoint_every": 1000})
    thread = TrainingThread(lambda callbacks: gankit.train(config, callbacks=callbacks), watch)
    assert thread.state == "starting"
    thread.start()
    wait(thread)
    # the stop is seen by the next iteration's callback, which asks the Trainer to stop after it
    assert thread.state == "stopped" and thread.error is None and seen == list(range(1, 9)) and thread.step == 8
    assert gankit.load(tmp_path / "run").step == 8  # the checkpoint the stop wrote


def test_a_failure_ends_the_thread_with_one_line():
    def broken(callbacks):
        raise GankitError("no such dataset 'x'")

    def crashing(callbacks):
        raise ValueError("bad\nthing")

    for training, line in ((broken, "no such dataset 'x'"), (crashing, "ValueError: bad\nthing")):
        thread = TrainingThread(training)
        thread.start()
        wait(thread)
        assert (thread.state, thread.error) == ("failed", line)
