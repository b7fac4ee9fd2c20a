"""The lecture's other two algorithms: generator alone (AE/VAE) and discriminator alone (EBM)."""

import json
import math
from types import SimpleNamespace

import pytest
import torch
from click.testing import CliRunner
from PIL import Image

import gankit
from conftest import tiny_config
from gankit.algorithms.autoencoder.model import gaussian_kl
from gankit.algorithms.ebm.model import EBM
from gankit.algorithms.resolve import resolve
from gankit.cli import main
from gankit.config import Config, EBMConfig
from gankit.data.batches import Batch
from gankit.errors import ConfigError
from gankit.nets.mlp import MLPDiscriminator
from gankit.samplers.langevin import langevin

DIGITS_VAE = {"data": {"name": "digits"}, "model": {"algorithm": "vae", "width": 8, "latent_dim": 4},
              "train": {"batch_size": 32, "steps": 40, "sample_every": 20}}


def test_langevin_adds_gaussian_noise_of_the_configured_std_at_every_step():
    flat = lambda x: 0.0 * x.sum(1)  # noqa: E731  (no gradient: only the noise moves x)
    x0 = torch.zeros(20_000, 2)
    moved = langevin(flat, x0, steps=4, step_size=0.1, noise=0.05, bounds=(-3.0, 3.0),
                     generator=torch.Generator().manual_seed(0))
    assert moved.mean().abs() < 0.002 and moved.std().item() == pytest.approx(0.05 * 4**0.5, rel=0.02)


def test_langevin_moves_x_up_the_score_gradient_and_stays_in_bounds():
    centre = torch.tensor([[1.0, -0.5]])

    def score(x):
        return -(x - centre).square().sum(1)  # peak at the centre; gradient -2 (x - centre)

    x0 = torch.tensor([[0.0, 0.0], [2.0, 2.0]])
    x1 = langevin(score, x0, steps=1, step_size=0.1, noise=0.0, bounds=(-3.0, 3.0))
    assert torch.allclose(x1, x0 + 0.1 * -2 * (x0 - centre))
    assert (score(x1) > score(x0)).all()
    path = []
    far = langevin(score, x0, steps=50, step_size=0.1, noise=0.01, bounds=(-3.0, 3.0),
                   generator=torch.Generator().manual_seed(0), callback=path.append)
    assert len(path) == 50 and torch.allclose(far, centre.expand(2, 2), atol=0.05)
    clipped = langevin(lambda x: x.sum(1), x0, steps=100, step_size=1.0, noise=0.0, bounds=(-3.0, 3.0))
    assert torch.equal(clipped, torch.full((2, 2), 3.0))  # ascent that would leave the box is clipped


def small_ebm(buffer_size=1000, restart=0.05):
    settings = EBMConfig(langevin_steps=2, step_size=0.01, noise=0.0, buffer_size=buffer_size, restart=restart)
    return EBM(MLPDiscriminator(2, 16, 2), (2,), (-3.0, 3.0), settings)


def test_replay_buffer_keeps_its_size_and_restarts_the_configured_fraction():
    ebm = small_ebm(restart=0.05)
    chains = ebm.replay.chains
    chains.fill_(10.0)  # outside the noise box: any start below 10 is a fresh restart
    rng = torch.Generator().manual_seed(0)
    start, slots = ebm.replay.starts(40_000, rng, torch.device("cpu"))
    fresh = (start != 10.0).all(1).float().mean()
    assert abs(float(fresh) - 0.05) < 0.005 and slots is not None and int(slots.max()) < 1000
    out = ebm.loss(Batch(torch.zeros(256, 2)), rng)
    assert (chains == 10.0).all()  # the loss changes nothing; the update's hook writes the buffer
    ebm.after_update("discriminator", out)
    negatives = out.pending["negatives"]
    assert chains.shape == (1000, 2) and negatives.shape == (256, 2)
    written = (chains != 10.0).all(1).sum()
    assert 0 < written <= 256 and (negatives.abs() <= 3).all()  # chains end where the buffer now holds them
    assert all(any(torch.equal(row, n) for n in negatives) for row in chains[(chains != 10.0).all(1)])
    no_buffer = small_ebm(buffer_size=0)
    assert no_buffer.replay.starts(8, rng, torch.device("cpu"))[1] is None


def test_vae_kl_matches_the_closed_form_of_torch_distributions():
    mean, log_var = torch.randn(5, 3), torch.randn(5, 3)
    q = torch.distributions.Normal(mean, (0.5 * log_var).exp())
    p = torch.distributions.Normal(torch.zeros(5, 3), torch.ones(5, 3))
    assert torch.allclose(gaussian_kl(mean, log_var), torch.distributions.kl_divergence(q, p).sum(1), atol=1e-5)
    assert torch.allclose(gaussian_kl(torch.zeros(2, 4), torch.zeros(2, 4)), torch.zeros(2))


def test_views_default_to_their_own_settings_not_the_gans():
    ebm = resolve(Config().override({"model.algorithm": "ebm"}), "points")
    assert (ebm.model.minibatch_std, ebm.model.d_norm, ebm.ebm.langevin_steps, ebm.ebm.step_size) == (
        False, "none", 50, 0.05)
    images = resolve(Config().override({"model.algorithm": "ebm"}), "image")
    assert (images.optim.lr_d, images.optim.beta1, images.ebm.step_size) == (1e-4, 0.0, 1.0)
    assert images.model.d_norm == "none"
    vae = resolve(Config().override({"model.algorithm": "vae"}), "image")
    assert (vae.vae.reconstruction, vae.optim.lr_g, vae.optim.beta1) == ("bernoulli", 1e-3, 0.9)
    with pytest.raises(ConfigError, match="ebm.restart must be in"):
        Config().override({"ebm.restart": 1.5})


def test_vae_logs_a_falling_test_elbo_and_writes_its_pictures(tmp_path):
    run = gankit.train(tiny_config(tmp_path / "vae", **DIGITS_VAE))
    lines = [json.loads(line) for line in (tmp_path / "vae" / "metrics.jsonl").read_text().splitlines()]
    elbo = [line["test_neg_elbo"] for line in lines if "test_neg_elbo" in line]
    assert len(elbo) == 2 and elbo[1] < elbo[0]
    train_line = next(line for line in lines if "neg_elbo" in line)
    assert train_line["neg_elbo"] == pytest.approx(train_line["reconstruction"] + train_line["kl"], rel=1e-5)
    for picture in ("reconstructions.png", "interpolation.png", "progress.png"):
        assert (tmp_path / "vae" / picture).is_file()
    assert run.sample(6).shape == (6, 1, 8, 8)


def test_ae_samples_from_a_gaussian_fitted_to_its_codes(tmp_path):
    ae = {**DIGITS_VAE, "model": {**DIGITS_VAE["model"], "algorithm": "ae"}}
    run = gankit.train(tiny_config(tmp_path / "ae", **ae))
    algorithm = run.algorithm
    assert int(algorithm.codes_seen) == 40 * 32
    z = algorithm.sample_latent(20_000, torch.Generator().manual_seed(0))
    assert torch.allclose(z.mean(0), algorithm.code_mean, atol=0.05 * float(algorithm.code_mean.abs().max() + 1))
    # the codes' covariance, not the identity: feed codes of a known covariance and sample it back
    algorithm.codes_seen.zero_()
    codes = torch.randn(50_000, 4, generator=torch.Generator().manual_seed(1)) * torch.linspace(0.2, 3.0, 4)
    algorithm._track_codes(codes)
    drawn = algorithm.sample_latent(50_000, torch.Generator().manual_seed(2))
    assert torch.allclose(drawn.std(0), torch.linspace(0.2, 3.0, 4), rtol=0.05)


def test_ebm_on_ring8_draws_d_landscape_frames_and_a_gif(tmp_path):
    config = tiny_config(tmp_path / "ebm", model={"algorithm": "ebm"}, ebm={"buffer_size": 200, "langevin_steps": 5})
    run = gankit.train(config)
    frames = sorted((tmp_path / "ebm" / "landscape").glob("step-*.png"))
    assert [f.name for f in frames] == [f"step-{s:08d}.png" for s in (5, 10, 15, 20)]
    with Image.open(tmp_path / "ebm" / "landscape.gif") as gif:  # one GIF frame per landscape frame, same size
        assert gif.n_frames == len(frames) and gif.size == Image.open(frames[0]).size
    line = json.loads((tmp_path / "ebm" / "metrics.jsonl").read_text().splitlines()[-1])
    # the GIF redraws every frame from its saved scores on one colour scale: the whole run's 1st-99th percentile
    from safetensors.torch import load_file

    import gankit.training.outputs as outputs

    scores = torch.cat([load_file(f.with_suffix(".safetensors"))["scores"].flatten() for f in frames])
    drawn = []
    original = outputs.save_landscape

    def recording(*args, **kwargs):
        drawn.append(kwargs["scale"])
        return original(*args, **kwargs)

    outputs.save_landscape = recording
    try:
        outputs.Outputs.landscape_gif(SimpleNamespace(folder=run.folder, real_points=None))  # type: ignore[arg-type]
    finally:
        outputs.save_landscape = original
    expected = (float(scores.quantile(0.01)), float(scores.quantile(0.99)))
    assert len(drawn) == len(frames) and set(drawn) == {expected} and expected[0] < expected[1]
    assert {"d_real", "d_fake", "energy_magnitude"} <= line.keys()
    assert run.sample(7).shape == (7, 2)


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


def test_pixel_argument_builds_one_isolated_and_six_stroke_pixels():
    from gankit.viz.pixel_argument import one_and_six_wrong, pixel_argument

    image = torch.zeros(1, 12, 12, dtype=torch.uint8)
    image[0, 2, 1:9] = 200  # a horizontal stroke near the top
    one, six = one_and_six_wrong(image)
    changed_one = torch.nonzero(one[0] != image[0])
    # the pixel farthest from the stroke that keeps 2 pixels off the border (where its outline would be cut)
    assert changed_one.tolist() == [[9, 9]] and one[0, 9, 9] == 255
    changed_six = torch.nonzero(six[0] != image[0])
    assert len(changed_six) == 6 and (six[0][six[0] != image[0]] == 200).all()
    assert all(abs(int(y) - 2) <= 1 for y, _ in changed_six.tolist())  # all touch the stroke's rows
    result = pixel_argument(image, lambda x: -x.flatten(1).sum(1))  # a "D" that prefers dark images
    assert result.pixel_l2["real"] == 0 and result.pixel_l2["six wrong pixels"] > result.pixel_l2["one wrong pixel"]
    assert result.d_score["real"] > result.d_score["one wrong pixel"] > result.d_score["six wrong pixels"]
    with pytest.raises(ValueError, match="both stroke and background"):
        one_and_six_wrong(torch.zeros(1, 4, 4, dtype=torch.uint8))


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


def test_the_gaussian_reconstruction_loss_is_the_gaussian_negative_log_likelihood():
    torch.manual_seed(0)
    config = resolve(Config().override({"model.algorithm": "vae", "vae.reconstruction": "gaussian",
                                        "vae.gaussian_std": 0.3, "model.width": 8, "model.latent_dim": 4}), "image")
    from gankit.algorithms import build_algorithm
    from gankit.data.spec import DataSpec

    vae = build_algorithm(config, DataSpec(name="fake", kind="image", sample_shape=(1, 8, 8)))
    x, z = torch.rand(5, 1, 8, 8) * 2 - 1, torch.randn(5, 4)
    mean = vae.generator(z)
    expected = -torch.distributions.Normal(mean, 0.3).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(vae.reconstruction_loss(x, z), expected, rtol=1e-5)


def test_a_vae_with_the_gaussian_likelihood_trains_on_images(tmp_path):
    vae = {**DIGITS_VAE, "vae": {"reconstruction": "gaussian"}}
    run = gankit.train(tiny_config(tmp_path / "g", **vae))
    assert run.config.vae.reconstruction == "gaussian" and (tmp_path / "g" / "reconstructions.png").is_file()
    lines = [json.loads(line) for line in (tmp_path / "g" / "metrics.jsonl").read_text().splitlines()]
    assert all(math.isfinite(line["loss"]) for line in lines if "loss" in line)


def test_grids_are_enlarged_to_a_readable_size_and_labels_sit_in_margins(tmp_path):
    from gankit.viz.pictures import GridLabels, label_margins, save_image_grid

    images = torch.rand(64, 1, 8, 8) * 2 - 1
    save_image_grid(images, tmp_path / "plain.png")
    with Image.open(tmp_path / "plain.png") as plain:
        assert plain.size == (7 * 82, 7 * 82)  # 8 images of 8 px + 2 px gaps = 82 px, enlarged 7× to >= 512
        assert plain.getpixel((7 * 2 + 3, 7 * 2 + 3)) == plain.getpixel((7 * 2 + 4, 7 * 2 + 4))  # 7×7 blocks
    save_image_grid(images, tmp_path / "big.png", scale=2)
    assert Image.open(tmp_path / "big.png").size == (164, 164)
    labels = GridLabels(rows=[f"row {i}" for i in range(8)], columns=[f"step {i}" for i in range(8)], title="t")
    save_image_grid(images, tmp_path / "labelled.png", labels=labels, scale=3)
    left, top, right, bottom = label_margins(labels)
    with Image.open(tmp_path / "labelled.png") as labelled:
        assert labelled.size == (left + 3 * 82 + right, top + 3 * 82 + bottom)
        # the grid is drawn pixel for pixel: its first image's top-left block is the first image's first pixel
        first = round((float(images[0, 0, 0, 0]) + 1) * 127.5)
        assert abs(labelled.convert("L").getpixel((left + 3 * 2 + 1, top + 3 * 2 + 1)) - first) <= 1


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


def test_pixels_counts_each_judges_pick_over_n_images(tmp_path):
    from gankit.api import load
    from gankit.data.loading import load_dataset
    from gankit.viz.pixel_argument import ONE, SIX, pixel_argument, tally

    gankit.train(tiny_config(tmp_path / "gan", data={"name": "digits"}, model={"net": "dcgan", "width": 8},
                             train={"batch_size": 16}))
    result = CliRunner().invoke(main, ["pixels", str(tmp_path / "gan"), "--n", "20", "--out", str(tmp_path / "p.png")])
    assert result.exit_code == 0, result.output
    run = load(tmp_path / "gan")
    test = load_dataset(Config.from_dict({"data": {"name": "digits", "split": "test"}}).data)
    counts = tally(test.data[:20], run.discriminator)
    assert counts.images + counts.skipped == 20
    assert (f"the pixel loss prefers the six pixels in {counts.pixel_loss_prefers_six}/{counts.images}, "
            f"D in {counts.discriminator_prefers_six}/{counts.images}") in result.output
    first = pixel_argument(test.data[0], run.discriminator)
    assert first.edited(ONE).sum() == 1 and first.edited(SIX).sum() == 6
    assert f"the pixel loss prefers the {first.pixel_loss_prefers}" in result.output
    assert f"D prefers the {first.discriminator_prefers}" in result.output


@pytest.mark.slow
def test_each_view_shows_its_own_vocabulary(tmp_path):
    from gankit.algorithms import family_of
    from gankit.viz.report import write_report

    ebm = gankit.train(tiny_config(tmp_path / "ebm", model={"algorithm": "ebm"}, ebm={"buffer_size": 64}))
    assert not any("G(z)" in label for label in family_of(ebm.config).progress_labels.values())
    vae = gankit.train(tiny_config(tmp_path / "vae", **DIGITS_VAE))
    assert not any("D" in label for label in family_of(vae.config).progress_labels.values())
    page = write_report(tmp_path / "vae").read_text()
    order = [page.index(f"<h2>{part}</h2>") for part in ("Pictures", "Training curves", "Config")]
    assert order == sorted(order)  # the samples first, the config dump last
    config = page[page.index("<h2>Config</h2>"):]
    assert "vae:" in config and "objective:" not in config and "gan:" not in config
    assert "objective:" in (tmp_path / "vae" / "config.yaml").read_text()  # the file keeps every field


@pytest.mark.slow
def test_a_first_grid_comes_early_and_an_interrupted_run_keeps_its_pictures(tmp_path):
    short = tiny_config(tmp_path / "short", train={"steps": 60, "sample_every": 500, "log_every": 30,
                                                   "checkpoint_every": 500})
    gankit.train(short)
    assert sorted(p.name for p in (tmp_path / "short" / "samples").glob("step-*.png")) == [
        "step-00000050.png", "step-00000060.png"]

    def stop_at_7(trainer):
        if trainer.step == 7:
            trainer.request_stop()

    run = gankit.train(tiny_config(tmp_path / "cut", train={"steps": 100, "sample_every": 500}),
                       callbacks=(stop_at_7,))
    assert run.interrupted and run.step == 7
    assert (tmp_path / "cut" / "samples" / "step-00000007.png").is_file()
    modes = json.loads((tmp_path / "cut" / "modes.json").read_text())
    assert modes["step"] == 7 and (tmp_path / "cut" / "landscape.gif").is_file()


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
