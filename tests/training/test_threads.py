"""`train.threads`: `auto` measures this run's own step at each candidate count and keeps the fastest, without a
trace in what the run trains; an integer or $OMP_NUM_THREADS fixes it."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import torch
import yaml

import gankit
from conftest import tiny_config
from gankit.config import Config
from gankit.training import checkpoint as ckpt
from gankit.training.threads import candidates, measure_threads
from gankit.training.trainer import Trainer


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr("gankit.training.trainer.available_cores", lambda: 2)
    monkeypatch.delenv("OMP_NUM_THREADS")


def test_candidates_double_up_to_the_cores_available():
    assert candidates(1) == [1] and candidates(2) == [1, 2] and candidates(6) == [1, 2, 4, 6]


def test_measuring_keeps_the_fastest_count_and_fewer_threads_on_a_tie(monkeypatch):
    now = [0.0]  # a clock that only the steps move: the choice does not depend on the machine's load
    monkeypatch.setattr("gankit.training.threads.time", SimpleNamespace(perf_counter=lambda: now[0]))

    def step(seconds_at):
        def one() -> None:
            now[0] += seconds_at[torch.get_num_threads()]

        return one

    faster_on_two = measure_threads(step({1: 0.02, 2: 0.005}), [1, 2], min_seconds=0.05)
    assert faster_on_two.threads == 2 and torch.get_num_threads() == 2
    assert faster_on_two.measured[2] > faster_on_two.measured[1]
    tie = measure_threads(step({1: 0.005, 2: 0.005}), [1, 2], min_seconds=0.05)
    assert tie.threads == 1 and torch.get_num_threads() == 1  # the other work on the machine keeps a core


def test_auto_measures_each_candidate_and_records_its_choice(tmp_path, two_cores):
    trainer = Trainer.start(Config.from_dict(tiny_config(tmp_path / "r")))
    try:
        assert trainer.threads.how == "measured" and sorted(trainer.threads.measured) == [1, 2]
        assert trainer.threads.threads in (1, 2) and torch.get_num_threads() == trainer.threads.threads
        saved = yaml.safe_load((tmp_path / "r" / "config.yaml").read_text())
        assert saved["train"]["threads"] == "auto"  # the config stays as resolved; the choice is kept apart
        info = json.loads((tmp_path / "r" / "run.json").read_text())
        assert info["measured"]["threads"] == trainer.threads.threads == trainer.measured["threads"]
        assert trainer.step == 0 and trainer.batches_drawn == 0  # the measured steps left no trace
    finally:
        assert trainer.lock is not None
        trainer.lock.release()


@pytest.mark.slow
def test_auto_trains_exactly_what_the_count_it_chose_trains(tmp_path, two_cores):
    auto = gankit.train(tiny_config(tmp_path / "auto"))
    chosen = auto.measured["threads"]
    assert auto.config.train.threads == "auto"
    fixed = gankit.train(tiny_config(tmp_path / "fixed", train={"threads": chosen}))
    a, _ = ckpt.load_checkpoint(tmp_path / "auto" / "checkpoints", "last")
    b, _ = ckpt.load_checkpoint(tmp_path / "fixed" / "checkpoints", "last")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert fixed.config.train.threads == chosen


def test_an_explicit_count_and_omp_num_threads_are_taken_as_they_are(tmp_path, two_cores, monkeypatch):
    run = gankit.train(tiny_config(tmp_path / "two", train={"threads": 2, "steps": 2}))
    assert run.measured["threads"] == 2 and torch.get_num_threads() == 2
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    run = gankit.train(tiny_config(tmp_path / "env", train={"steps": 2}))  # auto, but the environment chose
    assert run.measured["threads"] == 1 and torch.get_num_threads() == 1
    run = gankit.train(tiny_config(tmp_path / "both", train={"threads": 2, "steps": 2}))  # the config's wins
    assert run.measured["threads"] == 2


def test_a_loaded_run_samples_with_the_threads_it_trained_with(tmp_path, two_cores):
    gankit.train(tiny_config(tmp_path / "r", train={"threads": 2, "steps": 2}))
    torch.set_num_threads(1)
    gankit.load(tmp_path / "r")
    assert torch.get_num_threads() == 2


def test_a_resumed_run_keeps_the_count_it_measured_when_it_began(tmp_path, two_cores, monkeypatch):
    gankit.train(tiny_config(tmp_path / "r", train={"steps": 2}))
    chosen = json.loads((tmp_path / "r" / "run.json").read_text())["measured"]["threads"]

    def no_measuring(*args, **kwargs):
        raise AssertionError("measured again on resume")

    monkeypatch.setattr("gankit.training.trainer.measure_threads", no_measuring)
    trainer = Trainer.resume(tmp_path / "r", steps=4)
    try:
        assert trainer.threads.threads == chosen and trainer.threads.how == "measured when the run began"
        assert trainer.config.train.threads == "auto"
    finally:
        assert trainer.lock is not None
        trainer.lock.release()
