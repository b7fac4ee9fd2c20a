import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from conftest import HOME_FEATURES
from gankit.cli import INTERRUPTED_EXIT, main
from gankit.viz.pictures import GridLabels, label_margins

TINY = ["--steps", "20", "--batch-size", "64", "--set", "data.num_points=2048", "--set", "model.width=32",
        "--set", "train.log_every=5", "--set", "train.sample_every=10", "--no-progress"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--data", "nope"], "unknown dataset 'nope'; valid:"),
        (["train", "--data", "folder:/does/not/exist"], "does not exist"),
        (["train", "--objective", "nope"], "unknown objective 'nope'; valid: began, dragan, hinge"),
        (["train", "--model", "nope"], "unknown model 'nope'; valid: auto"),
        (["train", "--set", "train.steps"], "--set expects KEY=VALUE"),
        (["train", "--set", "train.stepz=3"], "unknown field train.stepz"),
        (["train", "--steps", "-1"], "train.steps must be positive"),
        (["train", "--steps", "-5"], "train.steps must be positive, got -5"),
        (["train", "--steps", "1000000000000"], "train.steps must be at most 1,000,000,000"),
        (["train", "--lr", "nan"], "optim.lr_g must be positive, got nan"),
        (["train", "--set", "objective.penalty_weight=inf"], "objective.penalty_weight must be >= 0, got inf"),
        (["train", "--data", "spiral", "--set", "model.conditional=true"], "model.conditional needs a labelled"),
        (["train", "--data", "digits", "--net", "mlp"], "mlp is for 2D point data"),
        (["sample", "/no/such/run"], "not a gankit run folder"),
        (["resume", "/no/such/run"], "not a gankit run folder"),
        (["data", "fetch", "nope"], "unknown dataset 'nope'"),
        (["train", "--steps", "abc"], "Invalid value for '--steps': 'abc' is not a valid integer"),
        (["sample", "/no/such/run", "--n", "0"], "Invalid value for '--n': 0 is not in the range 1<=x<=10000"),
        (["eval", "--split", "valid"], "'valid' is not one of 'train', 'test'"),
        (["bench", "nope"], "'nope' is not one of 'objectives', 'modes', 'stacked-mnist'"),
        (["nope"], "No such command 'nope'"),
        (["train", "--bogus"], "No such option '--bogus'"),
        (["sample"], "Missing argument 'RUN_DIR'"),
    ],
)
def test_bad_input_is_one_line_not_a_traceback(tmp_path, args, message):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_second_ctrl_c_is_one_line_and_exit_130(monkeypatch):
    def aborted(*args, **kwargs):
        raise KeyboardInterrupt  # what the second Ctrl-C raises inside training

    monkeypatch.setattr("gankit.api.train", aborted)
    result = CliRunner().invoke(main, ["train", "--steps", "5"])
    assert result.exit_code == INTERRUPTED_EXIT and "Aborted!" not in result.output
    assert result.output.strip().splitlines() == [
        "gankit: stopped by Ctrl-C before a checkpoint could be taken, or at once by a second one; "
        "what was checkpointed is kept (`gankit resume RUN` continues a run)"]


def test_data_commands():
    listing = invoke("data", "list").output
    for name in ("ring8", "grid25", "spiral", "fashion-mnist", "mnist", "cifar10", "digits", "folder:PATH"):
        assert name in listing
    assert "nothing to fetch" in invoke("data", "fetch", "digits").output


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


def test_conditional_grids_have_one_row_per_class_and_class_flag(tmp_path):
    from PIL import Image

    from gankit.api import load

    out = tmp_path / "cond"
    result = invoke("train", "--data", "digits", "--net", "dcgan", "--steps", "4", "--out", out,
                    "--set", "model.width=8", "--set", "model.conditional=true", "--set", "model.d_condition=acgan",
                    "--set", "train.sample_every=2", "--no-progress")
    assert result.exit_code == 0, result.output
    def rows_of(path, scale=7):  # 8 px digits with 2 px gaps, enlarged 7× (8 · 10 + 2 = 82 px -> 574 >= 512)
        left, top, right, bottom = label_margins(GridLabels(rows=["a row label"], title="a title"))
        with Image.open(path) as picture:
            assert picture.size[0] == left + right + scale * 82  # 8 per row
            return (picture.size[1] - top - bottom - 2 * scale) // (10 * scale)

    assert rows_of(out / "samples" / "step-00000004.png") == 10  # classes 0..9, a row each
    invoke("sample", out, "--out", tmp_path / "all.png")
    assert rows_of(tmp_path / "all.png") == 10
    result = invoke("sample", out, "--class", "3", "--n", "16", "--out", tmp_path / "three.png", "--scale", "2")
    assert "wrote 16 samples" in result.output and rows_of(tmp_path / "three.png", scale=2) == 2
    run = load(out)
    threes = run.sample(16, labels=3, seed=0)
    z_rng = torch.Generator().manual_seed(0)
    z = torch.randn(16, run.generator.latent_dim, generator=z_rng)
    expected = run.generator.eval()(z, torch.full((16,), 3))
    assert torch.allclose(threes, expected)
    assert "out of range 0..9" in CliRunner().invoke(main, ["sample", str(out), "--class", "10"]).output


def test_objectives_are_listed_with_their_paper_defaults():
    listing = invoke("objectives").output
    for name in ("minimax", "ns", "lsgan", "wgan", "wgan-gp", "dragan", "began", "hinge"):
        assert f"\n{name}: " in f"\n{listing}"
    wgan_gp = listing.split("wgan-gp:")[1]
    assert "Gulrajani et al. 2017" in wgan_gp
    assert "images: adam lr 0.0001 betas (0, 0.9), batch 64, d_steps 5, penalty gp x10, D norm none" in wgan_gp
    assert "rmsprop lr 5e-05" in listing.split("wgan:")[1]


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


def test_python_dash_m_gankit_is_the_command():
    out = subprocess.run([sys.executable, "-m", "gankit", "data", "list"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("cifar10")


def test_the_flags_of_train_sample_eval_and_data_fetch(tmp_path):
    out, image = tmp_path / "run", tmp_path / "grid.png"
    args = ["train", "--data", "digits", "--net", "dcgan", "--lr", "5e-4", "--device", "cpu", "--eval-every", "2",
            "--steps", "4", "--batch-size", "16", "--set", "model.width=8", "--set", "train.eval_samples=100",
            "--out", out, "--no-progress"]
    assert invoke(*args).exit_code == 0
    config = (out / "config.yaml").read_text()
    assert "lr_g: 0.0005" in config and "lr_d: 0.0005" in config and "device: cpu" in config
    evaluations = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [line["step"] for line in evaluations if "eval/fid" in line] == [2, 4]
    assert (out / "checkpoints" / "best.json").is_file()
    again = CliRunner().invoke(main, [str(a) for a in args])
    assert again.exit_code == 1 and "already holds a run" in again.output
    assert invoke(*args, "--overwrite").exit_code == 0

    result = invoke("sample", out, "--checkpoint", "best", "--nrow", "4", "--n", "8", "--out", image)
    assert result.exit_code == 0
    from gankit.viz.pictures import GridLabels, label_margins

    left, top, right, bottom = label_margins(GridLabels(title="run, step 4: 8 samples, seed 0"))
    with Image.open(image) as grid:  # 8x8 digits with 2-pixel gaps: 4 per row, 2 rows, enlarged 13× to >= 512
        assert grid.size == (13 * (4 * 10 + 2) + left + right, 13 * (2 * 10 + 2) + top + bottom)  # titled
    result = invoke("eval", out, "--split", "train", "--checkpoint", "best", "--n", "100", "--features", "classifier")
    assert result.exit_code == 0 and "100 train images" in result.output
    best_step = json.loads((out / "checkpoints" / "best.json").read_text())["step"]
    card = json.loads((out / f"eval-step{best_step:08d}-train.json").read_text())  # not the test split's card
    assert card["real_split"] == "train" and card["n_real"] == 100 and card["step"] == best_step

    assert "nothing to fetch" in invoke("data", "fetch", "digits", "--root", tmp_path / "c").output
    from fake_data import fake_mnist

    fake_mnist(tmp_path / "mnist-cache", {"train": 20, "t10k": 10})
    fetched = invoke("data", "fetch", "mnist", "--root", tmp_path / "mnist-cache").output
    assert f"already in the cache at {tmp_path / 'mnist-cache' / 'mnist'}" in fetched


def test_features_fetch_refuses_a_file_that_is_not_the_inception_network(tmp_path):
    wrong = tmp_path / "default_1.pt"
    wrong.write_bytes(b"not the network")
    result = CliRunner().invoke(main, ["features", "fetch", "inception", "--from", str(wrong)])
    assert result.exit_code == 1 and "is not the FID Inception network's" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.skipif(not (HOME_FEATURES / "inception").is_dir(), reason="Inception weights not fetched on this machine")
def test_features_fetch_installs_the_network_from_a_local_file(tmp_path, monkeypatch):
    (source,) = (HOME_FEATURES / "inception").glob("*.pt")
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    result = CliRunner().invoke(main, ["features", "fetch", "inception", "--from", str(source)])
    assert result.exit_code == 0, result.output
    installed = tmp_path / "cache" / "features" / "inception" / source.name
    assert installed.read_bytes() == source.read_bytes()
