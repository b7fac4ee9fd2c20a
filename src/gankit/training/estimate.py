"""The compute card: before a run, how fast it will go on this machine and what it will take.

`gankit train ... --estimate` builds the run exactly as `train` would (data, networks, precision and thread
choice), but in a temporary folder, times real steps after a warm-up, and reports images per second, seconds
per 1 000 steps, the training time the run's steps will take, the peak memory and the checkpoint's size.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from gankit.config import Config
from gankit.training.trainer import Trainer

WARMUP_STEPS = 3  # the first steps allocate and (compiled) trace: not the run's pace


@dataclass(frozen=True)
class ComputeCard:
    steps_timed: int
    seconds_per_step: float
    batch_size: int
    steps: int  # the run's
    device: str
    precision: str
    threads: int
    peak_memory_bytes: int
    checkpoint_bytes: int

    @property
    def images_per_second(self) -> float:
        return self.batch_size / self.seconds_per_step

    @property
    def training_seconds(self) -> float:
        return self.seconds_per_step * self.steps

    def lines(self) -> list[str]:
        return [f"compute card: {self.steps_timed} steps timed after {WARMUP_STEPS} warm-up steps, on {self.device}, "
                f"{self.precision}, {self.threads} thread{'s' * (self.threads > 1)}",
                f"  images per second      {self.images_per_second:,.0f}",
                f"  seconds per 1 000 steps {1000 * self.seconds_per_step:,.1f}",
                f"  this run's {self.steps:,} steps {duration(self.training_seconds)} of training "
                "(evaluations and pictures add their own time)",
                f"  peak memory            {self.peak_memory_bytes / 2**20:,.0f} MiB "
                f"({'the GPU' if self.device.startswith('cuda') else 'this process, resident'})",
                f"  checkpoint             {self.checkpoint_bytes / 2**20:,.1f} MiB"]


def estimate(config: Config, steps: int = 20) -> ComputeCard:
    """Time `steps` real training steps of `config` (after a warm-up) in a temporary run folder."""
    with tempfile.TemporaryDirectory(prefix="gankit-estimate-") as folder:
        trainer = Trainer.start(config.override({"train.out": str(Path(folder) / "run")}))
        try:
            for _ in range(WARMUP_STEPS):
                trainer.train_step()
            cuda = trainer.device.type == "cuda"
            if cuda:
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
            start = time.perf_counter()
            for _ in range(steps):
                trainer.train_step()
            if cuda:
                torch.cuda.synchronize()
            seconds = (time.perf_counter() - start) / steps
            trainer.save()  # into the temporary folder: the size of the file the run will write
            checkpoint = sum(f.stat().st_size for f in trainer.folder.checkpoints.glob("last-*.safetensors"))
            peak = torch.cuda.max_memory_allocated() if cuda else _peak_resident_bytes()
            assert trainer.config.train.batch_size is not None
            return ComputeCard(steps, seconds, trainer.config.train.batch_size, trainer.config.train.steps,
                               str(trainer.device), trainer.measured["precision"], trainer.measured["threads"],
                               peak, checkpoint)
        finally:
            if trainer.lock is not None:
                trainer.lock.release()


def _peak_resident_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB, macOS bytes


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {rest} s" if minutes else f"{rest} s"


__all__ = ["ComputeCard", "duration", "estimate"]
