"""What each benchmark suite trains: cells of (method, seed) on one dataset, one network, one budget.

A method is a named recipe: a GAN objective (with its paper's defaults), `hinge-sn` (hinge + spectral
norm), `pacgan2` (ns with a pack-2 D), `modern` (the modern recipe: R3GAN's rpgan + R1 + R2, r3gan nets on
images, DiffAugment, EMA), `modern-dcgan` (that recipe on the DCGAN pair with the settings of gankit's
Fashion-MNIST hour), or another algorithm (`vae`, `rae` with its image recipe, `ebm`, `drl`).
Importing this needs no torch. Every cell of a suite shares data and budget, as in "Are GANs Created Equal?":
only the method and the seed change. The `views` suite gives each cell the same wall-clock instead of the same
steps (the lecture's three views cost very different amounts per step): its steps fill the budget at each
method's measured rate, and a time limit ends a cell that runs slower.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gankit.algorithms import ALGORITHMS
from gankit.config.presets import preset_sections
from gankit.config.schema import ModelConfig
from gankit.errors import GankitError

GAN_OBJECTIVES = ["minimax", "ns", "lsgan", "wgan", "wgan-gp", "dragan", "began", "hinge-sn"]
BUDGETS = ("smoke", "cpu", "hour", "gpu")  # every budget name a suite uses (not every suite has each)
METHOD_SECTIONS: dict[str, dict[str, dict[str, Any]]] = {
    "hinge-sn": {"objective": {"name": "hinge"}, "model": {"spectral_norm": True}},
    "pacgan2": {"objective": {"name": "ns"}, "model": {"pack": 2}},
    "modern": {"model": {"recipe": "modern"}},
    # the Fashion-MNIST hour's settings of the modern recipe on the DCGAN pair (docs/benchmarks.md)
    "modern-dcgan": {"model": {"recipe": "modern", "net": "dcgan", "g_ema": 0.999}, "augment": {"policy": "none"},
                     "objective": {"penalty_every": 8, "penalty_final": 1.0},
                     "optim": {"lr_g": 5e-4, "lr_d": 5e-4, "lr_final": 0.1}},
    "vae": {"model": {"algorithm": "vae"}},
    # each view at its best runs its preset's method (docs/views.md): the generator alone, rae's modern recipe
    # with a 100-component mixture; the discriminator alone, the ladder with score matching on the deeper energy
    "rae": preset_sections("fashion-rae-hour", "model", "vae"),
    "ebm": {"model": {"algorithm": "ebm"}},
    "drl": preset_sections("fashion-drl-score", "model", "ebm"),
}
# Training steps per minute of each `views` method on gankit's reference machine (2-core Xeon with AMX, auto
# chose bf16 and 2 threads for each, nothing else running; `python bench/views_rates.py --steps 1000`, 7 Dec 2026;
# the machine's pace drifts by up to a fifth between measurements, and train.time_limit caps a cell that runs slow;
# drl's rate predates its preset's deeper energy, which takes about twice as long a step, so its time limit ends it)
STEPS_PER_MINUTE = {"vae": 1711.0, "rae": 1285.0, "ebm": 454.0, "drl": 376.0, "ns": 1331.0, "modern-dcgan": 1172.0}


@dataclass(frozen=True)
class Budget:
    steps: int
    seeds: int
    eval_every: int = 0  # images: classifier FID along training
    eval_samples: int = 2000  # per evaluation along training
    final_samples: int = 10_000  # images: the final evaluation
    batch_size: int | None = None  # None: each method's default
    width: int = 0  # 0: the family's default
    pictures: int = 4  # sample pictures and checkpoints along a run (one at the end at least)
    extra: dict[str, Any] = field(default_factory=dict)  # dotted config keys
    features: str = "classifier"  # images: the final evaluation's feature space (CIFAR-10: inception only)
    minutes: float = 0.0  # wall-clock per cell (train.time_limit); with steps 0, steps fill it at each method's rate
    sample_cost: bool = False  # also time sampling: ms and gradient evaluations per sample


@dataclass(frozen=True)
class Suite:
    name: str
    datasets: tuple[str, ...]
    methods: tuple[str, ...]
    budgets: dict[str, Budget]
    summary: str


FAST = {"train.precision": "auto", "train.channels_last": True}  # each machine's fastest numbers, measured
SMOKE_IMAGES = Budget(steps=20, seeds=1, eval_every=10, eval_samples=100, final_samples=200, batch_size=16, width=8,
                      pictures=1, extra={"ebm.langevin_steps": 2, "ebm.buffer_size": 200})
SUITES: dict[str, Suite] = {
    "objectives": Suite(
        "objectives", ("fashion-mnist",), (*GAN_OBJECTIVES, "modern", "vae", "ebm"),
        {"smoke": SMOKE_IMAGES,
         "cpu": Budget(steps=1000, seeds=2, eval_every=250, eval_samples=2000, final_samples=10_000),
         "gpu": Budget(steps=20_000, seeds=5, eval_every=2000, eval_samples=10_000, final_samples=10_000)},
        "Fashion-MNIST 28x28, the DCGAN/InfoGAN-style pair for all but modern (its r3gan pair); FID/KID/P/R along "
        "training and at the end"),
    "modes": Suite(
        "modes", ("ring8", "grid25"), (*GAN_OBJECTIVES, "modern", "ebm"),
        {"smoke": Budget(steps=50, seeds=1, pictures=1, extra={"ebm.langevin_steps": 5, "ebm.buffer_size": 500}),
         "cpu": Budget(steps=3000, seeds=3),
         "gpu": Budget(steps=20_000, seeds=5)},
        "2D mixtures: modes captured, % high-quality samples, KL to uniform"),
    "stacked-mnist": Suite(
        "stacked-mnist", ("stacked-mnist-5k",), ("ns", "wgan-gp", "hinge-sn", "pacgan2", "modern"),
        {"smoke": Budget(steps=20, seeds=1, final_samples=500, batch_size=16, width=8, pictures=1),
         "cpu": Budget(steps=2000, seeds=2, final_samples=26_000),
         "gpu": Budget(steps=20_000, seeds=5, final_samples=26_000)},
        "Stacked MNIST: modes captured of 1 000 and KL to uniform, 26 000 samples"),
    # The lecture's three views side by side, each at its best and at its textbook baseline, on equal wall-clock
    "views": Suite(
        "views", ("fashion-mnist",), ("vae", "rae", "ebm", "drl", "ns", "modern-dcgan"),
        {"smoke": Budget(steps=20, seeds=1, final_samples=200, batch_size=16, width=8, pictures=1, minutes=1.0,
                         sample_cost=True, extra={"ebm.langevin_steps": 2, "ebm.sample_steps": 2,
                                                  "ebm.buffer_size": 200, "ebm.levels": 2, "model.latent_dim": 8}),
         "cpu": Budget(steps=0, seeds=2, minutes=15.0, features="inception", sample_cost=True, extra=FAST),
         "hour": Budget(steps=0, seeds=2, minutes=60.0, features="inception", sample_cost=True, extra=FAST)},
        "Fashion-MNIST 28x28: the generator alone (vae, rae), the discriminator alone (ebm, drl) and the GAN (ns, "
        "modern-dcgan) on the same wall-clock per cell; Inception FID, P/R and D/C of 10 000 samples vs the test "
        "split, training images/s and the cost of one sample"),
    # The real CIFAR-10 and the Inception weights (no classifier ships for it: Inception features only, at the
    # end); the gpu budget is the one that trains it, with the standard 50 000 samples; smoke and cpu check the path
    "cifar10": Suite(
        "cifar10", ("cifar10",), ("ns", "hinge-sn", "modern"),
        {"smoke": Budget(steps=20, seeds=1, final_samples=200, batch_size=16, width=8, pictures=1,
                         features="inception"),
         "cpu": Budget(steps=2000, seeds=1, final_samples=10_000, features="inception"),
         "gpu": Budget(steps=100_000, seeds=3, final_samples=50_000, pictures=10, features="inception")},
        "CIFAR-10 32x32: Inception FID by clean-fid's legacy_tensorflow protocol, 50 000 train images vs 50 000 "
        "samples"),
}


@dataclass(frozen=True)
class Cell:
    suite: str
    dataset: str
    method: str
    seed: int
    budget: Budget

    @property
    def name(self) -> str:
        return f"{self.dataset}/{self.method}/seed{self.seed}"

    def config(self, run_dir: str) -> dict[str, Any]:
        """The cell's config as sections; the method's own sections go last."""
        b = self.budget
        steps = b.steps or max(round(STEPS_PER_MINUTE[self.method] * b.minutes), 1)
        train: dict[str, Any] = {"steps": steps, "seed": self.seed, "time_limit": b.minutes, "out": run_dir,
                                 "eval_every": b.eval_every, "eval_samples": b.eval_samples,
                                 "sample_every": max(steps // b.pictures, 1),
                                 "checkpoint_every": max(steps // b.pictures, 1),
                                 "log_every": max(min(50, steps // b.pictures), 1)}
        if b.batch_size:
            train["batch_size"] = b.batch_size
        sections: dict[str, dict[str, Any]] = {"data": {"name": self.dataset}, "train": train,
                                               "model": {"width": b.width}}
        if self.method not in METHOD_SECTIONS:  # a plain objective name
            sections["objective"] = {"name": self.method}
        for section, values in METHOD_SECTIONS.get(self.method, {}).items():
            sections[section] = {**sections.get(section, {}), **values}
        for key, value in b.extra.items():
            section, _, name = key.partition(".")
            sections.setdefault(section, {})[name] = value
        algorithm = sections["model"].get("algorithm", ModelConfig.algorithm)
        if not ALGORITHMS.get(algorithm).supports.eval_during_training:  # e.g. Langevin sampling: costly
            sections["train"]["eval_every"] = 0
        return sections


def suite_cells(suite: str, budget: str, seeds: int | None = None,
                methods: tuple[str, ...] | None = None) -> list[Cell]:
    """The suite's cells; `methods` keeps only those (in the suite's order), e.g. to add one to a finished run."""
    if suite not in SUITES:
        raise GankitError(f"unknown suite {suite!r}; valid: {', '.join(SUITES)}")
    spec = SUITES[suite]
    if budget not in spec.budgets:
        raise GankitError(f"unknown budget {budget!r}; valid: {', '.join(spec.budgets)}")
    unknown = [m for m in methods or () if m not in spec.methods]
    if unknown:
        raise GankitError(f"suite {suite!r} has no method {unknown[0]!r}; its methods: {', '.join(spec.methods)}")
    chosen = [m for m in spec.methods if methods is None or m in methods]
    b = spec.budgets[budget]
    return [Cell(suite, dataset, method, seed, b) for dataset in spec.datasets for method in chosen
            for seed in range(seeds or b.seeds)]
