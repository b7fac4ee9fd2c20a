import json
import math
import re

import pytest
import torch

import gankit
from conftest import poison_discriminator, tiny_config
from gankit.algorithms.resolve import resolve
from gankit.config import Config
from gankit.config.defaults import OBJECTIVE_DEFAULTS
from gankit.errors import GankitError
from gankit.objectives import OBJECTIVES
from gankit.training import checkpoint as ckpt
from gankit.training.trainer import Trainer


def final_tensors(run_dir):
    tensors, _ = ckpt.load_checkpoint(run_dir / "checkpoints", "last")
    return {k: v for k, v in tensors.items() if not k.startswith("rng.")}


def stop_at(step):
    def callback(trainer):
        if trainer.step == step:
            trainer.request_stop()

    return callback


@pytest.mark.parametrize(
    "extra",
    [
        {},  # ring8 + MLP pair
        {"data": {"name": "digits"}, "model": {"net": "dcgan", "width": 8, "latent_dim": 16},
         "train": {"batch_size": 32}},  # images + batch norm
        {"gan": {"d_steps": 2, "g_steps": 2, "order": "g_first"}, "model": {"conditional": True}},
        {"objective": {"name": "wgan"}},  # RMSprop + clipping
        {"objective": {"name": "began"}},  # BEGAN's k buffer
        {"objective": {"name": "hinge", "penalty": "r1", "penalty_every": 3}, "model": {"g_ema": 0.99}},
        {"data": {"name": "digits"}, "model": {"net": "dcgan", "width": 8, "latent_dim": 16, "conditional": True,
                                               "d_condition": "acgan", "spectral_norm": True},
         "objective": {"name": "wgan-gp"}, "train": {"batch_size": 16}},
        {"data": {"name": "digits"}, "model": {"algorithm": "vae", "width": 8, "latent_dim": 4},
         "train": {"batch_size": 16}},  # reparameterisation noise from the run's generator
        {"data": {"name": "digits"}, "model": {"algorithm": "ae", "width": 8, "latent_dim": 4},
         "train": {"batch_size": 16}},  # the running code statistics
        {"model": {"algorithm": "ebm"}, "ebm": {"buffer_size": 100, "langevin_steps": 3, "energy_ema": 0.9}},
        # the replay buffer and the energy's moving average
        {"data": {"name": "digits"}, "model": {"algorithm": "rae", "width": 8, "latent_dim": 4},
         "vae": {"decoder_regulariser": "gp", "density_components": 2, "density_examples": 50},
         "train": {"batch_size": 16}},  # the decoder's gradient penalty, then the mixture fitted at the end
        {"model": {"algorithm": "drl"}, "ebm": {"levels": 3, "langevin_steps": 3}},  # levels and Langevin draws
        {"model": {"algorithm": "drl"}, "ebm": {"levels": 3, "langevin_steps": 2, "score_matching": 1.0,
                                                "chain_step_size": 3e-3, "denoise_jump": True}},
        {"data": {"name": "digits"}, "model": {"algorithm": "drl", "width": 8, "d_depth": 1},
         "ebm": {"levels": 3, "langevin_steps": 2, "score_matching": 1.0, "level_bias": True,
                                                "energy_ema": 0.9},
         "train": {"batch_size": 16}},  # the energy's per-level biases, a 3×3 layer and its moving average
        # the modern recipe: rpgan's real batch in the G step, R1 + R2 on a decaying schedule, the r3gan nets,
        # DiffAugment's draws and ADA's probability (moving fast here), conditional
        {"data": {"name": "digits"}, "model": {"recipe": "modern", "width": 8, "latent_dim": 8, "conditional": True},
         "augment": {"probability": 0.5, "ada_target": 0.6, "ada_images": 200}, "train": {"batch_size": 16}},
        {"data": {"name": "digits"}, "model": {"net": "resnet", "width": 8, "latent_dim": 8},
         "objective": {"name": "hinge"}, "train": {"batch_size": 16}},  # the ResNet pair, batch norm in G
    ],
    ids=["ring8-mlp", "digits-dcgan", "conditional-2x2", "wgan", "began", "hinge-r1-lazy-ema", "acgan-sn-wgan-gp",
         "vae", "ae", "ebm", "rae-gp-gmm", "drl", "drl-score-matching", "drl-level-bias", "modern-ada", "resnet"],
)
@pytest.mark.slow
def test_resume_is_bit_exact(tmp_path, extra):
    """Stopped at step 7 and resumed, a run ends with exactly the weights of an uninterrupted one."""
    whole = gankit.train(tiny_config(tmp_path / "whole", **extra))
    part = gankit.train(tiny_config(tmp_path / "part", **extra), callbacks=(stop_at(7),))
    assert part.interrupted and part.step == 7
    resumed = gankit.resume(tmp_path / "part")
    assert resumed.step == whole.step == 20 and not resumed.interrupted
    a, b = final_tensors(tmp_path / "whole"), final_tensors(tmp_path / "part")
    assert a.keys() == b.keys() and any(k.startswith("optim.") for k in a)
    for key in a:
        assert torch.equal(a[key], b[key]), key
    steps = [line["step"] for line in map(json.loads, (tmp_path / "part" / "metrics.jsonl").read_text().splitlines())]
    assert steps == sorted(set(steps))


def test_update_counts_follow_d_steps_and_g_steps(tmp_path):
    config = Config.from_dict(tiny_config(tmp_path / "r", gan={"d_steps": 3, "g_steps": 2}, train={"steps": 4}))
    trainer = Trainer.start(config)
    for _ in range(4):
        trainer.train_step()
    assert trainer.batches_drawn == 12  # only D updates consume real data
    d_step = next(iter(trainer.optimizers["discriminator"].state.values()))["step"]
    g_step = next(iter(trainer.optimizers["generator"].state.values()))["step"]
    assert (d_step.item(), g_step.item()) == (12, 8)
    assert [p.name for p in trainer.phases] == ["discriminator", "generator"]


def test_one_phase_is_exactly_one_update_of_its_network_alone(tmp_path):
    config = Config.from_dict(tiny_config(tmp_path / "r", gan={"d_steps": 2}, train={"steps": 4}))
    trainer = Trainer.start(config)
    trainer.train_step()
    assert trainer.phase_updates == {"discriminator": 2, "generator": 1}
    generator, discriminator = trainer.algorithm.generator, trainer.algorithm.discriminator
    g_before = [p.clone() for p in generator.parameters()]
    d_before = [p.clone() for p in discriminator.parameters()]
    trainer.train_phase("discriminator")
    assert trainer.step == 1 and trainer.batches_drawn == 3  # outside the iteration count; D took a real batch
    assert trainer.phase_updates == {"discriminator": 3, "generator": 1}
    d_step = next(iter(trainer.optimizers["discriminator"].state.values()))["step"]
    g_step = next(iter(trainer.optimizers["generator"].state.values()))["step"]
    assert (d_step.item(), g_step.item()) == (3, 1)  # one optimizer step, not d_steps of them
    assert all(torch.equal(a, b) for a, b in zip(g_before, generator.parameters(), strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(d_before, discriminator.parameters(), strict=True))
    trainer.train_phase("generator")
    assert trainer.phase_updates == {"discriminator": 3, "generator": 2} and trainer.batches_drawn == 3
    with pytest.raises(GankitError, match="no phase 'critic'; this run's phases: discriminator, generator"):
        trainer.train_phase("critic")


def test_learning_rates_and_beta2_follow_r3gans_half_cosines_from_the_step_alone(tmp_path):
    """optim.lr_final / beta2_start / decay_steps: set before every step, so a trainer built at step k (a resume)
    uses what an uninterrupted run uses there; past decay_steps they hold their end values."""
    config = Config.from_dict(tiny_config(tmp_path / "r", optim={"lr_g": 1e-3, "lr_d": 2e-3, "lr_final": 0.25,
                                                                 "beta2": 0.99, "beta2_start": 0.9, "decay_steps": 4}))
    trainer = Trainer.start(config)
    seen = []
    for _ in range(6):
        trainer.train_step()
        group = trainer.optimizers["discriminator"].param_groups[0]
        seen.append((group["lr"], group["betas"][1]))
    # the values of steps 0..5 (each set before its step): 1 -> 0.25 and 0.9 -> 0.99 by a half cosine over 4
    half = [1.0, 0.5 + 0.5 * math.cos(math.pi / 4), 0.5, 0.5 - 0.5 * math.cos(math.pi / 4), 0.0, 0.0]
    assert [lr for lr, _ in seen] == pytest.approx([2e-3 * (0.25 + 0.75 * h) for h in half])
    assert [b for _, b in seen] == pytest.approx([0.99 - 0.09 * h for h in half])
    assert trainer.optimizers["generator"].param_groups[0]["lr"] == pytest.approx(2.5e-4)  # its own rate, scaled
    plain = Trainer.start(Config.from_dict(tiny_config(tmp_path / "plain", optim={"lr_d": 2e-3, "beta2": 0.99})))
    plain.train_step()
    assert (plain.optimizers["discriminator"].param_groups[0]["lr"], plain.optimizers["discriminator"].param_groups[
        0]["betas"][1]) == (2e-3, 0.99)  # no schedule: the optimizers keep what they were built with


@pytest.mark.slow
def test_resuming_with_more_steps_keeps_the_recipes_schedules_on_the_horizon_planned_at_the_start(tmp_path):
    """`resume --steps N` trains longer without re-planning: lr, beta2, gamma and the EMA keep the horizon the
    recipe resolved from the first --steps (so the steps already trained stay what they were), then hold."""
    gankit.train(tiny_config(tmp_path / "r", model={"recipe": "modern"}, train={"steps": 10}))
    trainer = Trainer.resume(tmp_path / "r", steps=16)
    planned = trainer.config
    assert planned.train.steps == 16
    assert (planned.optim.decay_steps, planned.objective.penalty_decay_steps) == (10, 10)
    assert planned.model.g_ema == resolve(Config().override({"model.recipe": "modern", "train.steps": 10}),
                                          "points").model.g_ema
    assert trainer.fit(progress=False).step == 16
    group = trainer.optimizers["discriminator"].param_groups[0]
    assert group["lr"] == pytest.approx(planned.optim.lr_d * planned.optim.lr_final)  # held since step 10
    assert group["betas"][1] == pytest.approx(planned.optim.beta2)
    assert trainer.algorithm.penalty_scale() == pytest.approx(planned.objective.penalty_final)


def test_a_relativistic_generator_step_draws_its_own_real_batch(tmp_path):
    """rpgan's G loss needs real scores: its phase consumes data through the loop's one batch mechanism."""
    config = Config.from_dict(tiny_config(tmp_path / "r", objective={"name": "rpgan"}, train={"steps": 3}))
    trainer = Trainer.start(config)
    assert [p.needs_data for p in trainer.phases] == [True, True]
    for _ in range(3):
        trainer.train_step()
    assert trainer.batches_drawn == 6  # one batch per D update and one per G update


def test_each_phase_fixes_the_other_network(tmp_path):
    trainer = Trainer.start(Config.from_dict(tiny_config(tmp_path / "r")))
    algorithm = trainer.algorithm
    all_phases = trainer.phases
    for phase in all_phases:
        fixed = algorithm.discriminator if phase.name == "generator" else algorithm.generator
        moving = algorithm.generator if phase.name == "generator" else algorithm.discriminator
        before_fixed = [p.clone() for p in fixed.parameters()]
        before_moving = [p.clone() for p in moving.parameters()]
        algorithm.zero_grad(set_to_none=True)
        trainer.phases = [phase]
        trainer.train_step()
        assert all(torch.equal(a, b) for a, b in zip(before_fixed, fixed.parameters(), strict=True))
        assert all(p.grad is None for p in fixed.parameters())  # no wasted gradient work either
        assert not all(torch.equal(a, b) for a, b in zip(before_moving, moving.parameters(), strict=True))
    trainer.phases = all_phases


def test_g_first_order(tmp_path):
    trainer = Trainer.start(Config.from_dict(tiny_config(tmp_path / "r", gan={"order": "g_first"})))
    assert [p.name for p in trainer.phases] == ["generator", "discriminator"]


@pytest.mark.slow
def test_nan_rolls_back_to_the_last_good_checkpoint_and_continues(tmp_path):
    run = gankit.train(tiny_config(tmp_path / "r"), callbacks=(poison_discriminator({12}),))
    assert run.step == 20 and not run.interrupted
    assert all(torch.isfinite(p).all() for p in run.algorithm.parameters())
    lines = [json.loads(line) for line in (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()]
    warnings = [line for line in lines if "warning" in line]
    assert len(warnings) == 1 and warnings[0]["step"] == 10
    assert "step 15: loss_d is not finite; rolled back to the checkpoint at step 10" in warnings[0]["warning"]
    assert [line["step"] for line in lines if "loss_d" in line] == [5, 10, 15, 20]  # the NaN lines are gone
    _, meta = ckpt.load_checkpoint(tmp_path / "r" / "checkpoints")
    assert meta["recoveries"] == 1 and meta["step"] == 20


def test_repeated_divergence_stops_with_a_clear_message(tmp_path):
    poison_every_time = {12, 13, 14, 15}
    config = tiny_config(tmp_path / "r", train={"max_recoveries": 2})

    def relapse(trainer):  # after each roll-back to step 10, poison again
        if trainer.step == 11:
            poison_every_time.add(12)

    message = (r"diverged by step 15: loss_d is not finite, after 2 roll-backs \(train.max_recoveries=2\); "
               r"last good checkpoint: step 10. Try lower learning rates")
    with pytest.raises(GankitError, match=message):
        gankit.train(config, callbacks=(poison_discriminator(poison_every_time), relapse))
    _, meta = ckpt.load_checkpoint(tmp_path / "r" / "checkpoints")
    assert meta["step"] == 10  # garbage was never checkpointed


@pytest.mark.slow
@pytest.mark.parametrize("name", OBJECTIVES.names())
def test_every_objective_trains_and_logs_its_health(tmp_path, name):
    run = gankit.train(tiny_config(tmp_path / name, objective={"name": name}, train={"steps": 10}))
    lines = [json.loads(line) for line in (tmp_path / name / "metrics.jsonl").read_text().splitlines()]
    last = lines[-1]
    for key in ("loss_d", "loss_g", "d_real", "d_fake", "d_input_grad_real", "d_input_grad_fake",
                "grad_norm/generator/out"):
        assert key in last and math.isfinite(last[key]), key
    d_layers = [key for key in last if key.startswith("grad_norm/discriminator/")]
    assert len(d_layers) >= 3 and all(last[key] > 0 for key in d_layers)  # every layer of D learns
    if name.startswith("wgan"):
        assert "wasserstein" in last
    if name == "began":
        assert 0 <= last["began_k"] <= 1 and "began_convergence" in last
    if OBJECTIVE_DEFAULTS[name].get("objective.penalty"):  # one penalty as `penalty`; r1+r2 as penalty_r1, _r2
        penalties = [key for key in last if key.startswith("penalty") and key != "penalty_scale"]
        assert penalties and all(last[key] > 0 for key in penalties)
    assert run.config.gan.d_steps == OBJECTIVE_DEFAULTS[name].get("gan.d_steps", 1)


@pytest.mark.parametrize("name", OBJECTIVES.names())
def test_every_objective_trains_a_dcgan_with_its_paper_defaults(tmp_path, name):
    config = tiny_config(tmp_path / name, data={"name": "digits"}, objective={"name": name},
                         model={"net": "dcgan", "width": 8, "latent_dim": 16}, train={"steps": 4, "batch_size": 16})
    run = gankit.train(config)
    defaults = OBJECTIVE_DEFAULTS[name]
    assert run.config.model.spectral_norm == defaults.get("model.spectral_norm", False)
    assert run.config.model.d_norm == defaults.get("model.d_norm", "batch")
    assert all(torch.isfinite(p).all() for p in run.algorithm.parameters())
    assert run.sample(3).shape == (3, 1, 8, 8)


@pytest.mark.slow
def test_nan_weights_are_caught_before_the_final_checkpoint(tmp_path):
    """Losses of the last step were fine, but its update left a NaN weight: the weight check catches it."""
    run = gankit.train(tiny_config(tmp_path / "r"), callbacks=(poison_discriminator({20}),))
    assert run.step == 20 and all(torch.isfinite(p).all() for p in run.algorithm.parameters())
    lines = [json.loads(line) for line in (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()]
    (warning,) = [line["warning"] for line in lines if "warning" in line]
    assert re.match(r"step 20: weight discriminator\.\S+ is not finite; rolled back to the checkpoint at step 10",
                    warning)


def test_an_overflowed_adam_moment_is_caught_before_the_final_checkpoint_and_the_run_loads(tmp_path):
    """Adam's second moment can overflow while the weights stay finite (an exploding gradient squared): such a
    state is rolled back like a NaN weight, never checkpointed, so the run stays loadable."""

    def overflow(trainer):
        if trainer.step == 20 and not trainer.recoveries:
            state = next(iter(trainer.optimizers["discriminator"].state.values()))
            state["exp_avg_sq"].fill_(math.inf)

    run = gankit.train(tiny_config(tmp_path / "r"), callbacks=(overflow,))
    lines = [json.loads(line) for line in (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()]
    (warning,) = [line["warning"] for line in lines if "warning" in line]
    assert warning.startswith("step 20: discriminator optimizer state exp_avg_sq is not finite; rolled back")
    assert run.step == 20 and gankit.load(tmp_path / "r").step == 20


def test_a_time_limit_ends_the_run_as_finished_short_of_its_steps(tmp_path):
    """train.time_limit: the run stops, checkpoints and draws its end pictures like a finished one."""
    outcome = gankit.train(tiny_config(tmp_path / "run", train={"steps": 100_000, "time_limit": 0.002}))
    assert 0 < outcome.step < 100_000 and not outcome.interrupted
    _, meta = ckpt.load_checkpoint(tmp_path / "run" / "checkpoints", "last")
    assert meta["step"] == outcome.step
    assert (tmp_path / "run" / "progress.png").exists()


@pytest.mark.slow
@pytest.mark.parametrize(("extra", "loss"), [
    ({"model": {"algorithm": "rae"}}, "loss"),
    ({"model": {"algorithm": "drl"}, "ebm": {"levels": 3, "langevin_steps": 3}}, "loss_d"),
], ids=["rae", "drl"])
def test_the_views_newer_methods_roll_back_from_nan_like_the_gan(tmp_path, extra, loss):
    pending = {12}

    def poison(trainer):  # once: after the roll-back to step 10, step 12 comes round again
        if trainer.step in pending:
            pending.discard(trainer.step)
            with torch.no_grad():
                next(trainer.algorithm.parameters()).fill_(float("nan"))

    run = gankit.train(tiny_config(tmp_path / "r", **extra), callbacks=(poison,))
    assert run.step == 20 and all(torch.isfinite(p).all() for p in run.algorithm.parameters())
    lines = [json.loads(line) for line in (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()]
    warnings = [line["warning"] for line in lines if "warning" in line]
    assert len(warnings) == 1 and f"{loss} is not finite; rolled back to the checkpoint at step 10" in warnings[0]


def test_landscape_frames_follow_landscape_every_and_zero_saves_none(tmp_path):
    gankit.train(tiny_config(tmp_path / "every10", train={"landscape_every": 10}))  # logs every 5
    frames = sorted(p.name for p in (tmp_path / "every10" / "landscape").glob("step-*.png"))
    assert frames == ["step-00000010.png", "step-00000020.png"]
    gankit.train(tiny_config(tmp_path / "none", train={"landscape_every": 0}))
    assert not (tmp_path / "none" / "landscape").exists() and not (tmp_path / "none" / "landscape.gif").exists()
    assert (tmp_path / "none" / "metrics.jsonl").is_file()  # the losses are logged as before
