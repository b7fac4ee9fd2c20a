"""`gankit sample` and `gankit pixels`: every view sampled, D ascended, files written into the run folder."""


import pytest
import torch
from click.testing import CliRunner
from PIL import Image

import gankit
from conftest import DIGITS_VAE, invoke, tiny_config
from gankit.cli import main
from gankit.errors import ConfigError
from gankit.viz.pictures import GridLabels, label_margins


@pytest.mark.slow
def test_cli_samples_every_view_and_ascends_discriminators(tmp_path):
    runner = CliRunner()
    for algorithm in ("ae", "vae", "ebm"):
        out = tmp_path / algorithm
        gankit.train(tiny_config(out, **{**DIGITS_VAE, "model": {**DIGITS_VAE["model"], "algorithm": algorithm},
                                         "ebm": {"buffer_size": 64, "langevin_steps": 3}}))
        result = runner.invoke(main, ["sample", str(out), "--n", "16", "--out", str(tmp_path / f"{algorithm}.png")])
        assert result.exit_code == 0, result.output
        assert (tmp_path / f"{algorithm}.png").is_file()
    assert (tmp_path / "ebm" / "chains.png").is_file()
    result = runner.invoke(main, ["sample", str(tmp_path / "ebm"), "--from-discriminator", "--steps", "4",
                                  "--out", str(tmp_path / "chains.png")])
    assert result.exit_code == 0 and "argmax of D" in result.output, result.output
    gan = gankit.train(tiny_config(tmp_path / "gan"))
    trajectory = gan.ascend_discriminator(n=10, steps=6)
    assert len(trajectory) == 7 and trajectory[0].shape == (10, 2)
    result = runner.invoke(main, ["sample", str(tmp_path / "gan"), "--from-discriminator",
                                  "--out", str(tmp_path / "gan-argmax.png")])
    assert result.exit_code == 0 and (tmp_path / "gan-argmax.png").is_file(), result.output
    result = runner.invoke(main, ["sample", str(tmp_path / "vae"), "--from-discriminator"])
    assert result.exit_code != 0 and "vae has no discriminator to ascend" in result.output
    with pytest.raises(ConfigError, match="unconditional here"):
        gankit.train(tiny_config(tmp_path / "cvae", model={"algorithm": "vae", "conditional": True}))


def test_pixels_command_scores_both_edits_with_a_trained_discriminator(tmp_path):
    gankit.train(tiny_config(tmp_path / "gan", data={"name": "digits"}, model={"net": "dcgan", "width": 8},
                             train={"batch_size": 16}))
    result = CliRunner().invoke(main, ["pixels", str(tmp_path / "gan"), "--out", str(tmp_path / "p.png")])
    assert result.exit_code == 0, result.output
    assert "one wrong pixel" in result.output and "six wrong pixels" in result.output
    assert (tmp_path / "p.png").is_file()
    (tmp_path / "a-file").write_text("")  # a path under a regular file cannot be written, even by root
    result = CliRunner().invoke(main, ["pixels", str(tmp_path / "gan"), "--out", str(tmp_path / "a-file" / "p.png")])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1  # mkdir says "File exists"
    assert result.output.startswith(f"Error: cannot write {tmp_path / 'a-file' / 'p.png'} (")
    result = CliRunner().invoke(main, ["pixels", str(tmp_path / "gan"), "--index", "9999"])
    assert result.exit_code != 0 and "out of range" in result.output


def test_the_argmax_of_an_image_ds_chain_shows_ds_score_at_each_step(tmp_path):
    run = gankit.train(tiny_config(tmp_path / "gan", data={"name": "digits"}, model={"net": "dcgan", "width": 8},
                                   train={"batch_size": 16}))
    result = CliRunner().invoke(main, ["sample", str(tmp_path / "gan"), "--from-discriminator", "--steps", "4",
                                       "--n", "3", "--out", str(tmp_path / "argmax.png")])
    assert result.exit_code == 0, result.output
    trajectory = run.ascend_discriminator(n=3, steps=4, seed=0)
    scores = run.discriminator_scores(trajectory)
    assert len(scores) == 5 and scores[0].shape == (3,)
    assert f"{float(scores[0].mean()):+.2f} at the start" in result.output
    assert f"{float(scores[-1].mean()):+.2f} at the end" in result.output
    with Image.open(tmp_path / "argmax.png") as picture:
        assert picture.size[0] >= 512  # 5 steps of 8 px, enlarged


def test_sample_and_pixels_write_into_the_run_folder_unless_told_and_never_over_each_other(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    gankit.train(tiny_config(tmp_path / "gan", data={"name": "digits"}, model={"net": "dcgan", "width": 8},
                             train={"batch_size": 16}))
    for args in (["sample", "gan"], ["sample", "gan", "--seed", "1"], ["sample", "gan", "--from-discriminator",
                                                                        "--steps", "2"], ["pixels", "gan"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    made = sorted(p.name for p in (tmp_path / "gan").glob("*-step*.png"))
    assert made == ["argmax-d-step00000020-seed0.png", "pixels-step00000020-image0.png",
                    "samples-step00000020-seed0.png", "samples-step00000020-seed1.png"]
    assert not list(tmp_path.glob("*.png"))  # nothing in the current folder


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
