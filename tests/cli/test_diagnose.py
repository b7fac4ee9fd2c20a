"""`gankit diagnose RUN`: the verdict, its evidence and advice; one line for what is not a judged run."""

import json

import pytest
from click.testing import CliRunner

from gankit.cli import main


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write_run(folder, records, algorithm="gan"):
    folder.mkdir()
    (folder / "config.yaml").write_text(f"model:\n  algorithm: {algorithm}\n")
    (folder / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))


def test_diagnose_prints_the_verdict_its_evidence_and_what_to_try(tmp_path):
    records = [{"step": s, "loss_d": 0.01, "loss_g": 0.0, "grad_norm/generator/out": 1.0 / s}
               for s in range(25, 1001, 25)]
    write_run(tmp_path / "run", records)
    result = invoke("diagnose", tmp_path / "run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("verdict at step 1,000: discriminator wins: G's gradient norm, late median / peak")
    assert "from step" in lines[0] and lines[-1].startswith("  try: ") and "--objective ns" in lines[-1]
    shown = json.loads(invoke("diagnose", tmp_path / "run", "--json").output)
    assert shown["kind"] == "discriminator wins" and shown["evidence"][0]["threshold"] == "< 0.05"


def test_diagnose_says_what_applies_to_an_auto_encoder(tmp_path):
    write_run(tmp_path / "vae", [{"step": s, "loss": 1.0} for s in range(50, 501, 50)], algorithm="vae")
    result = invoke("diagnose", tmp_path / "vae")
    assert result.exit_code == 0 and "not learning yet" in result.output.splitlines()[0]
    assert "note: mode collapse and 'discriminator wins' are a G and a D's contest" in result.output


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "does not exist"),
    (lambda p: p.write_text("x"), "is not a folder"),
    (lambda p: p.mkdir(), "is not a gankit run folder (no config.yaml)"),
    (lambda p: write_run(p, []), "holds no readable metrics line (it is empty)"),
    (lambda p: (write_run(p, []), (p / "metrics.jsonl").write_bytes(b'{"step": 3, "loss')),
     "holds no readable metrics line (line 1 is not JSON"),
    (lambda p: (p.mkdir(), (p / "config.yaml").write_text("model: [")), "is not valid YAML"),
])
def test_diagnose_refuses_a_bad_path_or_folder_in_one_line(tmp_path, make, message):
    path = tmp_path / "run"
    make(path)
    result = invoke("diagnose", path)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert result.output.count("\n") == 1


@pytest.mark.slow
def test_diagnose_a_tiny_trained_run_and_train_prints_its_verdict(tmp_path):
    out = tmp_path / "run"
    result = invoke("train", "--data", "ring8", "--out", out, "--steps", "20", "--batch-size", "64",
                    "--set", "model.width=32", "--set", "train.log_every=5", "--no-progress")
    assert result.exit_code == 0, result.output
    assert "  verdict at step 20: not learning yet: steps trained = 20 (< 200)" in result.output
    result = invoke("diagnose", out)
    assert result.exit_code == 0 and result.output.startswith("verdict at step 20: not learning yet")
