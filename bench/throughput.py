"""Images/s of one full DCGAN training step (D update, then G update): gankit vs a textbook loop.

Both sides train the same 28×28 DCGAN on Fashion-MNIST at the same batch size, in the same process
with the same torch thread count. gankit's side is `Trainer.train_step()` itself, the step `gankit
train` runs, not a copy of it. The reference is the PyTorch-tutorial loop written out plainly: a
float TensorDataset behind a shuffling DataLoader, D ending in a sigmoid, nn.BCELoss, and a G update
that back-propagates through D's weights too.

Where gankit should differ: it keeps the dataset as one uint8 tensor on the device and gathers a
batch by index (no per-sample collation), samples G under no_grad for the D update, and switches off
D's parameter gradients during the G update, so that backward skips D's weight gradients. The
FLOP columns (FlopCounterMode, forward + backward of one step) show how much arithmetic that saves;
img/s shows what that is worth once Python, the optimizer and memory traffic are paid for.

Rounds are interleaved (gankit, reference, gankit, …) and the median is reported, so background
load affects both sides alike.

    .venv/bin/python bench/throughput.py [--steps 50] [--batch-size 64] [--device cpu] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.flop_counter import FlopCounterMode

from gankit.config import Config
from gankit.data.dataset import to_model_range
from gankit.nets.dcgan import init_weights
from gankit.training.trainer import Trainer

Step = Callable[[], object]
LATENT, WIDTH = 100, 64  # gankit's dcgan defaults; checked against its networks below


class TextbookDCGAN:
    """The classic DCGAN loop (Radford et al. 2016; PyTorch's DCGAN tutorial) for 28×28 images."""

    def __init__(self, images: Tensor, batch_size: int, device: torch.device) -> None:
        c = 2 * WIDTH
        self.generator = nn.Sequential(
            nn.Linear(LATENT, c * 7 * 7, bias=False), nn.Unflatten(1, (c, 7, 7)), nn.BatchNorm2d(c), nn.ReLU(),
            nn.ConvTranspose2d(c, WIDTH, 4, 2, 1, bias=False), nn.BatchNorm2d(WIDTH), nn.ReLU(),
            nn.ConvTranspose2d(WIDTH, 1, 4, 2, 1), nn.Tanh(),
        ).to(device)
        self.discriminator = nn.Sequential(
            nn.Conv2d(1, WIDTH, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(WIDTH, c, 4, 2, 1, bias=False), nn.BatchNorm2d(c), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(c * 7 * 7, 1), nn.Sigmoid(),
        ).to(device)
        self.generator.apply(init_weights)
        self.discriminator.apply(init_weights)
        self.criterion = nn.BCELoss()
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
        real = to_model_range(images.cpu())  # float32 [N, 1, 28, 28] in [-1, 1]
        self.loader = DataLoader(TensorDataset(real), batch_size=batch_size, shuffle=True, drop_last=True)
        self.batches: Iterator[list[Tensor]] = iter(self.loader)
        self.device = device

    def next_batch(self) -> Tensor:
        try:
            (real,) = next(self.batches)
        except StopIteration:
            self.batches = iter(self.loader)
            (real,) = next(self.batches)
        return real.to(self.device)

    def step(self) -> None:
        real = self.next_batch()
        b = real.shape[0]
        ones = torch.full((b,), 1.0, device=self.device)
        zeros = torch.full((b,), 0.0, device=self.device)
        # D: maximise log D(x) + log(1 - D(G(z)))
        self.discriminator.zero_grad()
        fake = self.generator(torch.randn(b, LATENT, device=self.device))
        loss_d = self.criterion(self.discriminator(real).view(-1), ones)
        loss_d = loss_d + self.criterion(self.discriminator(fake.detach()).view(-1), zeros)
        loss_d.backward()
        self.opt_d.step()
        # G: maximise log D(G(z)) (non-saturating), fresh z as gankit draws
        self.generator.zero_grad()
        fake = self.generator(torch.randn(b, LATENT, device=self.device))
        loss_g = self.criterion(self.discriminator(fake).view(-1), ones)
        loss_g.backward()
        self.opt_g.step()


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def check_same_networks(trainer: Trainer, reference: TextbookDCGAN) -> None:
    """Both sides must train the same layers, or the comparison means nothing."""
    ours = trainer.networks
    for name, theirs in (("generator", reference.generator), ("discriminator", reference.discriminator)):
        if n_params(ours[name]) != n_params(theirs):
            raise SystemExit(f"{name}: gankit has {n_params(ours[name])} parameters, the reference "
                             f"{n_params(theirs)}; update TextbookDCGAN to gankit's dcgan layout")


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def seconds_for(step: Step, steps: int, device: torch.device) -> float:
    sync(device)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    sync(device)
    return time.perf_counter() - start


def flops_per_step(step: Step) -> int:
    """Multiply-adds ×2 of matmuls and convolutions in one step, forward and backward."""
    with FlopCounterMode(display=False) as counter:
        step()
    return counter.get_total_flops()


def measure(steps_by_name: dict[str, Step], steps: int, warmup: int, rounds: int,
            device: torch.device) -> dict[str, list[float]]:
    """Seconds for `steps` steps, `rounds` times per loop, the loops interleaved round by round."""
    for step in steps_by_name.values():
        seconds_for(step, warmup, device)
    times: dict[str, list[float]] = {name: [] for name in steps_by_name}
    for _ in range(rounds):
        for name, step in steps_by_name.items():
            times[name].append(seconds_for(step, steps, device))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=50, help="timed steps per round (default 50)")
    parser.add_argument("--batch-size", type=int, default=64, help="images per D and per G update (default 64)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default cpu)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps per loop first (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved timings per loop; median kept (default 3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    device = torch.device(args.device)

    with tempfile.TemporaryDirectory() as tmp:
        config = Config.from_dict({
            "data": {"name": "fashion-mnist"}, "model": {"net": "dcgan"},
            "train": {"batch_size": args.batch_size, "out": str(Path(tmp) / "run"), "device": args.device},
        })
        trainer = Trainer.start(config)
        torch.manual_seed(0)
        reference = TextbookDCGAN(trainer.batches.dataset.data, args.batch_size, device)
        check_same_networks(trainer, reference)
        loops: dict[str, Step] = {"gankit": trainer.train_step, "reference": reference.step}
        flops = {name: flops_per_step(step) for name, step in loops.items()}
        times = measure(loops, args.steps, args.warmup, args.rounds, device)

    per_step = {name: statistics.median(seconds) / args.steps for name, seconds in times.items()}
    result: dict[str, object] = {}
    for name, seconds in times.items():
        result |= {
            f"{name}_img_s": args.batch_size / per_step[name],
            f"{name}_ms_step": 1e3 * per_step[name],
            f"{name}_gflop_step": flops[name] / 1e9,
            f"{name}_gflop_s": flops[name] / per_step[name] / 1e9,
            f"{name}_rounds_img_s": [args.batch_size * args.steps / s for s in seconds],
        }
    result |= {
        "speedup": per_step["reference"] / per_step["gankit"],  # gankit img/s ÷ reference img/s
        "steps": args.steps, "warmup": args.warmup, "rounds": args.rounds, "batch_size": args.batch_size,
        "device": str(device), "threads": torch.get_num_threads(), "torch": torch.__version__,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"DCGAN 28×28 step (D then G), batch {args.batch_size}, {args.device}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, median of {args.rounds}×{args.steps} steps")
    print(f"{'loop':<10} {'img/s':>9} {'ms/step':>9} {'GFLOP/step':>11} {'GFLOP/s':>9}")
    for name in loops:
        print(f"{name:<10} {result[f'{name}_img_s']:>9.0f} {result[f'{name}_ms_step']:>9.2f} "
              f"{result[f'{name}_gflop_step']:>11.3f} {result[f'{name}_gflop_s']:>9.1f}")
    print(f"gankit / reference: {result['speedup']:.2f}× images/s")


if __name__ == "__main__":
    main()
