"""Inception FID: speed of each CPU setting, how far each one moves FID from fp32, and CUDA speed if present.

CPU settings: torch with the default memory layout or channels_last, fp32 or bf16 autocast, or OpenVINO fp32
(when installed), 1 or 2 threads. Speed and the
largest feature difference from plain fp32 are measured on --speed-images images (0 skips this). The FID
change is measured at N images, the compare_gan protocol, against Fashion-MNIST test (first N), for each fake
set in --fakes (`train`: the train split's last N; or a run folder: N samples of its last checkpoint, seed 0)
and each setting in --fid-settings against the first of them. Each setting costs N Inception images for the
real set (cached, as `gankit eval` caches them) and N per fake set: about 10 min per 10 000 on 2 cores.
With CUDA, 10 000 test images are also timed on the GPU and their FID against the train split reported.
Run with nothing else on the CPU:
`.venv/bin/python bench/inception.py [--n 10000] [--fid-settings fp32-cl,openvino-fp32] [--fakes train,runs/fm-dcgan]`.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict

import torch

from gankit.config import DataConfig
from gankit.data.catalog import cache_dir
from gankit.data.loading import load_dataset
from gankit.metrics.evaluate import real_features
from gankit.metrics.feature_distances import GaussianStats, frechet_distance
from gankit.metrics.inception import InceptionExtractor, Speed, openvino_available, real_cache_key

SETTINGS = {
    "fp32": Speed(channels_last=False, runtime="torch"),
    "fp32-cl": Speed(channels_last=True, runtime="torch"),
    "bf16": Speed(channels_last=False, bf16=True),
    "bf16-cl": Speed(channels_last=True, bf16=True),
} | ({"openvino-fp32": Speed(runtime="openvino")} if openvino_available() else {})


def timed_features(extractor: InceptionExtractor, images: torch.Tensor) -> tuple[torch.Tensor, float]:
    """(features, images per second) after a warm-up call (first calls allocate and pick kernels)."""
    extractor.features(images[:8])
    if extractor.device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    features = extractor.features(images)  # returned on the CPU, so the GPU has finished
    return features, len(images) / (time.perf_counter() - start)


def fake_images(name: str, n: int) -> torch.Tensor:
    if name == "train":
        return load_dataset(DataConfig(name="fashion-mnist", split="train")).data[-n:]
    from gankit.api import load

    return load(name).sample(n, seed=0)


def speed_rows(cache, test: torch.Tensor) -> list[dict]:
    rows, reference = [], None
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for label, speed in SETTINGS.items():
            features, rate = timed_features(InceptionExtractor(cache, speed, "cpu"), test)  # compiled per thread count
            reference = features if reference is None else reference
            rows.append({"setting": label, "threads": threads, "images_per_s": rate, **asdict(speed),
                         "max_feature_change": float((features - reference).abs().max())})
    torch.set_num_threads(2)
    return rows


def fid_rows(cache, n: int, settings: list[str], fakes: list[str]) -> list[dict]:
    rows = []
    fake_sets = {name: fake_images(name, n) for name in fakes}
    for label in settings:
        speed = SETTINGS[label]
        extractor = InceptionExtractor(cache, speed, "cpu")
        start = time.perf_counter()
        if speed.channels_last:  # torch's layout in gankit, or OpenVINO: share `gankit eval`'s cache
            real = real_features(DataConfig(name="fashion-mnist"), "test", n, extractor.features, real_cache_key(speed),
                                 cache)
        else:
            real = extractor.features(load_dataset(DataConfig(name="fashion-mnist", split="test")).data[:n])
        real_stats = GaussianStats.of(real)
        for name, images in fake_sets.items():
            fid = frechet_distance(real_stats, GaussianStats.of(extractor.features(images)))
            rows.append({"fake": name, "setting": label, "fid": fid})
            print(f"{label}: FID {name} vs test {fid:.4f} ({time.perf_counter() - start:.0f} s so far)", flush=True)
    for row in rows:
        reference = next(r["fid"] for r in rows if r["fake"] == row["fake"] and r["setting"] == settings[0])
        row["fid_change"] = row["fid"] - reference
    return rows


def cuda_row(cache, n: int) -> dict:
    extractor = InceptionExtractor(cache, device="cuda")
    test = load_dataset(DataConfig(name="fashion-mnist", split="test")).data[:n]
    train = load_dataset(DataConfig(name="fashion-mnist", split="train")).data[-n:]
    real, rate = timed_features(extractor, test)
    fid = frechet_distance(GaussianStats.of(real), GaussianStats.of(extractor.features(train)))
    return {"device": torch.cuda.get_device_name(), "images_per_s": rate, "seconds_per_10000": 10_000 / rate,
            "fid_train_vs_test": fid}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="real and fake images for the FID change")
    parser.add_argument("--speed-images", type=int, default=128, help="0: skip the speed table")
    default_fids = "fp32-cl,openvino-fp32" if openvino_available() else "fp32-cl,bf16-cl"
    parser.add_argument("--fid-settings", default=default_fids,
                        help=f"comma-separated, of {', '.join(SETTINGS)}; the first is the reference")
    parser.add_argument("--fakes", default="train", help="comma-separated: train and/or run folders")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    unknown = [label for label in args.fid_settings.split(",") if args.fid_settings and label not in SETTINGS]
    if unknown:
        parser.error(f"unknown --fid-settings {', '.join(unknown)}; known: {', '.join(SETTINGS)}")
    cache = cache_dir(DataConfig()) / "features"
    test = load_dataset(DataConfig(name="fashion-mnist", split="test")).data
    speeds = speed_rows(cache, test[: args.speed_images]) if args.speed_images else []
    fids = fid_rows(cache, args.n, args.fid_settings.split(","), args.fakes.split(",")) if args.fid_settings else []
    gpu = cuda_row(cache, args.n) if torch.cuda.is_available() else None
    if args.json:
        print(json.dumps({"n": args.n, "speed": speeds, "fid": fids, "cuda": gpu}))
        return
    if speeds:
        print(f"\nCPU speed, Fashion-MNIST 28x28 -> 299x299, {args.speed_images} images; change vs fp32")
        print(f"{'setting':13s} {'threads':>7s} {'img/s':>7s} {'max |Δfeature|':>15s}")
        for row in speeds:
            change = row["max_feature_change"]
            print(f"{row['setting']:13s} {row['threads']:7d} {row['images_per_s']:7.1f} {change:15.2e}")
    if fids:
        print(f"\nFID at N = {args.n} against the test split, 2 threads; change vs {fids[0]['setting']}")
        print(f"{'fake':24s} {'setting':10s} {'FID':>9s} {'ΔFID':>8s}")
        for row in fids:
            print(f"{row['fake']:24s} {row['setting']:10s} {row['fid']:9.4f} {row['fid_change']:+8.4f}")
    print(f"\nCUDA: {gpu}" if gpu else "\nCUDA: none on this machine")


if __name__ == "__main__":
    main()
