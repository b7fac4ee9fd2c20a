from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

import gankit
import gankit.api
from gankit.cli import main
from gankit.data.spec import DataSpec

HOME_FEATURES = Path.home() / ".cache" / "gankit" / "features"


@pytest.fixture(autouse=True)
def _deterministic_threads(monkeypatch):
    # Bit-exact comparisons need the same reduction order in both runs being compared: one thread, in this
    # process and in the processes tests start, and `train.threads: auto` finds one core to choose from
    # (tests/training/test_threads.py gives it more).
    torch.set_num_threads(1)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setattr("gankit.training.trainer.available_cores", lambda: 1)
    yield


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory):
    """gankit's cache for the whole test session, in a temp dir; the Inception weights (81 MB, fetched once by
    `gankit features fetch inception`) are linked in read-only, so their tests run without writing under ~
    (the OpenVINO runtime converts them once per session, into this folder)."""
    cache = tmp_path_factory.mktemp("gankit-cache")
    for weights in (HOME_FEATURES / "inception").glob("*.pt"):
        (cache / "features" / "inception").mkdir(parents=True, exist_ok=True)
        (cache / "features" / "inception" / weights.name).symlink_to(weights)
    return cache


@pytest.fixture(autouse=True)
def _hermetic_cache(session_cache, monkeypatch):
    """No test writes under the user's home: the library's default cache and $GANKIT_CACHE point to a temp dir."""
    monkeypatch.setattr("gankit.data.catalog.DEFAULT_CACHE", session_cache)
    monkeypatch.setenv("GANKIT_CACHE", str(session_cache))


def tiny_config(out, **sections):
    """A ring8 config that trains in well under a second."""
    base = {
        "data": {"name": "ring8", "num_points": 2048},
        "model": {"width": 32, "depth": 2},
        "train": {"steps": 20, "batch_size": 64, "out": str(out), "log_every": 5, "sample_every": 10,
                  "checkpoint_every": 10, "progress_steps": [5, 10]},
    }
    for section, values in sections.items():
        base.setdefault(section, {}).update(values)
    return base


def poison_discriminator(at_steps):
    """A callback that puts a NaN into D's weights after the given steps (the loss becomes NaN)."""

    def callback(trainer):
        if trainer.step in at_steps:
            at_steps.discard(trainer.step)
            with torch.no_grad():
                next(trainer.algorithm.discriminator.parameters()).fill_(float("nan"))

    return callback


DIGITS_VAE = {"data": {"name": "digits"}, "model": {"algorithm": "vae", "width": 8, "latent_dim": 4},
              "train": {"batch_size": 32, "steps": 40, "sample_every": 20}}


TINY = ["--steps", "20", "--batch-size", "64", "--set", "data.num_points=2048", "--set", "model.width=32",
        "--set", "train.log_every=5", "--set", "train.sample_every=10", "--no-progress"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def image_spec(channels, size):
    return DataSpec("img", "image", (channels, size, size), tuple("0123456789"))


PNG = b"\x89PNG\r\n\x1a\n"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

needs_fashion = pytest.mark.skipif(not os.path.isdir("/usr/share/datasets/fashion-mnist"),
                                   reason="Debian's Fashion-MNIST absent (apt-get install dataset-fashion-mnist)")

_chromium_absent = pytest.mark.skipif(CHROMIUM is None, reason="chromium absent (apt-get install chromium)")


def needs_chromium(test):
    """A test that drives a browser: skipped without one, and in the slow tier."""
    return pytest.mark.slow(_chromium_absent(test))


def render(page):
    """(images that decoded / images, console messages) of a page in headless Chromium."""
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=5000", "--dump-dom", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    marker = 'data-images-ok="'
    start = done.stdout.find(marker)
    loaded = done.stdout[start + len(marker) : done.stdout.index('"', start + len(marker))] if start >= 0 else None
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return loaded, console


def small(cell):
    """The cell with a narrower, smaller-batch network: the same code path in a fraction of the time."""
    return dataclasses.replace(cell, budget=dataclasses.replace(cell.budget, width=16, batch_size=64))


def stop_runs_at(monkeypatch, step, which=lambda config: True):
    """Runs the bench starts (those `which` picks by config) stop at `step`, as Ctrl-C stops them."""
    real_train = gankit.api.train

    def stop(trainer):
        if trainer.step == step:
            trainer.request_stop()

    def train(config, **kwargs):
        extra = (stop,) if which(config) else ()
        return real_train(config, **{**kwargs, "callbacks": (*kwargs.get("callbacks", ()), *extra)})

    monkeypatch.setattr(gankit.api, "train", train)
    return real_train
