"""The training step's precision (fp32, bf16, fp16), memory layout and compilation: one place, the loop."""

from __future__ import annotations

import json
import re

import pytest
import torch
from click.testing import CliRunner
from safetensors.torch import load_file

import gankit
from conftest import poison_discriminator, tiny_config
from gankit.cli import main
from gankit.training.double_backward import refusal
from gankit.training.precision import choose_precision


def digits(out, **train):
    """A tiny DCGAN on 8x8 digits."""
    return tiny_config(out, data={"name": "digits"}, model={"net": "dcgan", "width": 8, "latent_dim": 8},
                       train={"batch_size": 16, **train})


def final_tensors(run_dir):
    meta = json.loads((run_dir / "checkpoints" / "last.json").read_text())
    return load_file(run_dir / "checkpoints" / meta["tensors"])


def test_bf16_trains_keeps_fp32_weights_and_resumes_exactly(tmp_path):
    whole = digits(tmp_path / "whole", precision="bf16")
    run = gankit.train(whole)
    assert run.config.train.precision == "bf16"
    assert "precision: bf16" in (tmp_path / "whole" / "config.yaml").read_text()
    tensors = final_tensors(tmp_path / "whole")
    assert all(t.dtype == torch.float32 for k, t in tensors.items() if k.startswith("model.") and t.is_floating_point())
    lines = [json.loads(line) for line in (tmp_path / "whole" / "metrics.jsonl").read_text().splitlines()]
    assert all(torch.isfinite(torch.tensor(line["loss_d"])) for line in lines if "loss_d" in line)

    def stop_at_10(trainer):
        if trainer.step == 10:
            trainer.request_stop()

    part = digits(tmp_path / "part", precision="bf16")
    gankit.train(part, callbacks=(stop_at_10,))
    gankit.resume(tmp_path / "part")
    resumed = final_tensors(tmp_path / "part")
    assert all(torch.equal(tensors[k], resumed[k]) for k in tensors if k.startswith("model."))


def test_bf16_changes_the_numbers_but_not_the_result(tmp_path):
    """The same run in fp32 and bf16 ends near each other: autocast really runs, and runs correctly."""
    weights = {}
    for precision in ("fp32", "bf16"):
        config = digits(tmp_path / precision, precision=precision, steps=6)
        run = gankit.train(config)
        weights[precision] = torch.cat([p.detach().flatten() for p in run.generator.parameters()])
    difference = (weights["fp32"] - weights["bf16"]).abs().max()
    assert 0 < difference < 0.05 * weights["fp32"].abs().max()


@pytest.mark.slow
def test_a_gradient_penalty_and_the_nan_rollback_work_under_bf16(tmp_path):
    config = tiny_config(tmp_path / "gp", objective={"name": "wgan-gp"}, train={"precision": "bf16"})
    run = gankit.train(config, callbacks=(poison_discriminator({12}),))
    lines = [json.loads(line) for line in (tmp_path / "gp" / "metrics.jsonl").read_text().splitlines()]
    assert run.step == 20 and any("rolled back" in line.get("warning", "") for line in lines)
    assert all(line["penalty"] > 0 for line in lines if "penalty" in line)


def test_fp16_on_the_cpu_is_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["train", "--device", "cpu", "--set", "train.precision=fp16", "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert result.output.strip() == "Error: train.precision fp16 needs CUDA (its gradient scaler); on the CPU use " \
                                    "bf16 or fp32"


def test_auto_picks_a_concrete_precision_and_the_run_records_it(tmp_path):
    chosen = choose_precision("auto", torch.device("cpu"))
    assert chosen in ("fp32", "bf16")
    run = gankit.train(tiny_config(tmp_path / "r", train={"precision": "auto", "steps": 2}))
    assert run.config.train.precision == "auto" and run.measured["precision"] == chosen
    assert "precision: auto" in (tmp_path / "r" / "config.yaml").read_text()  # the config is never written back
    info = json.loads((tmp_path / "r" / "run.json").read_text())
    meta = json.loads((tmp_path / "r" / "checkpoints" / "last.json").read_text())
    assert info["measured"]["precision"] == meta["measured"]["precision"] == chosen
    assert gankit.load(tmp_path / "r").measured == run.measured


def test_channels_last_is_the_same_model_in_another_layout(tmp_path):
    runs = {}
    for layout in (False, True):
        config = digits(tmp_path / str(layout), channels_last=layout, steps=6)
        runs[layout] = gankit.train(config)
    conv = next(m for m in runs[True].discriminator.modules() if isinstance(m, torch.nn.Conv2d))
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    for a, b in zip(runs[False].generator.parameters(), runs[True].generator.parameters(), strict=True):
        assert torch.allclose(a, b, atol=1e-4)
    assert gankit.load(tmp_path / "True").sample(4).shape == (4, 1, 8, 8)


@pytest.mark.slow
def test_compiled_networks_train_and_save_the_same_keys(tmp_path):
    run = gankit.train(tiny_config(tmp_path / "c", train={"compile": True, "steps": 6}))
    plain = gankit.train(tiny_config(tmp_path / "p", train={"steps": 6}))
    assert final_tensors(tmp_path / "c").keys() == final_tensors(tmp_path / "p").keys()
    for a, b in zip(run.generator.parameters(), plain.generator.parameters(), strict=True):
        assert torch.allclose(a, b, atol=1e-4)


def test_compile_with_a_gradient_penalty_says_why_it_stays_eager(tmp_path):
    with pytest.warns(UserWarning, match="objective.penalty gp differentiates twice.*training uncompiled"):
        gankit.train(tiny_config(tmp_path / "gp", objective={"name": "wgan-gp"}, train={"compile": True, "steps": 2}))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="fp16 trains on CUDA only (no GPU here)")
def test_fp16_on_cuda_trains_with_a_loss_scale_that_the_checkpoint_keeps(tmp_path):
    run = gankit.train(digits(tmp_path / "r", precision="fp16", device="cuda"))
    meta = json.loads((tmp_path / "r" / "checkpoints" / "last.json").read_text())
    assert run.config.train.precision == "fp16" and meta["precision"]["scale"] > 0
    resumed = gankit.resume(tmp_path / "r", steps=24)
    assert resumed.step == 24 and all(torch.isfinite(p).all() for p in resumed.algorithm.parameters())


@pytest.mark.parametrize("penalty", ["gp", "dragan", "r1", "r2", "r1+r2"])
@pytest.mark.parametrize("lazy", [1, 4], ids=["in-loss", "own-phase"])
def test_every_penalty_under_compile_trains_eagerly_with_a_one_line_reason(tmp_path, penalty, lazy):
    """Where torch.compile cannot differentiate twice (this PyTorch's, on the CPU), no penalty trains compiled:
    one notice, the run eager and the same as without compile (nothing of it was traced)."""
    if refusal(torch.device("cpu")) is None:
        pytest.skip("this PyTorch's compiled second derivatives match eager ones, so penalties train compiled "
                    "(tests/training/test_building.py checks their gradients)")
    sections = {"objective": {"penalty": penalty, "penalty_every": lazy}, "train": {"steps": 4}}
    with pytest.warns(UserWarning, match=rf"objective.penalty {re.escape(penalty)} differentiates twice.*uncompiled"):
        compiled = gankit.train(tiny_config(tmp_path / "c", **{**sections, "train": {"steps": 4, "compile": True}}))
    eager = gankit.train(tiny_config(tmp_path / "e", **sections))
    for a, b in zip(compiled.generator.parameters(), eager.generator.parameters(), strict=True):
        assert torch.equal(a, b)
