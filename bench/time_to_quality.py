"""Time to quality: gankit vs the pytorch/examples DCGAN, trained side by side on Fashion-MNIST.

The reference is the DCGAN of pytorch/examples (`dcgan/main.py`) with its own defaults: 64×64 images
(Fashion-MNIST resized from 28×28 and normalised to [-1, 1] as its transforms do), nz 100, ngf = ndf = 64,
BCELoss on a sigmoid D, Adam(2e-4, betas 0.5/0.999), batch 64, its weight initialisation, and its G update
on the same fake batch the D update used. One thing is kinder to it than the original: the resized images
are one in-memory tensor behind a DataLoader, so no time goes to decoding files.

gankit's side is `Trainer.train_step()`, the step `gankit train` runs, with its defaults (28×28 DCGAN,
`ns`) in each speed setting asked for. Both sides train for a wall-clock budget; only training time is
counted: every `--eval-every` seconds the clock stops, N samples are scored by classifier-feature FID against
the test split (the reference's 64×64 samples are area-resized to the classifier's 28×28), and the clock goes on.

The result is the reference's FID at the end of its budget (its "30-minute quality" at the default) and the
training seconds each gankit setting needs to first reach it. Run it with nothing else on the CPU:

    .venv/bin/python bench/time_to_quality.py [--reference-seconds 1800] [--gankit-seconds 240] \
        [--out bench-results/time-to-quality] [--device cpu]

It writes `time_to_quality.json` and `time_to_quality.png` (FID against training seconds, log x) in --out.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from matplotlib.figure import Figure
from torch import Tensor, nn
from torch.nn import functional as F

from gankit.benchmark.runner import cpu_name
from gankit.config import Config, DataConfig
from gankit.data.loading import load_dataset
from gankit.metrics.classifier import extract_features, load_classifier
from gankit.metrics.feature_distances import GaussianStats, frechet_distance
from gankit.training.trainer import Trainer
from textbook_data import EndlessBatches

NZ, NGF, NDF, SIZE = 100, 64, 64, 64  # pytorch/examples dcgan defaults
SETTINGS: dict[str, dict[str, object]] = {  # gankit's train.* fields per setting
    "gankit fp32": {},
    "gankit bf16 + channels_last": {"precision": "bf16", "channels_last": True},
}


def examples_init(module: nn.Module) -> None:
    """pytorch/examples' weights_init: N(0, 0.02) convolutions, N(1, 0.02) batch-norm scales, zero biases."""
    name = type(module).__name__
    if "Conv" in name:
        nn.init.normal_(module.weight, 0.0, 0.02)  # type: ignore[arg-type]
    elif "BatchNorm" in name:
        nn.init.normal_(module.weight, 1.0, 0.02)  # type: ignore[arg-type]
        nn.init.zeros_(module.bias)  # type: ignore[arg-type]


def examples_generator(nc: int) -> nn.Module:
    layers: list[nn.Module] = []
    widths = [NZ, NGF * 8, NGF * 4, NGF * 2, NGF]
    for i, (c_in, c_out) in enumerate(zip(widths, widths[1:], strict=False)):
        stride, padding = (1, 0) if i == 0 else (2, 1)
        layers += [nn.ConvTranspose2d(c_in, c_out, 4, stride, padding, bias=False), nn.BatchNorm2d(c_out),
                   nn.ReLU(True)]
    return nn.Sequential(*layers, nn.ConvTranspose2d(NGF, nc, 4, 2, 1, bias=False), nn.Tanh())


def examples_discriminator(nc: int) -> nn.Module:
    layers: list[nn.Module] = [nn.Conv2d(nc, NDF, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)]
    for c_in in (NDF, NDF * 2, NDF * 4):
        layers += [nn.Conv2d(c_in, c_in * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(c_in * 2),
                   nn.LeakyReLU(0.2, inplace=True)]
    return nn.Sequential(*layers, nn.Conv2d(NDF * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())


class ExamplesDCGAN:
    """pytorch/examples' DCGAN training loop, one iteration per `step()`."""

    def __init__(self, images: Tensor, device: torch.device, seed: int = 0) -> None:
        torch.manual_seed(seed)
        nc = images.shape[1]
        self.generator = examples_generator(nc).to(device)
        self.discriminator = examples_discriminator(nc).to(device)
        self.generator.apply(examples_init)
        self.discriminator.apply(examples_init)
        self.criterion = nn.BCELoss()
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
        # transforms.Resize(64) + ToTensor + Normalize(0.5, 0.5), done once for the whole set
        resized = F.interpolate(images.float().div(255), size=(SIZE, SIZE), mode="bilinear", antialias=True)
        self.batches = EndlessBatches(resized.mul(2).sub(1), 64, device)
        self.device = device

    def step(self) -> None:
        real = self.batches.next()
        b = real.shape[0]
        self.discriminator.zero_grad()
        label = torch.full((b,), 1.0, device=self.device)
        self.criterion(self.discriminator(real).view(-1), label).backward()
        fake = self.generator(torch.randn(b, NZ, 1, 1, device=self.device))
        label.fill_(0.0)
        self.criterion(self.discriminator(fake.detach()).view(-1), label).backward()
        self.opt_d.step()
        self.generator.zero_grad()
        label.fill_(1.0)
        self.criterion(self.discriminator(fake).view(-1), label).backward()  # the same fake batch, as main.py
        self.opt_g.step()

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator) -> Tensor:
        self.generator.eval()
        chunks = []
        for start in range(0, n, 500):
            z = torch.randn(min(500, n - start), NZ, 1, 1, generator=generator, device=self.device)
            chunks.append(F.interpolate(self.generator(z), size=(28, 28), mode="area").cpu())
        self.generator.train()
        return torch.cat(chunks)


@dataclass
class Curve:
    name: str
    points: list[dict[str, float]] = field(default_factory=list)  # seconds, steps, fid

    def first_reaching(self, fid: float) -> float | None:
        return next((p["seconds"] for p in self.points if p["fid"] <= fid), None)


class Judge:
    """Classifier-feature FID of N samples against the test split's cached statistics."""

    def __init__(self, n: int, root: str | None) -> None:
        self.model, _ = load_classifier("fashion-mnist")
        self.n = n
        test = load_dataset(DataConfig(name="fashion-mnist", split="test", root=root)).data[:n]
        self.real = GaussianStats.of(extract_features(self.model, test))

    def fid(self, samples: Tensor) -> float:
        return frechet_distance(self.real, GaussianStats.of(extract_features(self.model, samples.float())))


def train_for(name: str, step: Callable[[], object], sample: Callable[[int, torch.Generator], Tensor],
              seconds: float, eval_every: float, judge: Judge, device: torch.device) -> Curve:
    """Train until `seconds` of training time, scoring every `eval_every` seconds (the clock stopped)."""
    curve, trained, steps, next_eval = Curve(name), 0.0, 0, eval_every
    while trained < seconds:
        start = time.perf_counter()
        step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        trained += time.perf_counter() - start
        steps += 1
        if trained >= next_eval or trained >= seconds:
            fid = judge.fid(sample(judge.n, torch.Generator(device=device).manual_seed(0)))
            curve.points.append({"seconds": trained, "steps": steps, "fid": fid})
            print(f"{name:32s} {trained:8.1f} s  {steps:6d} steps  FID {fid:7.2f}", flush=True)
            next_eval += eval_every
    return curve


def gankit_curve(name: str, settings: dict[str, object], args: argparse.Namespace, judge: Judge, tmp: Path) -> Curve:
    config = Config.from_dict({"data": {"name": "fashion-mnist", "root": args.root}, "model": {"net": "dcgan"},
                               "train": {"out": str(tmp / name.replace(" ", "_")), "device": args.device,
                                         "threads": torch.get_num_threads(),  # as the pytorch/examples loop
                                         "seed": args.seed, **settings}})
    trainer = Trainer.start(config)
    try:
        return train_for(name, trainer.train_step, lambda n, g: trainer.algorithm.sample(n, generator=g).cpu(),
                         args.gankit_seconds, args.gankit_eval_every, judge, trainer.device)
    finally:
        if trainer.lock is not None:
            trainer.lock.release()


def plot(curves: list[Curve], target: float, path: Path) -> None:
    figure = Figure(figsize=(7, 4.5), dpi=120)
    axes = figure.subplots()
    for curve in curves:
        axes.plot([p["seconds"] for p in curve.points], [p["fid"] for p in curve.points], marker=".", label=curve.name)
    axes.axhline(target, color="grey", linestyle="--", linewidth=1, label=f"reference at its budget ({target:.1f})")
    axes.set(xscale="log", xlabel="training seconds (evaluation excluded)", ylabel="classifier-feature FID",
             title="Fashion-MNIST: FID against training time")
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference-seconds", type=float, default=1800.0, help="the reference's budget (30 min)")
    parser.add_argument("--reference-eval-every", type=float, default=300.0)
    parser.add_argument("--gankit-seconds", type=float, default=240.0)
    parser.add_argument("--gankit-eval-every", type=float, default=10.0)
    parser.add_argument("--settings", default=",".join(SETTINGS), help="comma-separated names from SETTINGS")
    parser.add_argument("--n", type=int, default=10_000, help="samples (and test images) per FID")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--root", default=None, help="data cache (default: gankit's)")
    parser.add_argument("--out", type=Path, default=Path("bench-results/time-to-quality"))
    args = parser.parse_args()
    names = [s.strip() for s in args.settings.split(",")]
    unknown = [s for s in names if s not in SETTINGS]
    if unknown:
        raise SystemExit(f"unknown setting {unknown[0]!r}; choose from {', '.join(SETTINGS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    device = torch.device(args.device)
    judge = Judge(args.n, args.root)
    train = load_dataset(DataConfig(name="fashion-mnist", root=args.root)).data
    reference = ExamplesDCGAN(train, device, args.seed)
    curves = [train_for("pytorch/examples DCGAN 64×64", reference.step, reference.sample, args.reference_seconds,
                        args.reference_eval_every, judge, device)]
    target = curves[0].points[-1]["fid"]
    with tempfile.TemporaryDirectory() as tmp:
        curves += [gankit_curve(name, SETTINGS[name], args, judge, Path(tmp)) for name in names]
    rows = []
    for curve in curves[1:]:
        reached = curve.first_reaching(target)
        rows.append({"setting": curve.name, "seconds_to_target": reached,
                     "sooner": None if reached is None else args.reference_seconds / reached,
                     "final_fid": curve.points[-1]["fid"]})
    result = {"machine": cpu_name() if device.type == "cpu" else torch.cuda.get_device_name(device),
              "threads": torch.get_num_threads(), "torch": torch.__version__, "date": time.strftime("%Y-%m-%d"),
              "n": args.n, "reference_seconds": args.reference_seconds, "target_fid": target, "rows": rows,
              "curves": [{"name": c.name, "points": c.points} for c in curves]}
    (args.out / "time_to_quality.json").write_text(json.dumps(result, indent=1))
    plot(curves, target, args.out / "time_to_quality.png")
    print(f"\nreference (pytorch/examples DCGAN) after {args.reference_seconds:.0f} s: FID {target:.2f} "
          f"(N = {args.n}, {result['machine']}, {result['threads']} threads)")
    print(f"| {'setting':32s} | seconds to reach it | × sooner | FID at {args.gankit_seconds:.0f} s |")
    for row in rows:
        seconds = "not reached" if row["seconds_to_target"] is None else f"{row['seconds_to_target']:.0f}"
        sooner = "" if row["sooner"] is None else f"{row['sooner']:.1f}×"
        print(f"| {row['setting']:32s} | {seconds:>19s} | {sooner:>8s} | {row['final_fid']:>12.2f} |")


if __name__ == "__main__":
    main()
