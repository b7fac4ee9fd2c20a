"""Inception FID on the CPU: speed of each setting, and how far each one moves FID from fp32.

Settings: the default memory layout or channels_last, fp32 or bf16 autocast, 1 or 2 threads. Speed is
measured on --speed-images images; the FID change on Fashion-MNIST train (last N) vs test (first N), the
compare_gan protocol, against the plain fp32 result. The fp32 test features go into gankit's cache, so a
later `gankit eval --features inception` reuses them. Run with nothing else on the CPU:
`.venv/bin/python bench/inception.py [--n 10000] [--speed-images 128]`.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict

import torch

from gankit.config import DataConfig
from gankit.data import load_dataset
from gankit.data.base import cache_dir
from gankit.metrics.evaluate import real_features
from gankit.metrics.feature_distances import GaussianStats, frechet_distance
from gankit.metrics.inception import SHA1, InceptionExtractor, Speed

SETTINGS = {
    "fp32": Speed(channels_last=False),
    "fp32 channels_last (default)": Speed(channels_last=True),
    "bf16": Speed(channels_last=False, bf16=True),
    "bf16 channels_last": Speed(channels_last=True, bf16=True),
}


def images_per_second(extractor: InceptionExtractor, images: torch.Tensor) -> float:
    extractor.features(images[:8])  # warm-up: first calls allocate and pick kernels
    start = time.perf_counter()
    extractor.features(images)
    return len(images) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="real and fake images for the FID change")
    parser.add_argument("--speed-images", type=int, default=128)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cache = cache_dir(DataConfig()) / "features"
    test = load_dataset(DataConfig(name="fashion-mnist", split="test")).data
    train = load_dataset(DataConfig(name="fashion-mnist", split="train")).data[-args.n :]
    rows = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for label, speed in SETTINGS.items():
            rate = images_per_second(InceptionExtractor(cache, speed), test[: args.speed_images])
            rows.append({"setting": label, "threads": threads, "images_per_s": rate, **asdict(speed)})
    torch.set_num_threads(2)
    fids = {}
    for label, speed in SETTINGS.items():
        extractor = InceptionExtractor(cache, speed)
        start = time.perf_counter()
        if speed == Speed():  # the default setting's real features are what `gankit eval` caches
            real = real_features("fashion-mnist", "test", args.n, extractor.features, f"inception-{SHA1[:16]}", cache)
        else:
            real = extractor.features(test[: args.n])
        fake = extractor.features(train)
        fids[label] = frechet_distance(GaussianStats.of(real), GaussianStats.of(fake))
        print(f"{label}: FID train vs test {fids[label]:.4f} ({time.perf_counter() - start:.0f} s)", flush=True)
    for row in rows:
        row["fid"], row["fid_change"] = fids[row["setting"]], fids[row["setting"]] - fids["fp32"]
    if args.json:
        print(json.dumps({"n": args.n, "rows": rows}))
        return
    print(f"\nInception features, Fashion-MNIST 28x28 -> 299x299, N = {args.n} for FID")
    print(f"{'setting':30s} {'threads':>7s} {'img/s':>7s} {'FID':>9s} {'ΔFID':>8s}")
    for row in rows:
        print(f"{row['setting']:30s} {row['threads']:7d} {row['images_per_s']:7.1f} {row['fid']:9.4f} "
              f"{row['fid_change']:+8.4f}")


if __name__ == "__main__":
    main()
