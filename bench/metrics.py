"""Speed of the image metrics on this machine: classifier features for N images, FID, KID, P/R/D/C.

Run with nothing else on the CPU: `.venv/bin/python bench/metrics.py [--n 10000] [--json]`.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from gankit.config import DataConfig
from gankit.data.loading import load_dataset
from gankit.metrics.classifier import extract_features, load_classifier
from gankit.metrics.feature_distances import GaussianStats, frechet_distance, kernel_inception_distance, manifold_scores


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    model, _ = load_classifier("fashion-mnist")
    real_images = load_dataset(DataConfig(name="fashion-mnist", split="test")).data[: args.n]
    fake_images = load_dataset(DataConfig(name="fashion-mnist", split="train")).data[-args.n :]
    real = extract_features(model, real_images)
    real_stats = GaussianStats.of(real)  # what a cache holds
    fake, features_s = timed(lambda: extract_features(model, fake_images))
    fid, fid_s = timed(lambda: frechet_distance(real_stats, GaussianStats.of(fake)))
    _, kid_s = timed(lambda: kernel_inception_distance(real, fake, generator=torch.Generator().manual_seed(0)))
    _, manifold_s = timed(lambda: manifold_scores(real, fake))
    rows = {"features_s": features_s, "fid_s": fid_s, "kid_s": kid_s, "prdc_s": manifold_s,
            "features_plus_fid_s": features_s + fid_s, "fid_train_vs_test": fid}
    if args.json:
        print(json.dumps({"n": args.n, "threads": torch.get_num_threads(), **rows}))
        return
    print(f"image metrics, N = {args.n} Fashion-MNIST 28×28, classifier features, {torch.get_num_threads()} threads")
    print(f"{'step':28s} seconds")
    for label, key in (("classifier features", "features_s"), ("FID vs cached real stats", "fid_s"),
                       ("KID (100 subsets of 1000)", "kid_s"), ("precision/recall/dens./cov.", "prdc_s")):
        print(f"{label:28s} {rows[key]:7.2f}")
    print(f"features + FID: {rows['features_plus_fid_s']:.1f} s (target: under 30 s); FID train vs test {fid:.2f}")


if __name__ == "__main__":
    main()
