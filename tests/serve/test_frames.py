import math

import torch

from conftest import tiny_config
from gankit.config import Config, EBMConfig
from gankit.serve.frames import BELIEVERS, Belief, frame, rounded
from gankit.training.trainer import Trainer


def test_non_finite_values_are_null_for_json():
    assert rounded(torch.tensor([[1.234567, math.nan], [math.inf, -2.0]])) == [[1.2346, None], [None, -2.0]]


def test_the_believers_climb_ds_score_from_noise_and_leave_the_run_untouched(tmp_path):
    trainer = Trainer.start(Config.from_dict(tiny_config(tmp_path / "r")))
    rng_state = trainer.rng.get_state()
    belief = Belief(EBMConfig(step_size=0.05, noise=0.0), seed=0)
    start = belief.ascend(trainer).clone()  # the first call starts from uniform noise and takes its steps
    assert start.shape == (BELIEVERS, 2)
    discriminator = trainer.algorithm.discriminator.eval()
    with torch.no_grad():
        before = discriminator(start).mean()
        after = discriminator(belief.ascend(trainer)).mean()
    assert after > before  # gradient ascent on D: what D believes is real
    assert torch.equal(trainer.rng.get_state(), rng_state)  # its own random stream: the run's noise is untouched


def test_a_frame_is_what_the_page_draws_of_a_gan(tmp_path):
    trainer = Trainer.start(Config.from_dict(tiny_config(tmp_path / "r")))
    trainer.train_step()
    shown = frame(trainer)
    assert (shown.step, shown.updates) == (1, {"discriminator": 1, "generator": 1})
    assert len(shown.scores) == 48 and len(shown.negatives) == len(shown.pushes) == 300
    assert len(shown.manifold) == 15 * 15 and shown.reconstructions == shown.remembered == shown.believed == []
    assert set(shown.stats) == {"modes_captured", "num_modes", "high_quality", "kl", "js"}
    assert frame(trainer).negatives == shown.negatives  # the same z every frame: only training moves the samples
