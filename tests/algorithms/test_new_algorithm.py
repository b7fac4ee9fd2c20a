"""A new algorithm is added by registering its family, nothing else: this file's "mean generator" (one learnt
vector, fitted to the data's mean by a pixel loss; the crudest generator alone) is picked up by the CLI,
`--dry-run`, `gankit algorithms`, training, the report, the web page's run list and the contract tests."""

from __future__ import annotations

import pytest
import torch
from click.testing import CliRunner
from contract_checks import IMAGES, POINTS, check_contract
from torch import Tensor, nn

import gankit
from gankit.algorithms import ALGORITHMS, Family, Supports
from gankit.algorithms.base import Algorithm, Phase, PhaseOutput
from gankit.cli import main
from gankit.config import Config, OptimConfig
from gankit.data.batches import Batch
from gankit.data.spec import DataSpec
from gankit.samplers.langevin import Progress


class MeanGenerator(Algorithm):
    """Every sample is one learnt vector; its loss is the squared pixel error to the data."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.generator = nn.ParameterDict({"mean": nn.Parameter(torch.zeros(shape))})
        self.discriminator = None

    def trainable(self) -> dict[str, nn.Module]:
        return {"generator": self.generator}

    def learning_rates(self, optim: OptimConfig) -> dict[str, float]:
        assert optim.lr_g is not None
        return {"generator": optim.lr_g}

    def phases(self) -> list[Phase]:
        return [Phase("generator", "generator", 1, True, self.loss)]

    def loss(self, batch: Batch | None, rng: torch.Generator, *, measure: bool = False) -> PhaseOutput:
        assert batch is not None
        loss = (batch.x - self.generator["mean"]).square().mean()
        return PhaseOutput(loss, {"loss": loss.detach()})

    def sample(self, n: int, labels: Tensor | None = None, generator: torch.Generator | None = None,
               progress: Progress | None = None) -> Tensor:
        return self.generator["mean"].detach().expand(n, *self.generator["mean"].shape).clone()


def build_mean(config: Config, spec: DataSpec, batch_size: int) -> MeanGenerator:
    return MeanGenerator(spec.sample_shape)


MEAN = Family(name="mean", view="generator alone", summary="every sample is the data's mean, fitted by a pixel loss",
              build=build_mean, defaults={"optim.lr_g": 0.05, "model.minibatch_std": False, "model.g_ema": 0.0},
              supports=Supports(latent_space=False), progress_labels={"loss": "pixel loss"})


@pytest.fixture
def mean_registered():
    ALGORITHMS.register("mean")(MEAN)
    yield
    ALGORITHMS.unregister("mean")


@pytest.mark.parametrize("base", [POINTS, IMAGES], ids=["points", "images"])
def test_the_registered_algorithm_keeps_the_contract(tmp_path, mean_registered, base):
    check_contract(tmp_path / "run", base, {"model": {"algorithm": "mean"}})


def test_the_cli_the_report_and_the_web_page_pick_it_up(tmp_path, mean_registered, monkeypatch):
    from gankit.serve.runs import RunsDir, describe

    runner = CliRunner()
    listed = runner.invoke(main, ["algorithms"])
    assert "mean: every sample is the data's mean" in listed.output and "[generator alone]" in listed.output
    dry = runner.invoke(main, ["train", "--algorithm", "mean", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "algorithm: mean" in dry.output and "lr_g: 0.05  # algorithm mean" in dry.output
    assert "# each iteration of mean (generator alone):" in dry.output
    monkeypatch.chdir(tmp_path)
    trained = runner.invoke(main, ["train", "--algorithm", "mean", "--steps", "30", "--no-progress", "--set",
                                   "data.num_points=512", "--set", "train.log_every=10"])
    assert trained.exit_code == 0, trained.output
    (run,) = (tmp_path / "runs").iterdir()
    assert run.name.startswith("ring8-mean-")  # the family names its runs
    report = runner.invoke(main, ["report", str(run)])
    assert report.exit_code == 0, report.output
    page = (run / "report.html").read_text()
    assert "objective:" not in page[page.index("<h2>Config</h2>"):]  # a GAN's sections are not this one's
    assert "Sections a mean run does not use (objective, gan, augment, vae, ebm)" in page
    described = describe(RunsDir.at(tmp_path / "runs"), run_folder(run))
    assert described["summary"]["algorithm"] == "mean"
    assert described["abilities"] == {"latent_space": False, "discriminator": False, "landscape": False,
                                      "exports": False}
    loaded = gankit.load(run)  # rebuilt from its checkpoint through the family
    assert loaded.sample(3).shape == (3, 2) and loaded.sample(1).abs().max() < 0.5  # ring8's mean is 0


def run_folder(path):
    from gankit.training.run_folder import RunFolder

    return RunFolder(path)
