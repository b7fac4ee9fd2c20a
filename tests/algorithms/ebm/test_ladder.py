"""The discriminator alone on a noise ladder (`drl`, Diffusion Recovery Likelihood)."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from click.testing import CliRunner
from PIL import Image
from torch import nn

import gankit
from gankit.algorithms.ebm.ladder import LadderEBM, noise_ladder
from gankit.algorithms.ebm.model import EBM
from gankit.cli import main
from gankit.config import EBMConfig
from gankit.data.batches import Batch
from gankit.data.shard import per_example_randn
from gankit.nets.dcgan import LabelBias
from gankit.nets.mlp import MLPDiscriminator


def flat_energy(levels: int) -> MLPDiscriminator:
    """A score that is the same everywhere (its gradient is zero), conditioned on the level like the real one."""
    net = MLPDiscriminator(2, 8, 1, num_classes=levels)
    for p in net.parameters():
        nn.init.zeros_(p)
    return net


def test_the_ladder_is_ddpms_schedule_cut_into_levels():
    a, sigma = noise_ladder(6)
    assert a.shape == sigma.shape == (7,)
    assert torch.allclose(a.square() + sigma.square(), torch.ones(7, dtype=torch.float64))
    # Gao et al.'s six levels: cuts at DDPM steps 0, 100, …, 500 and 999 of beta = linspace(1e-4, 0.02, 1000)
    betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
    keep = (1 - betas).sqrt()
    assert a[0] == pytest.approx(float(keep[0]))
    assert a[1] == pytest.approx(float(keep[1:101].prod()))
    assert a[6] == pytest.approx(float(keep[501:1000].prod()))
    assert torch.cumprod(a, 0)[-1] < 0.01  # the top of the ladder is noise
    assert sigma[0] == pytest.approx(0.01, abs=1e-4)  # level 0 is the data, barely blurred


def test_a_full_span_ladder_cuts_the_whole_schedule_evenly_and_ends_in_noise():
    a, sigma = noise_ladder(4, "full")
    assert torch.allclose(a.square() + sigma.square(), torch.ones(5, dtype=torch.float64))
    # cuts at DDPM steps 0, 250, 500, 749 and 999 (999·t/4, rounded)
    keep = (1 - torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)).sqrt()
    assert a[1] == pytest.approx(float(keep[1:251].prod()))
    assert a[3] == pytest.approx(float(keep[501:750].prod()))
    cumulative = torch.cumprod(a, 0)
    # the top level itself is almost noise (6% of the signal left), where the paper's span keeps 28%
    assert cumulative[-2] < 0.1 < 0.25 < torch.cumprod(noise_ladder(4)[0], 0)[-2]
    assert cumulative[-1] == pytest.approx(float(torch.cumprod(noise_ladder(4)[0], 0)[-1]))  # both end at step 999
    with pytest.raises(ValueError, match="half or full"):
        noise_ladder(4, "most")


@pytest.mark.parametrize("longer", [1.0, 3.0], ids=["paper-step", "longer-chain-step"])
def test_with_a_flat_score_a_recovery_chain_settles_on_the_gaussian_around_the_noisier_sample(longer):
    """f constant: y <- y - p (y - x̃) + √η ε with p = η/(2σ²), η = s² (times chain_step_size/step_size when
    set); its stationary variance is η / (1 - (1 - p)²)."""
    settings = EBMConfig(levels=3, langevin_steps=5, step_size=0.5, noise=1.0,
                         chain_step_size=0.5 * longer if longer != 1 else None)
    model = LadderEBM(flat_energy(3), (2,), (-1.0, 1.0), settings)
    n, level = 20_000, torch.zeros(20_000, dtype=torch.long)
    noisier = torch.full((n, 2), 0.3)
    y = model.recover(noisier, level, 200, torch.Generator().manual_seed(0))
    sigma_sq = float(model.sigma[1]) ** 2
    step_sq = longer * 0.5 * sigma_sq  # b² σ² c with c = 1 at level 0
    pull = 0.5 * step_sq / sigma_sq
    stationary = step_sq / (1 - (1 - pull) ** 2)
    assert y.mean(0) == pytest.approx([0.3, 0.3], abs=0.01)
    assert y.var(0) == pytest.approx([stationary, stationary], rel=0.03)
    # the top level has no Gaussian term: a random walk from x̃, its variance k·s² after k steps
    top = model.recover(noisier, torch.full((n,), 2), 3, torch.Generator().manual_seed(0))
    top_step_sq = longer * 0.5 * float(model.sigma[3]) ** 2 * float(
        model.sigma_cumulative[2] / model.sigma_cumulative[0])
    assert top.var(0) == pytest.approx([3 * top_step_sq] * 2, rel=0.03)


class PointMassEnergy(nn.Module):
    """The exact energy of data that is all zeros: at level t, y = a·σ_cum·ε, so log p(y) = -‖y‖²/(2 (a σ_cum)²)
    and f = s²·log p."""

    def __init__(self) -> None:
        super().__init__()
        self.ladder: LadderEBM | None = None

    def forward(self, y: torch.Tensor, level: torch.Tensor) -> torch.Tensor:
        assert self.ladder is not None
        spread = self.ladder.scale(level) * self.ladder.sigma_cumulative[level]
        return -self.ladder.step_sq(level) * y.square().sum(1) / (2 * spread.square())


@pytest.mark.parametrize("exact", [True, False], ids=["exact-energy", "flat-energy"])
def test_score_matching_is_zero_for_the_exact_energy_and_the_noises_mean_square_for_a_flat_one(exact):
    settings = EBMConfig(levels=4, langevin_steps=1, step_size=2e-4, noise=1.0, score_matching=1.0)
    energy = PointMassEnergy() if exact else flat_energy(4)
    model = LadderEBM(energy, (2,), (-1.0, 1.0), settings)
    if isinstance(energy, PointMassEnergy):
        energy.ladder = model
    batch = Batch(torch.zeros(64, 2), None)
    rng = torch.Generator().manual_seed(0)
    matching = float(model.loss(batch, rng).stats["score_matching"])
    # the run's own noise: the first draw of the loss after the levels, replayed from the same seed
    replay = torch.Generator().manual_seed(0)
    model.levels_of(64, replay, torch.device("cpu"))
    noise = per_example_randn(batch.x, replay)
    assert matching == pytest.approx(0.0, abs=1e-10) if exact else matching == pytest.approx(
        float(noise.square().mean()), rel=1e-6)


def test_the_denoising_jump_is_tweedies_posterior_mean_under_the_exact_energy():
    """Data all zeros: x_{t+1} ~ N(0, σ_cum[t+1]²), so E[a·x_t | x_{t+1}] = x_{t+1}·(1 - σ²_{t+1}/σ_cum[t+1]²);
    at the top level x̃ is noise and stays as it is."""
    settings = EBMConfig(levels=4, langevin_steps=1, step_size=2e-4, noise=1.0, denoise_jump=True)
    energy = PointMassEnergy()
    model = LadderEBM(energy, (2,), (-1.0, 1.0), settings)
    energy.ladder = model
    noisier = torch.randn(8, 2, generator=torch.Generator().manual_seed(0))
    for t in range(4):
        jumped = model.denoised(noisier, torch.full((8,), t))
        shrink = 1 - model.sigma[t + 1] ** 2 / model.sigma_cumulative[t + 1] ** 2 if t < 3 else torch.tensor(1.0)
        assert torch.allclose(jumped, noisier * shrink, atol=1e-6), t
    # a chain of one step is the jump alone, with no noise added
    level = torch.zeros(8, dtype=torch.long)
    assert torch.equal(model.recover(noisier, level, 1, torch.Generator()), model.denoised(noisier, level))


def test_the_score_matching_term_adds_to_the_papers_loss_and_trains_the_energy():
    torch.manual_seed(0)
    settings = EBMConfig(levels=3, langevin_steps=2, step_size=2e-4, noise=1.0)
    net = MLPDiscriminator(2, 16, 2, num_classes=3)
    batch = Batch(torch.randn(32, 2) * 0.3, None)
    plain = LadderEBM(net, (2,), (-1.0, 1.0), settings).loss(batch, torch.Generator().manual_seed(1))
    weighted = LadderEBM(net, (2,), (-1.0, 1.0), dataclasses.replace(settings, score_matching=0.5)).loss(
        batch, torch.Generator().manual_seed(1))
    assert "score_matching" not in plain.stats
    expected = plain.loss.detach() + 0.5 * weighted.stats["score_matching"]
    assert float(weighted.loss.detach()) == pytest.approx(float(expected), rel=1e-5)
    weighted.loss.backward()  # the term reaches D's weights through the input gradient (double backward)
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in net.parameters())


def test_the_ladder_is_seeded_same_seed_same_chains(tmp_path):
    settings = EBMConfig(levels=4, langevin_steps=3, step_size=2e-4, noise=1.0)
    torch.manual_seed(0)
    model = LadderEBM(MLPDiscriminator(2, 16, 2, num_classes=4), (2,), (-1.0, 1.0), settings)
    chains: list[torch.Tensor] = []
    first = model.sample(16, generator=torch.Generator().manual_seed(5), trajectory=chains)
    again = model.sample(16, generator=torch.Generator().manual_seed(5))
    other = model.sample(16, generator=torch.Generator().manual_seed(6))
    assert torch.equal(first, again) and not torch.equal(first, other)
    assert len(chains) == 5  # the noise, then one sample per level


@pytest.mark.parametrize("ladder", [True, False], ids=["drl", "ebm"])
def test_with_energy_ema_training_uses_d_and_sampling_its_moving_average(ladder):
    torch.manual_seed(0)
    settings = EBMConfig(levels=3, langevin_steps=2, step_size=2e-4, noise=1.0, energy_ema=0.5, buffer_size=64)
    net = MLPDiscriminator(2, 16, 2, num_classes=3 if ladder else 0)
    model = (LadderEBM(net, (2,), (-1.0, 1.0), settings) if ladder else
             EBM(net, (2,), (-1.0, 1.0), dataclasses.replace(settings, step_size=0.05, noise=0.005)))
    optimizer = torch.optim.Adam(net.parameters(), lr=0.05)
    for step in range(3):
        output = model.loss(Batch(torch.randn(32, 2) * 0.3, None), torch.Generator().manual_seed(step))
        optimizer.zero_grad()
        output.loss.backward()
        optimizer.step()
        model.after_update("discriminator", output)
    assert model.ema is not None and int(model.ema.updates) == 3 and model.samples_from_average
    average, trained = model.ema.average, model.discriminator
    assert not all(torch.equal(a, b) for a, b in zip(average.parameters(), trained.parameters(), strict=True))
    sampled = model.sample(16, generator=torch.Generator().manual_seed(5))
    model.discriminator = average  # the model as if its D were the average: the same samples
    assert torch.equal(model.sample(16, generator=torch.Generator().manual_seed(5)), sampled)
    model.discriminator = trained
    model.use_trained_weights()
    assert not model.samples_from_average and not torch.equal(
        model.sample(16, generator=torch.Generator().manual_seed(5)), sampled)


@pytest.mark.parametrize("ladder", [True, False], ids=["drl", "ebm"])
def test_sampling_reports_every_gradient_step_and_draws_the_same_samples(ladder):
    torch.manual_seed(0)
    settings = EBMConfig(levels=3, langevin_steps=2, sample_steps=4, step_size=2e-4, noise=1.0, denoise_jump=True,
                         buffer_size=64)
    net = MLPDiscriminator(2, 16, 2, num_classes=3 if ladder else 0)
    model = (LadderEBM(net, (2,), (-1.0, 1.0), settings) if ladder else
             EBM(net, (2,), (-1.0, 1.0), dataclasses.replace(settings, step_size=0.05, noise=0.005)))
    reports: list[tuple[int, int]] = []
    watched = model.sample(16, generator=torch.Generator().manual_seed(5),
                           progress=lambda done, total: reports.append((done, total)))
    total = model.sampling_gradient_steps  # drl: 3 levels × 4 steps, the denoising jump one of each level's
    assert total == (12 if ladder else 4) and reports == [(done, total) for done in range(1, total + 1)]
    assert torch.equal(watched, model.sample(16, generator=torch.Generator().manual_seed(5)))


def test_sample_chain_step_size_changes_sampling_chains_and_leaves_training_alone():
    torch.manual_seed(0)
    net = MLPDiscriminator(2, 16, 2, num_classes=3)
    base = EBMConfig(levels=3, langevin_steps=3, step_size=2e-4, noise=1.0, chain_step_size=3e-3)
    trained, sampled = (LadderEBM(net, (2,), (-1.0, 1.0), dataclasses.replace(base, **change))
                        for change in ({}, {"sample_chain_step_size": 1e-3}))
    as_if = LadderEBM(net, (2,), (-1.0, 1.0), dataclasses.replace(base, chain_step_size=1e-3))
    batch = Batch(torch.randn(16, 2) * 0.3, None)
    losses = [m.loss(batch, torch.Generator().manual_seed(1)).loss for m in (trained, sampled)]
    assert torch.equal(*losses)  # training's negatives keep chain_step_size
    draws = [m.sample(16, generator=torch.Generator().manual_seed(2)) for m in (trained, sampled, as_if)]
    assert not torch.equal(draws[0], draws[1]) and torch.equal(draws[1], draws[2])


def test_a_drl_run_on_images_trains_samples_and_draws_its_ladder(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["train", "--data", "digits", "--algorithm", "drl", "--steps", "4",
                                       "--set", "model.width=8", "--set", "ebm.levels=3",
                                       "--set", "ebm.langevin_steps=2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    chains = Image.open(out / "chains.png")
    assert chains.height > chains.width  # 8 chains as rows; 4 columns: the noise, then each of the 3 levels
    assert "3 levels × 2 steps" in CliRunner().invoke(
        main, ["train", "--data", "digits", "--algorithm", "drl", "--set", "ebm.levels=3",
               "--set", "ebm.langevin_steps=2", "--dry-run"]).output


def test_level_bias_gives_every_layer_of_the_energy_a_trained_bias_per_level(tmp_path):
    flags = ["--data", "digits", "--algorithm", "drl", "--set", "model.width=8", "--set", "model.d_depth=1",
             "--set", "ebm.levels=3", "--set", "ebm.langevin_steps=2", "--set", "ebm.level_bias=true",
             "--set", "ebm.score_matching=1"]
    plan = CliRunner().invoke(main, ["train", *flags, "--set", "ebm.energy_ema=0.999", "--dry-run"]).output
    assert "; a bias per level in every layer of D" in plan and "ascending D's moving average (decay 0.999)" in plan
    result = CliRunner().invoke(main, ["train", *flags, "--steps", "3", "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    energy = gankit.load(tmp_path / "run").algorithm.discriminator
    biases = [m.bias for m in energy.modules() if isinstance(m, LabelBias)]
    assert len(biases) == 2 and all(b.shape[0] == 3 for b in biases)  # 8×8 digits: one strided layer and the 3×3 one
    assert all(b.abs().sum() > 0 for b in biases)  # trained from zero, so the level reached the trunk
    mlp = CliRunner().invoke(main, ["train", "--data", "ring8", "--algorithm", "drl", "--set", "ebm.level_bias=true",
                                    "--steps", "2", "--out", str(tmp_path / "points")])
    assert mlp.exit_code == 1 and "are for the dcgan net, not mlp" in mlp.output
    assert not (tmp_path / "points").exists()


@pytest.mark.parametrize(("flags", "message"), [
    (["--set", "ebm.levels=1"], "ebm.levels must be at least 2"),
    (["--set", "ebm.levels=8", "--set", "ebm.langevin_steps=30"], "8 × 30 = 240 gradient steps; at most 200"),
    (["--set", "ebm.levels=6", "--set", "ebm.sample_steps=40"], "6 × 40 = 240"),
    (["--set", "ebm.ladder_span=most"], "ebm.ladder_span"),
    (["--set", "ebm.energy_ema=1"], "ebm.energy_ema must be in [0, 1)"),
    (["--set", "ebm.sample_chain_step_size=0"], "ebm.sample_chain_step_size must be positive"),
])
def test_a_ladder_over_the_cap_or_without_levels_is_one_line_and_writes_nothing(tmp_path, flags, message):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["train", "--data", "ring8", "--algorithm", "drl", "--steps", "2",
                                       "--out", str(out), *flags])
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and not out.exists()
