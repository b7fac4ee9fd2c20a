import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import TINY, invoke
from gankit.cli import INTERRUPTED_EXIT, main


@pytest.mark.slow
def test_train_sample_resume_end_to_end(tmp_path):
    out = tmp_path / "run"
    result = invoke("train", "--data", "ring8", "--objective", "minimax", "--out", out, "--seed", "3", *TINY)
    assert result.exit_code == 0, result.output
    assert "2D modes:" in result.output and "modes captured" in result.output
    saved = (out / "config.yaml").read_text()
    assert "name: minimax" in saved and "seed: 3" in saved and "num_points: 2048" in saved

    result = invoke("sample", out, "--n", "100", "--out", tmp_path / "s.png")
    assert result.exit_code == 0
    with Image.open(tmp_path / "s.png") as scatter:  # a drawn figure, not an empty file
        assert min(scatter.size) > 200 and len(set(scatter.convert("L").getdata())) > 10

    result = invoke("resume", out, "--steps", "30", "--no-progress")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "checkpoints" / "last.json").read_text())["step"] == 30


def test_yaml_config_with_overrides(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("train:\n  steps: 5\n  batch_size: 32\nmodel:\n  width: 16\noptim:\n  lr_g: 1e-3\n")
    result = invoke("train", "--config", config, "--steps", "8", "--out", tmp_path / "r", "--no-progress")
    assert result.exit_code == 0, result.output
    saved = (tmp_path / "r" / "config.yaml").read_text()
    assert "steps: 8" in saved and "batch_size: 32" in saved and "lr_g: 0.001" in saved


@pytest.mark.slow
def test_ctrl_c_saves_a_checkpoint_and_exits_cleanly(tmp_path):
    """A real SIGINT: the run finishes its iteration, checkpoints, says how to resume, exits 130."""
    out = tmp_path / "run"
    command = [sys.executable, "-m", "gankit", "train", "--out", str(out), "--steps", "1000000",
               "--set", "train.log_every=10", "--set", "train.checkpoint_every=1000000", "--no-progress"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    # no deadline: a loaded machine may take minutes to start; only a process that exits early fails this
    while not (out / "metrics.jsonl").is_file() or not (out / "metrics.jsonl").read_text():
        assert proc.poll() is None, "training exited before its first log line"
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate()
    assert proc.returncode == INTERRUPTED_EXIT, output
    assert "gankit resume" in output and "Traceback" not in output
    step = json.loads((out / "checkpoints" / "last.json").read_text())["step"]
    assert 10 <= step < 1_000_000


@pytest.mark.skipif(not os.path.isdir("/usr/share/datasets/fashion-mnist"), reason="Debian's Fashion-MNIST absent")
def test_fashion_mnist_dcgan_offline(tmp_path):
    out = tmp_path / "fm"
    result = invoke("train", "--data", "fashion-mnist", "--net", "dcgan", "--steps", "4", "--out", out,
                    "--set", "model.width=8", "--set", "train.sample_every=2", "--no-progress")
    assert result.exit_code == 0, result.output
    from PIL import Image

    from gankit.viz.pictures import GridLabels, label_margins

    left, top, right, bottom = label_margins(GridLabels(title="a one-line title"))
    grid = Image.open(out / "samples" / "step-00000004.png")  # 8×8 images of 28 px, 2 px gaps, enlarged 3× to >= 512
    assert grid.size == (3 * (8 * 30 + 2) + left + right, 3 * (8 * 30 + 2) + top + bottom)  # and a title above
    assert "batch_size: 64" in (out / "config.yaml").read_text()
    assert (out / "progress.png").is_file() and not (out / "modes.json").exists()


def test_objectives_are_listed_with_their_paper_defaults():
    listing = invoke("objectives").output
    for name in ("minimax", "ns", "lsgan", "wgan", "wgan-gp", "dragan", "began", "hinge"):
        assert f"\n{name}: " in f"\n{listing}"
    wgan_gp = listing.split("wgan-gp:")[1]
    assert "Gulrajani et al. 2017" in wgan_gp
    assert "images: adam lr 0.0001 betas (0, 0.9), batch 64, d_steps 5, penalty gp x10, D norm none" in wgan_gp
    assert "rmsprop lr 5e-05" in listing.split("wgan:")[1]


def test_algorithms_lists_each_energys_sampling_settings_and_none_for_one_pass_samplers():
    listing = invoke("algorithms").output
    blocks = {line.split(":")[0]: line for line in listing.replace("\n    ", " ").splitlines()}
    assert "sampling settings (eval and sample --sampler KEY=VALUE): ebm.sample_steps, ebm.sample_from_noise" in \
        blocks["ebm"]
    assert "ebm.sample_steps, ebm.sample_chain_step_size" in blocks["drl"]
    assert all("sampling settings" not in blocks[name] for name in ("gan", "vae", "rae"))


def test_dry_run_prints_each_resolved_value_with_its_source_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    result = invoke("train", "--data", "digits", "--objective", "wgan-gp", "--set", "gan.d_steps=3", "--dry-run")
    lines = [line.strip() for line in result.output.splitlines()]
    assert result.exit_code == 0
    for expected in ("d_steps: 3  # command line", "penalty: gp  # objective wgan-gp", "net: dcgan  # the data (image)",
                     "latent_dim: 100  # net dcgan", "steps: 3000  # schema default", "name: digits  # command line",
                     f"root: {tmp_path / 'cache'}  # environment ($GANKIT_CACHE)"):
        assert expected in lines, expected
    assert list(tmp_path.iterdir()) == []  # no runs/ folder, no cache


def test_renamed_flags_still_work_and_say_their_new_names(tmp_path):
    result = CliRunner().invoke(main, ["train", "--loss", "hinge", "--model", "ebm", "--dry-run"])
    assert result.exit_code == 0
    assert "gankit: --loss is now --objective" in result.output
    assert "gankit: --model is now --algorithm" in result.output
    assert "  name: hinge  # command line" in result.output and "  algorithm: ebm  # command line" in result.output
    result = CliRunner().invoke(main, ["train", "--set", "train.d_steps=2", "--dry-run"])
    assert "gankit: config key train.d_steps is now gan.d_steps" in result.output and "  d_steps: 2  #" in result.output


def test_train_estimate_prints_the_card_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["train", "--steps", "3000", "--estimate", "--out", str(out),
                                       "--set", "train.threads=1"])
    assert result.exit_code == 0, result.output
    assert "images per second" in result.output and "this run's 3,000 steps" in result.output
    assert not out.exists()


def test_d_depth_on_a_family_with_a_fixed_depth_is_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["train", "--data", "digits", "--net", "resnet", "--set", "model.d_depth=2",
                                       "--steps", "2", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == [
        "Error: model.d_depth is for the mlp and dcgan nets; resnet's discriminator has a fixed depth (got 2; "
        "leave it 0)"]
    assert not out.exists()
