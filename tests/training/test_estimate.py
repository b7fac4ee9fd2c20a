"""The compute card: real steps timed in a temporary folder, nothing written where the run would go."""

import json

import pytest

import gankit
from conftest import tiny_config
from gankit.config import Config
from gankit.training.estimate import estimate


@pytest.mark.slow
def test_the_card_times_real_steps_and_sizes_the_checkpoint_the_run_writes(tmp_path):
    config = Config.from_dict(tiny_config(tmp_path / "run", train={"steps": 40, "threads": 1}))
    card = estimate(config, steps=5)
    assert not (tmp_path / "run").exists()  # the estimate trained in a folder of its own
    assert card.steps_timed == 5 and card.seconds_per_step > 0 and card.images_per_second > 0
    assert card.training_seconds == card.seconds_per_step * 40 and card.threads == 1
    assert card.peak_memory_bytes > 50 * 2**20  # a process with torch loaded
    gankit.train(config)
    meta = json.loads((tmp_path / "run" / "checkpoints" / "last.json").read_text())
    written = (tmp_path / "run" / "checkpoints" / meta["tensors"]).stat().st_size
    assert abs(card.checkpoint_bytes - written) <= 0.01 * written  # the same tensors, another step


