"""The GAN homework's workflow on a folder of faces: the 1.jpg … N.jpg submission and its flat .tgz, the
gradient-norm plot, and Inception FID against a folder (loading the faces and the instance-norm critic are
tested in tests/data/test_images.py and tests/nets/test_dcgan.py)."""

import json
import tarfile

import pytest
from PIL import Image

from conftest import invoke
from fake_data import make_faces
from gankit.metrics.evaluate import folder_content_hash
from gankit.metrics.inception import weights_path


@pytest.fixture(scope="module")
def homework_runs(tmp_path_factory):
    """A WGAN (weight clipping) and a WGAN-GP run on a face folder at 16x16, instance-norm critics, 6 steps."""
    root = tmp_path_factory.mktemp("homework")
    faces = make_faces(root / "faces")
    runs = {}
    for objective in ("wgan", "wgan-gp"):
        out = root / objective
        result = invoke("train", "--data", f"folder:{faces}", "--objective", objective, "--steps", "6",
                        "--batch-size", "8", "--set", "data.image_size=16", "--set", "model.width=8",
                        "--set", "model.d_norm=instance", "--set", "train.log_every=2", "--set", "gan.d_steps=1",
                        "--out", out, "--no-progress")
        assert result.exit_code == 0, result.output
        runs[objective] = out
    return root, faces, runs


def test_submission_files_are_numbered_flat_and_reproducible(homework_runs, tmp_path):
    _, _, runs = homework_runs
    result = invoke("sample", runs["wgan-gp"], "--n", "12", "--format", "jpg", "--out-dir", tmp_path / "a",
                    "--tgz", tmp_path / "a.tgz", "--seed", "5")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(f"{i}.jpg" for i in range(1, 13))
    with Image.open(tmp_path / "a" / "12.jpg") as image:
        assert image.format == "JPEG" and image.size == (16, 16)
    with tarfile.open(tmp_path / "a.tgz") as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == [f"{i}.jpg" for i in range(1, 13)]  # flat: no folder inside
        assert all(m.isfile() for m in members)
        assert tar.extractfile("3.jpg").read() == (tmp_path / "a" / "3.jpg").read_bytes()
    invoke("sample", runs["wgan-gp"], "--n", "12", "--format", "jpg", "--out-dir", tmp_path / "b",
           "--tgz", tmp_path / "b.tgz", "--seed", "5")
    assert (tmp_path / "b.tgz").read_bytes() == (tmp_path / "a.tgz").read_bytes()  # same seed, same archive
    invoke("sample", runs["wgan-gp"], "--n", "12", "--format", "jpg", "--out-dir", tmp_path / "c", "--seed", "6")
    assert (tmp_path / "c" / "1.jpg").read_bytes() != (tmp_path / "a" / "1.jpg").read_bytes()
    result = invoke("sample", runs["wgan-gp"], "--n", "3", "--out-dir", tmp_path / "png")
    assert result.exit_code == 0 and sorted(p.name for p in (tmp_path / "png").iterdir()) == ["1.png", "2.png",
                                                                                               "3.png"]


def test_a_folder_that_is_not_empty_is_refused_and_nothing_is_written(homework_runs, tmp_path):
    _, _, runs = homework_runs
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("keep")
    result = invoke("sample", runs["wgan"], "--n", "4", "--out-dir", tmp_path / "taken", "--tgz", tmp_path / "s.tgz")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "--out-dir" in result.output and "not empty" in result.output
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["mine.txt"] and not (tmp_path / "s.tgz").exists()
    result = invoke("sample", runs["wgan"], "--tgz", tmp_path / "s.tgz")
    assert result.exit_code == 1 and "--out-dir" in result.output and not (tmp_path / "s.tgz").exists()


def test_grad_norm_plot_of_clipping_against_the_penalty(homework_runs, tmp_path):
    from gankit.viz.curves import read_run_log

    _, _, runs = homework_runs
    log = read_run_log(runs["wgan"])
    layers = log.layers("discriminator")
    assert layers[0] == "body.0" and layers[-1] == "head"  # input to output, though D registers its head first
    assert len(log.series[f"grad_norm/discriminator/{layers[0]}"]) == 3  # steps 2, 4, 6
    assert layers == ["body.0", "body.2", "body.3", "head"]  # two convolutions, an instance norm, the head
    result = invoke("plot", "grad-norms", runs["wgan"], runs["wgan-gp"], "--out", tmp_path / "norms.png")
    assert result.exit_code == 0, result.output
    assert "wgan: 3 discriminator layers" in result.output  # the weight layers: the norm's scale is left out
    with_norms = invoke("plot", "grad-norms", runs["wgan"], "--norm-layers", "--out", tmp_path / "all.png")
    assert "wgan: 4 discriminator layers" in with_norms.output
    with Image.open(tmp_path / "norms.png") as picture:
        assert picture.size[0] > 800 and len(set(picture.convert("L").getdata())) > 20
    result = invoke("plot", "curves", runs["wgan"], runs["wgan-gp"], "--metric", "wasserstein", "--metric",
                    "loss_d", "--out", tmp_path / "curves.png")
    assert result.exit_code == 0 and (tmp_path / "curves.png").is_file()
    result = invoke("plot", "curves", runs["wgan"], "--metric", "fid_of_dreams", "--out", tmp_path / "no.png")
    assert result.exit_code == 1 and "fid_of_dreams" in result.output and "loss_d" in result.output
    assert not (tmp_path / "no.png").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("plot", "grad-norms", empty, "--out", tmp_path / "no.png")
    assert result.exit_code == 1 and "metrics.jsonl" in result.output


def test_against_takes_a_folder_and_says_so(homework_runs, tmp_path):
    _, _, runs = homework_runs
    result = invoke("eval", runs["wgan"], "--against", "fashion-mnist", "--features", "inception")
    assert result.exit_code == 1 and "folder:PATH" in result.output
    result = invoke("eval", runs["wgan"], "--against", f"folder:{tmp_path / 'missing'}", "--features", "inception")
    assert result.exit_code == 1 and "does not exist" in result.output
    result = invoke("eval", "--against", f"folder:{tmp_path}")
    assert result.exit_code == 1 and "RUN_DIR" in result.output


def test_too_few_images_for_the_metrics_is_one_line_before_sampling(homework_runs, tmp_path, monkeypatch):
    _, _, runs = homework_runs
    few = make_faces(tmp_path / "few", count=3)

    def no_sampling(*args, **kwargs):
        raise AssertionError("sampled before checking the folder")

    monkeypatch.setattr("gankit.api.Run.sample", no_sampling)
    result = invoke("eval", runs["wgan"], "--against", f"folder:{few}")
    assert result.exit_code == 1 and "against the images of folder:" in result.output
    assert "holds 3 images; the metrics need at least 6" in result.output.splitlines()[-1]
    result = invoke("eval", runs["wgan"], "--n", "5")
    assert result.exit_code == 1 and "--n 5 is too few: the metrics need at least 6" in result.output


@pytest.mark.slow
def test_inception_fid_of_a_run_against_a_folder(homework_runs, session_cache):
    if not weights_path(session_cache / "features").is_file():
        pytest.skip("Inception FID weights absent: run `gankit features fetch inception` to test them")
    _, faces, runs = homework_runs
    result = invoke("eval", runs["wgan-gp"], "--against", f"folder:{faces}", "--features", "inception", "--n", "16")
    assert result.exit_code == 0, result.output
    assert "16 samples" in result.output and f"16 folder:{faces}" in result.output
    card_path = next(runs["wgan-gp"].glob("eval-step*-inception-folder-*.json"))
    card = json.loads(card_path.read_text())
    assert card["real"] == f"folder:{faces}" and card["real_sha256"] == folder_content_hash(str(faces))
    assert card["n_real"] == 16 and card["n_fake"] == 16 and card["real_image_size"] == 16
    assert card["fid"] > 0 and card["extractor"] == "inception"
    cached = list((session_cache / "features").rglob("folder-*-16px-3ch-test-16.safetensors"))
    assert len(cached) == 1
    written = cached[0].stat().st_mtime_ns
    again = invoke("eval", runs["wgan-gp"], "--against", f"folder:{faces}", "--features", "inception", "--n", "16")
    assert json.loads(card_path.read_text())["fid"] == pytest.approx(card["fid"], rel=1e-6), again.output
    assert cached[0].stat().st_mtime_ns == written  # the folder's real features came from the cache

