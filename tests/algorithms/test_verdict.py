"""The training verdict on hand-made metrics records: each kind, its evidence, and what applies per family."""

import json
import math
import re

import pytest

from gankit.algorithms import ALGORITHMS
from gankit.algorithms.verdict import (
    ADVICE,
    G_GRAD_VANISH,
    KINDS,
    LOSS_BLOWUP,
    MIN_STEPS,
    judge,
    judge_run,
)
from gankit.errors import CheckpointError

GAN = ALGORITHMS.get("gan").watched
AE = ALGORITHMS.get("vae").watched
EBM = ALGORITHMS.get("ebm").watched


def gan_records(steps=1000, every=25, g_grad=lambda t: 0.3 + 0.05 * math.sin(7 * t), loss_d=lambda t: 1.3):
    """A GAN's metrics lines; t runs from 0 to 1 over the run."""
    lines = []
    for step in range(every, steps + 1, every):
        t = step / steps
        g = g_grad(t)
        lines.append({"step": step, "loss_d": loss_d(t), "loss_g": 0.8, "d_real": 0.55, "d_fake": 0.45,
                      "grad_norm/generator/body.0": g, "grad_norm/generator/out": g,
                      "grad_norm/discriminator/head": 0.5, "d_input_grad_real": 0.1, "d_input_grad_fake": 0.1})
    return lines


def modes(captured, hq, k=8, step=1000):
    return {"step": step, "modes_captured": captured, "num_modes": k, "high_quality": hq, "kl_to_uniform": 0.1,
            "num_samples": 2500}


def test_healthy_with_all_modes_and_without_samples():
    v = judge(gan_records(), GAN, modes(8, 0.9))
    assert v.kind == "healthy" and v.evidence[0].value == 1.0 and v.advice == ADVICE["healthy"]
    assert judge(gan_records(), GAN).kind == "healthy"  # metrics alone: nothing crossed
    assert v.applies == KINDS and not v.notes


def test_mode_collapse_from_modes_json_and_from_an_image_card():
    v = judge(gan_records(), GAN, modes(3, 0.8, k=25))
    assert v.kind == "mode collapse"
    assert (v.evidence[0].signal.startswith("modes captured"), v.evidence[0].value, v.evidence[0].step) == \
        (True, 3 / 25, 1000)
    card = {"step": 1000, "recall": 0.02, "precision": 0.7, "fid": 80.0}
    assert judge(gan_records(), GAN, cards=[card]).kind == "mode collapse"
    assert judge(gan_records(), GAN, cards=[card | {"recall": 0.5}]).kind == "healthy"
    logged = gan_records() + [{"step": 1000, "eval/recall": 0.01, "eval/precision": 0.6}]  # along training
    assert judge(logged, GAN).kind == "mode collapse"


def test_mode_collapse_along_training_from_the_mode_lines_a_2d_run_logs_at_checkpoints():
    logged = [{"step": 500, **{f"modes/{k}": v for k, v in modes(8, 0.9, step=500).items()}},
              {"step": 750, **{f"modes/{k}": v for k, v in modes(2, 0.9, step=750).items()}}]
    v = judge(gan_records() + logged, GAN)
    assert v.kind == "mode collapse" and v.evidence[0].step == 750  # the latest
    assert judge(gan_records() + logged, GAN, modes(8, 0.9)).kind == "healthy"  # modes.json, at the end, wins


def test_discriminator_wins_when_gs_gradient_vanishes_and_says_from_when():
    # G's gradient falls from 1 to 1e-4 by the middle of the run and stays there
    records = gan_records(g_grad=lambda t: max(1.0 - 2 * t, 1e-4))
    v = judge(records, GAN)
    assert v.kind == "discriminator wins"
    (e,) = v.evidence
    assert e.value < G_GRAD_VANISH and e.threshold == f"< {G_GRAD_VANISH:g}"
    assert 400 <= e.step <= 525  # where 1 - 2t first fell below 0.05 x its peak (t = 0.475) and stayed
    assert "--objective ns" in v.advice
    # samples off the data confirm it
    assert judge(records, GAN, modes(0, 0.01)).evidence[-1].signal.startswith("high-quality")


def test_samples_off_the_data_are_ds_win_when_it_leads_else_not_learning_yet():
    records = gan_records()  # D(x) - D(G(z)) = 0.1: G still looking for the data
    v = judge(records, GAN, modes(0, 0.05))
    assert v.kind == "not learning yet" and v.evidence[0].signal == "high-quality samples"
    for r in records:
        r["d_real"], r["d_fake"] = 0.7, 0.3
    v = judge(records, GAN, modes(0, 0.05))
    assert v.kind == "discriminator wins" and v.evidence[1].value == pytest.approx(0.4)


def test_few_modes_while_coverage_still_climbs_is_not_learning_yet():
    """modern on grid25 at 1 000 steps: 3 modes at its last checkpoint, 10 at the end; still learning."""
    climbing = gan_records() + [{"step": 775, **{f"modes/{k}": v for k, v in modes(3, 0.12, k=25, step=775).items()}}]
    v = judge(climbing, GAN, modes(10, 0.25, k=25))
    assert v.kind == "not learning yet" and v.evidence[0].signal == "modes captured gained since step 775"
    assert v.evidence[0].value == 7 and v.evidence[1].signal == "modes captured (share)"
    assert judge(climbing, GAN, modes(4, 0.25, k=25)).kind == "mode collapse"  # +1: no longer climbing


def test_samples_collapsed_to_a_point_are_mode_collapse_on_the_data_or_off_it():
    for hq in (0.99, 0.0):  # BEGAN on ring8 (one mode) and on grid25 (a point between modes)
        v = judge(gan_records(), GAN, modes(0 if hq == 0 else 1, hq) | {"spread": 0.01})
        assert v.kind == "mode collapse" and v.evidence[0].signal == "samples' spread / the modes'"
    assert judge(gan_records(), GAN, modes(8, 0.9) | {"spread": 0.95}).kind == "healthy"


def test_discriminator_wins_when_it_pulls_away_while_its_loss_falls():
    """minimax on ring8: G's gradient stays, but D scores real and generated far apart and its loss keeps falling."""
    records = gan_records(loss_d=lambda t: 1.3 - t)
    for r in records:
        r["d_real"], r["d_fake"] = 0.5 + 0.4 * r["step"] / 1000, 0.5 - 0.4 * r["step"] / 1000
    v = judge(records, GAN)
    assert v.kind == "discriminator wins" and [e.signal for e in v.evidence] == [
        "D(x) - D(G(z)), last quarter's median", "D's loss, last quarter / first quarter"]
    assert v.evidence[0].step == 650  # the gap passes 0.5 after step 625 and stays
    for r in records:  # BEGAN: D's (auto-encoder) loss falls, but D(x) and D(G(z)) stay together
        r["d_real"] = r["d_fake"] = 0.05
    assert judge(records, GAN).kind == "healthy"
    for r in records:  # WGAN: a loss of either sign has no ratio
        r["loss_d"], r["d_real"], r["d_fake"] = -r["loss_d"], 5.0, -5.0
    assert judge(records, GAN).kind == "healthy"


@pytest.mark.parametrize("extra", [
    {"step": 500, "warning": "step 512: loss_d is not finite; rolled back …", "rolled_back_from": 512},
    {"step": 500, "warning": "step 512: loss_g is not finite; rolled back to the checkpoint at step 500"},  # older
    {"step": 1000, "loss_d": "nan"},
    {"step": 1000, "loss_g": 10 * LOSS_BLOWUP},
    {"step": 1000, "grad_norm/discriminator/head": 1e9},
])
def test_divergence_from_roll_backs_non_finite_and_blown_up_values(extra):
    v = judge([*gan_records(), extra], GAN, modes(8, 0.9))  # it wins over what the samples say
    assert v.kind == "divergence" and v.evidence and "spectral_norm" in v.advice
    if "rolled_back_from" in extra:
        assert v.evidence[0].step == 512 and v.evidence[0].value == 1


def test_not_learning_yet_before_min_steps_unless_the_samples_are_already_good():
    young = gan_records(steps=100, every=10)
    v = judge(young, GAN, modes(1, 0.05))
    assert v.kind == "not learning yet" and (v.evidence[0].value, v.evidence[0].threshold) == (100, f"< {MIN_STEPS}")
    assert judge(young, GAN, modes(8, 0.9)).kind == "healthy"
    assert judge([], GAN).kind == "not learning yet"


def test_an_auto_encoder_is_judged_by_its_loss_alone():
    falling = [{"step": s, "loss": 100 / s} for s in range(50, 1001, 50)]
    v = judge(falling, AE)
    assert v.kind == "healthy" and v.applies == ("healthy", "divergence", "not learning yet")
    assert "mode collapse" in v.notes[0] and "loss" in v.notes[0]
    assert judge(falling, AE, modes(2, 0.9)).kind == "healthy"  # fewer modes is no contest lost here
    assert judge(falling, AE, modes(0, 0.01)).kind == "not learning yet"
    flat = [{"step": s, "loss": 1.0 - 1e-4 * s} for s in range(50, 1001, 50)]
    assert judge(flat, AE).kind == "not learning yet"
    rose = [*falling, {"step": 1050, "loss": 50.0}]
    v = judge(rose, AE)
    assert v.kind == "divergence" and v.evidence[0].step == 1050


def test_an_energy_model_diverges_when_its_energies_blow_up():
    calm = [{"step": s, "loss_d": (-1) ** s * 0.1, "energy_magnitude": 3.0} for s in range(50, 1001, 50)]
    assert judge(calm, EBM).kind == "healthy"  # a loss of either sign that does not fall is no stall
    v = judge([*calm, {"step": 1050, "loss_d": 0.2, "energy_magnitude": 1e7}], EBM)
    assert v.kind == "divergence" and v.evidence[0].signal == "|energy_magnitude|"
    assert "mode collapse" in v.notes[0] and "energy_magnitude" in v.notes[0]


def test_every_kind_has_advice_and_the_verdict_reads_as_lines():
    assert set(ADVICE) == set(KINDS)
    v = judge(gan_records(g_grad=lambda t: max(1.0 - 2 * t, 1e-4)), GAN)
    lines = v.lines()
    assert lines[0].startswith("verdict at step 1,000: discriminator wins: G's gradient norm")
    assert lines[-1].startswith("  try: ")
    assert json.loads(json.dumps(v.to_dict()))["kind"] == "discriminator wins"


def write_run(folder, records, algorithm="gan", extra=None):
    folder.mkdir()
    (folder / "config.yaml").write_text(f"model:\n  algorithm: {algorithm}\n")
    (folder / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    for name, value in (extra or {}).items():
        (folder / name).write_text(value)


def test_judge_run_reads_the_folder_and_skips_a_damaged_modes_json(tmp_path):
    write_run(tmp_path / "run", gan_records(), extra={"modes.json": json.dumps(modes(2, 0.9))})
    assert judge_run(tmp_path / "run").kind == "mode collapse"
    (tmp_path / "run" / "modes.json").write_text('{"step": 10')  # torn: judged without it
    assert judge_run(tmp_path / "run").kind == "healthy"


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "does not exist"),
    (lambda p: p.write_text("x"), "is not a folder"),
    (lambda p: p.mkdir(), "not a gankit run folder"),
    (lambda p: write_run(p, []), "holds no readable metrics line (it is empty)"),
    (lambda p: (write_run(p, []), (p / "metrics.jsonl").write_text('{"step": 1, "lo')), "line 1 is not JSON"),
    (lambda p: (write_run(p, []), (p / "metrics.jsonl").unlink()), "has no metrics.jsonl yet"),
])
def test_judge_run_refuses_what_is_not_a_judged_run_in_one_line(tmp_path, make, message):
    path = tmp_path / "run"
    make(path)
    with pytest.raises(CheckpointError, match=re.escape(message)) as err:
        judge_run(path)
    assert "\n" not in str(err.value)
