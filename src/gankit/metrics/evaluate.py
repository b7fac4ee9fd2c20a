"""Evaluate a run's samples against a real split in a classifier's feature space, with a metric card.

Real-split features are computed once per (extractor hash, dataset, split, N) and cached, written
atomically; every result says which extractor, split, N real, N fake and seed produced it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file
from torch import Tensor

from gankit.config import DataConfig
from gankit.data.catalog import DATASETS, FOLDER_PREFIX, cache_dir
from gankit.data.images import FOLDER_IMAGE_SIZE, folder_files
from gankit.data.loading import load_dataset
from gankit.errors import GankitError
from gankit.metrics.classifier import Classifier
from gankit.metrics.extractors import FEATURE_EXTRACTORS, STANDARD_SETS
from gankit.metrics.feature_distances import GaussianStats, frechet_distance, kernel_inception_distance, manifold_scores
from gankit.samplers.langevin import Progress
from gankit.version import __version__


def real_features(
    data: DataConfig, split: str, n: int, extract: Callable[[Tensor], Tensor], key: str, cache: Path,
    source: tuple[str, dict[str, str]] | None = None,
) -> Tensor:
    """The first n images of a split (a folder: of the folder), as features; cached under `key` (the
    extractor's hash and protocol). A folder's cache is keyed by its content hash, so adding, removing or
    editing an image computes new features (`source`: real_source's answer, if already known). A cached file
    is used only when it says it holds exactly these features; anything else is recomputed."""
    stem, identity = source or real_source(data, split)
    path = cache / key / f"{stem}-{split}-{n}.safetensors"
    identity = identity | {"split": split, "n": str(n), "extractor": key}
    cached = _cached_features(path, identity)
    if cached is not None:
        return cached
    images = load_dataset(replace(data, split=split)).data  # type: ignore[arg-type]
    if len(images) < n:
        raise GankitError(f"{data.name} {split} has {len(images)} images; asked for {n}")
    features = extract(images[:n]).contiguous()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    save_file({"features": features}, partial, metadata=identity | {"sha256": tensor_digest(features)})
    partial.replace(path)  # atomic: a crash leaves no half-written cache
    return features


def tensor_digest(tensor: Tensor) -> str:
    """SHA-256 of a tensor's dtype, shape and bytes: a cached feature file records it and is checked against it."""
    tensor = tensor.detach().cpu().contiguous()
    digest = hashlib.sha256(f"{tensor.dtype} {list(tensor.shape)}".encode())
    digest.update(tensor.view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    return digest.hexdigest()


def folder_content_hash(path: str) -> str:
    """SHA-256 of a folder's images: each file's path (relative to the folder) and bytes, in order."""
    folder, digest = Path(path).expanduser(), hashlib.sha256()
    for file in folder_files(path):
        digest.update(file.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def real_source(data: DataConfig, split: str) -> tuple[str, dict[str, str]]:
    """(cache file stem, identity) of the real images: a dataset by name, or a folder by its content
    hash and the size and channels its images are read at."""
    if not data.name.startswith(FOLDER_PREFIX):
        return data.name, {"dataset": data.name}
    digest = folder_content_hash(data.name[len(FOLDER_PREFIX):])
    size, channels = data.image_size or FOLDER_IMAGE_SIZE, 1 if data.channels == 1 else 3
    identity = {"dataset": "folder", "content_sha256": digest, "image_size": str(size), "channels": str(channels)}
    return f"folder-{digest[:16]}-{size}px-{channels}ch", identity


def _cached_features(path: Path, identity: dict[str, str]) -> Tensor | None:
    """The features in `path` if it is a readable cache of exactly `identity` ([n, D] finite floats whose bytes
    match the hash recorded with them), else None: an edited or damaged cache is recomputed, never used."""
    try:
        with safe_open(path, framework="pt") as f:
            metadata = dict(f.metadata() or {})
            recorded = metadata.pop("sha256", None)
            if metadata != identity or list(f.keys()) != ["features"]:
                return None
            features = f.get_tensor("features")
    except (OSError, SafetensorError):
        return None
    ok = recorded == tensor_digest(features) and features.ndim == 2 and len(features) == int(identity["n"])
    ok = ok and features.is_floating_point()
    return features if ok and bool(features.isfinite().all()) else None


def compare_features(real: Tensor, fake: Tensor, seed: int = 0) -> dict[str, float]:
    """Every feature-space metric of fake against real."""
    kid_mean, kid_std = kernel_inception_distance(real, fake, generator=torch.Generator().manual_seed(seed))
    manifold = manifold_scores(real, fake)
    return {"fid": frechet_distance(GaussianStats.of(real), GaussianStats.of(fake)), "kid": kid_mean,
            "kid_std": kid_std, "precision": manifold.precision, "recall": manifold.recall,
            "density": manifold.density, "coverage": manifold.coverage}


class ImageEvaluator:
    """Scores samples against n real images of a split in one feature space (gankit.metrics.extractors:
    `classifier`, gankit's per-dataset classifier, which also gives the class metrics, or `inception`, the
    standard FID network by the compare_gan protocol), built once per run. Real features are cached."""

    def __init__(self, data: DataConfig, n: int, split: str = "test", cache: Path | None = None,
                 features: str = "classifier", real: DataConfig | None = None) -> None:
        """`real`: the images to compare with when they are not `data`'s (a folder); `data` still picks the
        classifier of the `classifier` features."""
        cache = cache or cache_dir(data) / "features"
        self.n, self.split = n, split
        self.extractor = FEATURE_EXTRACTORS.get(features)(data, cache)
        self.classifier, self.classes = self.extractor.classifier, self.extractor.classes
        self.real_data = real or data
        self.real_source = real_source(self.real_data, split)  # a folder's content hash, computed once
        self.real = real_features(self.real_data, split, n, self.features, self.extractor.cache_key, cache,
                                  self.real_source)

    def features(self, images: Tensor) -> Tensor:
        """Features of uint8 [N, C, H, W] images (data) or floats in [-1, 1] (samples)."""
        return self.extractor.features(images)

    def __call__(self, samples: Tensor, seed: int = 0) -> dict[str, float]:
        return self.score(self.features(samples), seed)

    def score(self, fake: Tensor, seed: int = 0) -> dict[str, float]:
        """Every metric of fake features against the real ones."""
        scores = compare_features(self.real, fake, seed)
        if self.classifier is not None:
            scores |= class_metrics(self.classifier, self.real, fake)
        return scores

    @torch.no_grad()
    def per_class_fid(self, fake: Tensor, min_count: int = 50) -> dict[str, float]:
        """FID within each class the classifier predicts, where real and fake both have min_count images."""
        if self.classifier is None:
            return {}
        real_class = self.classifier.classify(self.real).argmax(1)
        fake_class = self.classifier.classify(fake).argmax(1)
        result = {}
        for index, name in enumerate(self.classes):
            r, f = self.real[real_class == index], fake[fake_class == index]
            if len(r) >= min_count and len(f) >= min_count:
                result[name] = frechet_distance(GaussianStats.of(r), GaussianStats.of(f))
        return result

    def card_fields(self, n_fake: int, seed: int) -> dict[str, Any]:
        """What a metric card records besides the numbers; with a standard protocol, whether it was followed."""
        classes = {"num_classes": len(self.classes)} if self.classes else {}
        real: dict[str, Any] = {"real_split": self.split}
        if self.real_data.name.startswith(FOLDER_PREFIX):  # a folder has no splits: its name and content hash
            identity = self.real_source[1]
            real = {"real": self.real_data.name, "real_sha256": identity["content_sha256"],
                    "real_image_size": int(identity["image_size"])}
        card = self.extractor.card
        standard = {}
        if "standard_protocol" in card and "real_sha256" not in real:  # comparable with published numbers only
            standard["follows_standard"] = (self.split == card["standard_split"]  # on the standard sets
                                            and self.n == n_fake == card["standard_n"])
        return {**card, **standard, **classes, **real, "n_real": self.n, "n_fake": n_fake,
                "seed": seed, "gankit_version": __version__}


@torch.no_grad()
def class_metrics(model: Classifier, real: Tensor, fake: Tensor) -> dict[str, float]:
    """Classifier score exp(E KL(p(y|x) ‖ p(y))) (the Inception Score's formula, Salimans et al. 2016),
    KL(fake ‖ real) between the histograms of predicted classes (low when G draws classes as the data does),
    and the mode counts of VEEGAN/PacGAN: classes predicted for at least one sample, and the KL of the
    predicted-class histogram to uniform (Stacked MNIST's 1 000 modes are uniform)."""
    p_fake = model.classify(fake).softmax(1).double()
    marginal = p_fake.mean(0)
    score = (p_fake * (p_fake.clamp_min(1e-12).log() - marginal.clamp_min(1e-12).log())).sum(1).mean().exp()
    classes = p_fake.shape[1]
    hist_fake = torch.bincount(p_fake.argmax(1), minlength=classes).double() / len(fake)
    hist_real = torch.bincount(model.classify(real).argmax(1), minlength=classes).double() / len(real)
    kl = (hist_fake * (hist_fake.clamp_min(1e-12) / hist_real.clamp_min(1e-12)).log()).sum()
    kl_uniform = (hist_fake * (hist_fake.clamp_min(1e-12) * classes).log()).sum()
    return {"classifier_score": float(score), "class_kl": float(kl), "modes": int((hist_fake > 0).sum()),
            "mode_kl": float(kl_uniform)}


def default_eval_samples(dataset: str) -> int:
    """10 000 as FID papers use; Stacked MNIST's mode counts use 26 000 as PacGAN and VEEGAN do; CIFAR-10's
    standard Inception FID 50 000 (STANDARD_SETS)."""
    if dataset in STANDARD_SETS:
        return STANDARD_SETS[dataset][2]
    stacked = dataset in DATASETS and DATASETS.get(dataset).channels_of is not None
    return 26_000 if stacked else 10_000


def default_eval_split(dataset: str) -> str:
    """The real split samples are compared with: the test split, or the standard protocol's (CIFAR-10: train)."""
    return STANDARD_SETS[dataset][1] if dataset in STANDARD_SETS else "test"


def evaluate_run(run: Any, n: int = 10_000, split: str | None = None, seed: int = 0, cache: Path | None = None,
                 features: str = "classifier", against: str | None = None,
                 progress: Progress | None = None) -> dict:
    """Metrics of `run`'s n samples (seeded) against n real images of `split` (None: default_eval_split), as a
    metric card; with `against="folder:PATH"`, against the first n images of that folder (all of them if it
    holds fewer), read at the run's image size and channels. `progress` follows an energy model's sampling."""
    split = split or default_eval_split(run.config.data.name)
    check_sample_count(n)
    if run.spec.kind != "image":
        raise GankitError(f"{run.config.data.name} holds 2D points: its metrics are the mode statistics in modes.json")
    start = time.perf_counter()
    real, n_real = None, n
    if against is not None:
        real = against_folder(against, run.spec.sample_shape, run.config.data.root)
        n_real = min(n, len(folder_files(against[len(FOLDER_PREFIX):])))
    evaluator = ImageEvaluator(run.config.data, n_real, split, cache, features, real)
    fake = evaluator.features(run.sample(n, seed=seed, progress=progress))  # extracted once for every metric
    return {**evaluator.score(fake, seed), "fid_per_class": evaluator.per_class_fid(fake), "step": run.step,
            "weights": "ema" if run.algorithm.samples_from_average else "raw",
            **evaluator.card_fields(n, seed),
            "seconds": round(time.perf_counter() - start, 1)}


MIN_IMAGES = 6  # the k-NN balls of density and coverage (k = 5) need one image more than k on each side


def check_sample_count(n: int) -> None:
    if n < MIN_IMAGES:
        raise GankitError(f"--n {n} is too few: the metrics need at least {MIN_IMAGES} images on each side "
                          f"(each image's {MIN_IMAGES - 1} nearest neighbours)")


def against_folder(against: str, sample_shape: tuple[int, ...], root: str | None) -> DataConfig:
    """The folder:PATH a run is scored against, read at the run's image size and channels."""
    if not against.startswith(FOLDER_PREFIX) or not against[len(FOLDER_PREFIX):]:
        raise GankitError(f"--against takes folder:PATH (a folder of images), got {against!r}")
    channels, side = sample_shape[0], sample_shape[-1]
    count = len(folder_files(against[len(FOLDER_PREFIX):]))  # a missing or empty folder is one line, before sampling
    if count < MIN_IMAGES:
        raise GankitError(f"{against} holds {count} image{'s' * (count != 1)}; the metrics need at least {MIN_IMAGES} "
                          f"(precision, recall, density and coverage use each image's {MIN_IMAGES - 1} nearest "
                          "neighbours)")
    return DataConfig(name=against, image_size=side, channels=channels, root=root)


def evaluate_dataset(
    data: DataConfig, fake: str, n: int = 10_000, split: str = "test", seed: int = 0, cache: Path | None = None,
    features: str = "classifier",
) -> dict:
    """Calibration: a real split against another split's last n images, or uniform noise (`fake="noise"`)."""
    check_sample_count(n)
    evaluator = ImageEvaluator(data, n, split, cache, features)
    if fake == "noise":
        shape = (n, *load_dataset(data).data.shape[1:])
        images = torch.randint(0, 256, shape, dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))
    else:  # the last n: disjoint from the real first n when both come from one split of at least 2n
        images = load_dataset(DataConfig(name=data.name, split=fake)).data[-n:]  # type: ignore[arg-type]
    return {**evaluator(images, seed), "fake": f"{data.name}:{fake}", **evaluator.card_fields(len(images), seed)}


__all__ = ["MIN_IMAGES", "ImageEvaluator", "against_folder", "check_sample_count", "class_metrics",
           "compare_features", "default_eval_samples", "default_eval_split", "evaluate_dataset", "evaluate_run",
           "folder_content_hash", "real_features", "real_source", "tensor_digest"]
