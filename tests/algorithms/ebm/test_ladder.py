"""The discriminator alone on a noise ladder (`drl`, Diffusion Recovery Likelihood)."""

from __future__ import annotations

import pytest
import torch
from click.testing import CliRunner
from PIL import Image
from torch import nn

from gankit.algorithms.ebm.ladder import LadderEBM, noise_ladder
from gankit.cli import main
from gankit.config import EBMConfig
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


def test_with_a_flat_score_a_recovery_chain_settles_on_the_gaussian_around_the_noisier_sample():
    """f constant: y <- y - p (y - x̃) + s ε with p = s²/(2σ²); its stationary variance is s² / (1 - (1 - p)²)."""
    settings = EBMConfig(levels=3, langevin_steps=5, step_size=0.5, noise=1.0)
    model = LadderEBM(flat_energy(3), (2,), (-1.0, 1.0), settings)
    n, level = 20_000, torch.zeros(20_000, dtype=torch.long)
    noisier = torch.full((n, 2), 0.3)
    y = model.recover(noisier, level, 200, torch.Generator().manual_seed(0))
    sigma_sq = float(model.sigma[1]) ** 2
    step_sq = 0.5 * sigma_sq  # b² σ² c² with c = 1 at level 0
    pull = 0.5 * step_sq / sigma_sq
    stationary = step_sq / (1 - (1 - pull) ** 2)
    assert y.mean(0) == pytest.approx([0.3, 0.3], abs=0.01)
    assert y.var(0) == pytest.approx([stationary, stationary], rel=0.03)
    # the top level has no Gaussian term: a random walk from x̃, its variance k·s² after k steps
    top = model.recover(noisier, torch.full((n,), 2), 3, torch.Generator().manual_seed(0))
    top_step_sq = 0.5 * float(model.sigma[3]) ** 2 * float(model.sigma_cumulative[2] / model.sigma_cumulative[0])
    assert top.var(0) == pytest.approx([3 * top_step_sq] * 2, rel=0.03)


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


@pytest.mark.parametrize(("flags", "message"), [
    (["--set", "ebm.levels=1"], "ebm.levels must be at least 2"),
    (["--set", "ebm.levels=8", "--set", "ebm.langevin_steps=30"], "8 × 30 = 240 gradient steps; at most 200"),
    (["--set", "ebm.levels=6", "--set", "ebm.sample_steps=40"], "6 × 40 = 240"),
])
def test_a_ladder_over_the_cap_or_without_levels_is_one_line_and_writes_nothing(tmp_path, flags, message):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["train", "--data", "ring8", "--algorithm", "drl", "--steps", "2",
                                       "--out", str(out), *flags])
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and not out.exists()
