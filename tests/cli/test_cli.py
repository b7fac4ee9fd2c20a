import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import invoke
from gankit.cli import INTERRUPTED_EXIT, main


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
    card = json.loads((out / f"eval-step{best_step:08d}-train-n100.json").read_text())  # not the test split's card
    assert card["real_split"] == "train" and card["n_real"] == 100 and card["step"] == best_step

    assert "nothing to fetch" in invoke("data", "fetch", "digits", "--root", tmp_path / "c").output
    from fake_data import fake_mnist

    fake_mnist(tmp_path / "mnist-cache", {"train": 20, "t10k": 10})
    fetched = invoke("data", "fetch", "mnist", "--root", tmp_path / "mnist-cache").output
    assert f"already in the cache at {tmp_path / 'mnist-cache' / 'mnist'}" in fetched


