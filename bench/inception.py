"""Inception FID on the CPU: speed of each setting, and how far each one moves FID from fp32.

Settings: the default memory layout or channels_last, fp32 or bf16 autocast, 1 or 2 threads. Speed and the
largest feature difference from plain fp32 are measured on --speed-images images. The FID change is
measured on Fashion-MNIST train (last N) vs test (first N), the compare_gan protocol, for the settings in
--fid-settings against the first of them (each costs 2N images of Inception: about 20 min for N = 10 000
on 2 cores). The default setting's test features go into gankit's cache, so a later
`gankit eval --features inception` reuses them. Run with nothing else on the CPU:
`.venv/bin/python bench/inception.py [--n 10000] [--speed-images 128] [--fid-settings fp32-cl,bf16-cl]`.
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
    "fp32-cl": Speed(channels_last=True),  # the default
    "bf16": Speed(channels_last=False, bf16=True),
    "bf16-cl": Speed(channels_last=True, bf16=True),
}


def timed_features(extractor: InceptionExtractor, images: torch.Tensor) -> tuple[torch.Tensor, float]:
    """(features, images per second) after a warm-up call (first calls allocate and pick kernels)."""
    extractor.features(images[:8])
    start = time.perf_counter()
    features = extractor.features(images)
    return features, len(images) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="real and fake images for the FID change")
    parser.add_argument("--speed-images", type=int, default=128)
    parser.add_argument("--fid-settings", default="fp32-cl,bf16-cl", help="comma-separated; the first is the reference")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cache = cache_dir(DataConfig()) / "features"
    test = load_dataset(DataConfig(name="fashion-mnist", split="test")).data
    train = load_dataset(DataConfig(name="fashion-mnist", split="train")).data[-args.n :]
    rows, reference = [], None
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for label, speed in SETTINGS.items():
            features, rate = timed_features(InceptionExtractor(cache, speed), test[: args.speed_images])
            reference = features if reference is None else reference
            rows.append({"setting": label, "threads": threads, "images_per_s": rate, **asdict(speed),
                         "max_feature_change": float((features - reference).abs().max())})
    torch.set_num_threads(2)
    fids = {}
    chosen = args.fid_settings.split(",")
    for label in chosen:
        speed = SETTINGS[label]
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
        if row["setting"] in fids:
            row["fid"], row["fid_change"] = fids[row["setting"]], fids[row["setting"]] - fids[chosen[0]]
    if args.json:
        print(json.dumps({"n": args.n, "rows": rows}))
        return
    print(f"\nInception features, Fashion-MNIST 28x28 -> 299x299; FID at N = {args.n}, change vs {chosen[0]}")
    print(f"{'setting':10s} {'threads':>7s} {'img/s':>7s} {'max |Δfeature|':>15s} {'FID':>9s} {'ΔFID':>8s}")
    for row in rows:
        fid = f"{row['fid']:9.4f} {row['fid_change']:+8.4f}" if "fid" in row else f"{'-':>9s} {'-':>8s}"
        change = row["max_feature_change"]
        print(f"{row['setting']:10s} {row['threads']:7d} {row['images_per_s']:7.1f} {change:15.2e} {fid}")


if __name__ == "__main__":
    main()
