"""The contract every registered algorithm, net and objective keeps, as one function a test calls per entry:
it builds from a tiny config, takes a step with finite losses, samples the data's shape, and resumes bit-exactly.
A new entry is tested by registering it (tests/algorithms/test_contracts.py parametrises over the registries)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from gankit.config import Config
from gankit.training.trainer import Trainer

POINTS = {"data": {"name": "ring8", "num_points": 512}, "model": {"width": 16, "depth": 2}}
IMAGES = {"data": {"name": "digits"}, "model": {"width": 8, "latent_dim": 8}}
TRAIN = {"steps": 4, "batch_size": 16, "log_every": 2, "sample_every": 100, "checkpoint_every": 100,
         "progress_steps": [100]}


def tiny(out: Path, base: dict[str, Any], extra: dict[str, dict[str, Any]]) -> Config:
    sections = {k: dict(v) for k, v in base.items()} | {"train": dict(TRAIN, out=str(out))}
    for section, values in extra.items():
        sections.setdefault(section, {}).update(values)
    return Config.from_dict(sections)


def _state(trainer: Trainer) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in trainer.algorithm.state_dict().items()}


def check_contract(out: Path, base: dict[str, Any], extra: dict[str, dict[str, Any]]) -> None:
    """Build, step (finite numbers), sample (the data's shape), checkpoint at step 2 and resume to step 4:
    the resumed state equals the uninterrupted one, tensor for tensor."""
    trainer = Trainer.start(tiny(out, base, extra))
    try:
        for _ in range(2):
            stats = trainer.train_step()
            assert stats and all(torch.isfinite(v).all() for v in stats.values()), stats
        trainer.save()
        for _ in range(2):
            trainer.train_step()
        straight = _state(trainer)
        algorithm = trainer.algorithm
        n = 6
        samples = algorithm.sample(n, algorithm.fixed_labels(n, 3), torch.Generator().manual_seed(0))
        assert samples.shape == (n, *trainer.spec.sample_shape) and torch.isfinite(samples).all()
    finally:
        assert trainer.lock is not None
        trainer.lock.release()
    resumed = Trainer.resume(out)
    try:
        assert resumed.step == 2
        for _ in range(2):
            resumed.train_step()
        again = _state(resumed)
    finally:
        assert resumed.lock is not None
        resumed.lock.release()
    assert straight.keys() == again.keys()
    differ = [k for k in straight if not torch.equal(straight[k], again[k])]
    assert not differ, f"resume is not exact in {differ[:3]}"
