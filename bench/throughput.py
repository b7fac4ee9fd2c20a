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

gankit runs in each of its speed settings (`train.precision`, `train.channels_last`, `train.compile`),
all in one process beside the same textbook loop in fp32, at each batch size asked for. Rounds are
interleaved (every setting, then the reference, then again …) and the median is reported, so background
load affects every loop alike. FLOPs are counted once per batch size on the fp32 step (the same arithmetic).

    .venv/bin/python bench/throughput.py [--steps 50] [--batch-sizes 64,256] [--device cpu] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import Tensor, nn
from torch.utils.flop_counter import FlopCounterMode

from gankit.benchmark.runner import cpu_name
from gankit.config import Config
from gankit.data.dataset import to_model_range
from gankit.nets.dcgan import init_weights
from gankit.training.trainer import Trainer
from textbook_data import EndlessBatches

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
        self.batches = EndlessBatches(real, batch_size, device)
        self.device = device

    def step(self) -> None:
        real = self.batches.next()
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


SETTINGS: dict[str, dict[str, object]] = {  # gankit's train.* fields for each row
    "gankit fp32": {},
    "gankit bf16": {"precision": "bf16"},
    "gankit bf16 + channels_last": {"precision": "bf16", "channels_last": True},
    "gankit bf16 + channels_last + compile": {"precision": "bf16", "channels_last": True, "compile": True},
}
CUDA_SETTINGS = {"gankit fp16 + channels_last": {"precision": "fp16", "channels_last": True}}


def gankit_trainer(folder: Path, batch_size: int, device: str, settings: dict[str, object]) -> Trainer:
    config = Config.from_dict({"data": {"name": "fashion-mnist"}, "model": {"net": "dcgan"},
                               "train": {"batch_size": batch_size, "out": str(folder), "device": device,
                                         "threads": torch.get_num_threads(), **settings}})  # as the baseline
    return Trainer.start(config)


def rows_for_batch(batch_size: int, args: argparse.Namespace, tmp: Path) -> list[dict[str, object]]:
    """Every setting and the reference at one batch size, measured in interleaved rounds."""
    device = torch.device(args.device)
    settings = SETTINGS | (CUDA_SETTINGS if device.type == "cuda" else {})
    trainers = {name: gankit_trainer(tmp / f"{batch_size}-{i}", batch_size, args.device, extra)
                for i, (name, extra) in enumerate(settings.items())}
    torch.manual_seed(0)
    reference = TextbookDCGAN(trainers["gankit fp32"].batches.dataset.data, batch_size, device)
    check_same_networks(trainers["gankit fp32"], reference)
    loops: dict[str, Step] = {name: trainer.train_step for name, trainer in trainers.items()}
    loops["textbook fp32"] = reference.step
    gflop = {"gankit": flops_per_step(trainers["gankit fp32"].train_step) / 1e9,
             "textbook": flops_per_step(reference.step) / 1e9}
    times = measure(loops, args.steps, args.warmup, args.rounds, device)
    reference_step = statistics.median(times["textbook fp32"]) / args.steps
    rows = []
    for name, seconds in times.items():
        per_step = statistics.median(seconds) / args.steps
        flop = gflop[name.split()[0]]
        rows.append({"loop": name, "batch_size": batch_size, "img_s": batch_size / per_step,
                     "ms_step": 1e3 * per_step, "gflop_step": flop, "gflop_s": flop / per_step,
                     "vs_textbook": reference_step / per_step,
                     "rounds_img_s": [batch_size * args.steps / s for s in seconds]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=50, help="timed steps per round (default 50)")
    parser.add_argument("--batch-sizes", default="64,256", help="comma-separated (default 64,256)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default cpu)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps per loop first (default 10; compile "
                        "happens here)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved timings per loop; median kept (default 3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [row for size in args.batch_sizes.split(",") for row in rows_for_batch(int(size), args, Path(tmp))]
    header = {"steps": args.steps, "warmup": args.warmup, "rounds": args.rounds, "device": args.device,
              "threads": torch.get_num_threads(), "torch": torch.__version__, "cpu": cpu_name()}
    if args.json:
        print(json.dumps({**header, "rows": rows}))
        return
    print(f"DCGAN 28×28 step (D then G), {args.device} ({header['cpu']}), torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, median of {args.rounds}×{args.steps} steps")
    print(f"| {'loop':<38} | batch | {'img/s':>6} | ms/step | GFLOP/step | GFLOP/s | × textbook |")
    print(f"|{'-' * 40}|------:|-------:|--------:|-----------:|--------:|-----------:|")
    for r in rows:
        print(f"| {r['loop']:<38} | {r['batch_size']:>5} | {r['img_s']:>6.0f} | {r['ms_step']:>7.2f} | "
              f"{r['gflop_step']:>10.3f} | {r['gflop_s']:>7.1f} | {r['vs_textbook']:>9.2f}× |")


if __name__ == "__main__":
    main()
