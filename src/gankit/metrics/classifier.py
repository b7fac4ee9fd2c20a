"""Domain feature extractors: a small CNN classifier per image dataset, its penultimate layer as features.

Standard FID needs Inception weights that cannot be downloaded everywhere; a classifier trained by
gankit with a fixed recipe and seed works offline. Weights for the offline datasets ship with the
package (safetensors + JSON with test accuracy and content hash); every load checks the hash.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import cast

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import Tensor, nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from gankit.config import DataConfig
from gankit.data.catalog import DATASETS, cache_dir
from gankit.data.dataset import to_model_range
from gankit.data.loading import load_dataset
from gankit.errors import GankitError
from gankit.files import file_digest, write_text_atomic

SHIPPED = Path(__file__).parent / "weights"
FEATURE_DIM = 128


def _block(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]


class FeatureClassifier(nn.Module):
    """Two conv stages and a 128-d penultimate layer; any image size (pooled to a 3×3 grid, so the
    features keep where things are, which a global average would lose: 90.5% vs 92%+ on Fashion-MNIST)."""

    def __init__(self, channels: int, num_classes: int) -> None:
        super().__init__()
        self.trunk = nn.Sequential(
            *_block(channels, 32), *_block(32, 32), nn.MaxPool2d(2),
            *_block(32, 64), *_block(64, 64), nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(3), nn.Flatten(),
            nn.Linear(64 * 9, FEATURE_DIM), nn.ReLU(),
        )
        self.classify = nn.Linear(FEATURE_DIM, num_classes)

    def features(self, x: Tensor) -> Tensor:
        return self.trunk(x)  # [N, 128] from images in [-1, 1]

    def forward(self, x: Tensor) -> Tensor:
        return self.classify(self.features(x))  # [N, classes] logits


@dataclass(frozen=True)
class Recipe:
    """The fixed training recipe: same recipe and seed, same weights (on the same machine and torch)."""

    epochs: int = 6
    batch_size: int = 128
    lr: float = 2e-3
    seed: int = 0


def _batches(n: int, size: int, generator: torch.Generator | None = None) -> list[Tensor]:
    order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
    return list(order.split(size))


@torch.no_grad()
def accuracy(model: FeatureClassifier, images: Tensor, labels: Tensor, batch_size: int = 1000) -> float:
    model.eval()
    correct = sum(int((model(to_model_range(images[i])).argmax(1) == labels[i]).sum())
                  for i in _batches(len(images), batch_size))
    return correct / len(images)


def train_classifier(dataset: str, recipe: Recipe = Recipe(), progress: bool = False) -> tuple[FeatureClassifier, dict]:
    """Train the dataset's feature classifier by the recipe: Adam with cosine decay, no augmentation."""
    train, test = (load_dataset(DataConfig(name=dataset, split=s)) for s in ("train", "test"))
    if train.kind != "image" or train.labels is None or test.labels is None:
        raise GankitError(f"classifier features need a labelled image dataset; {dataset} is not one")
    assert train.class_names is not None, "labelled image datasets name their classes"
    torch.manual_seed(recipe.seed)
    model = FeatureClassifier(train.data.shape[1], len(train.class_names))
    optimizer = torch.optim.Adam(model.parameters(), lr=recipe.lr)
    steps = recipe.epochs * -(-len(train) // recipe.batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    rng, start = torch.Generator().manual_seed(recipe.seed), time.perf_counter()
    for epoch in range(recipe.epochs):
        model.train()
        for index in _batches(len(train), recipe.batch_size, rng):
            loss = F.cross_entropy(model(to_model_range(train.data[index])), train.labels[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
        if progress:
            print(f"epoch {epoch + 1}/{recipe.epochs}: loss {loss.item():.3f}", flush=True)
    card = {
        "dataset": dataset, "test_accuracy": accuracy(model, test.data, test.labels), "recipe": asdict(recipe),
        "image_shape": list(train.data.shape[1:]), "classes": list(train.class_names),
        "feature_dim": FEATURE_DIM, "train_seconds": round(time.perf_counter() - start, 1),
        "torch": torch.__version__,
    }
    return model.eval(), card


def save_classifier(model: FeatureClassifier, card: dict, folder: Path) -> Path:
    """Write NAME.safetensors and NAME.json (the card, with the tensor file's SHA-256)."""
    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / f"{card['dataset']}.safetensors"
    partial = weights.with_suffix(".partial")
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, partial)
    partial.replace(weights)  # whole files only: the card, written last, names their hash
    card = {**card, "sha256": file_digest(weights)}
    write_text_atomic(folder / f"{card['dataset']}.json", json.dumps(card, indent=1) + "\n")
    return weights


class ChannelwiseClassifier(nn.Module):
    """A one-channel classifier applied to every channel (Stacked MNIST): the features are concatenated and
    the class is the tuple of per-channel classes, first channel most significant (digits R, G, B -> RGB)."""

    def __init__(self, base: FeatureClassifier, channels: int) -> None:
        super().__init__()
        self.base, self.channels = base, channels

    def features(self, x: Tensor) -> Tensor:
        return torch.cat([self.base.features(x[:, c : c + 1]) for c in range(self.channels)], dim=1)

    def classify(self, features: Tensor) -> Tensor:
        """Joint log-probabilities of the class tuples, [N, classes^channels]: valid logits."""
        joint = None
        for part in features.split(FEATURE_DIM, dim=1):
            log_p = self.base.classify(part).log_softmax(1)
            joint = log_p if joint is None else (joint[:, :, None] + log_p[:, None, :]).flatten(1)
        assert joint is not None
        return joint

    def forward(self, x: Tensor) -> Tensor:
        return self.classify(self.features(x))


Classifier = FeatureClassifier | ChannelwiseClassifier


def load_classifier(dataset: str, folder: Path | None = None, cache: Path | None = None) -> tuple[Classifier, dict]:
    """The dataset's classifier and its card, from `folder`, else the shipped weights, else the cache
    (`cache`, default ~/.cache/gankit/features), training and caching it on first use. Refuses weights
    whose hash does not match the card. Stacked datasets use their base dataset's classifier per channel."""
    base = DATASETS.get(dataset).channels_of if dataset in DATASETS else None
    if base is not None:
        model, card = load_classifier(base, folder, cache)
        classes = ["".join(t) for t in itertools.product(card["classes"], repeat=3)]
        return ChannelwiseClassifier(cast(FeatureClassifier, model), 3).eval(), {  # a base set: not stacked
            **card, "dataset": dataset, "channels_of": base, "classes": classes,
            "image_shape": [3, *card["image_shape"][1:]], "feature_dim": 3 * card["feature_dim"]}
    cache = cache or cache_dir(DataConfig(name=dataset)) / "features"
    found = [f for f in ([folder] if folder else [SHIPPED, cache]) if (f / f"{dataset}.json").is_file()]
    if found:
        return _load_checked(dataset, found[0])
    if folder is not None:
        raise GankitError(f"no feature classifier for {dataset} in {folder}; make one with: gankit features train "
                          f"{dataset}")
    tqdm.write(f"gankit: no feature classifier for {dataset} yet: training it once with the fixed recipe "
               f"(cached in {cache}; `gankit features train {dataset}` does the same ahead of time)")
    save_classifier(*train_classifier(dataset, progress=True), cache)
    return _load_checked(dataset, cache)


def _load_checked(dataset: str, folder: Path) -> tuple[FeatureClassifier, dict]:
    card_path, weights = folder / f"{dataset}.json", folder / f"{dataset}.safetensors"
    if not weights.is_file():
        raise GankitError(f"{card_path} has no weights beside it ({weights.name})")
    damaged = (f"{card_path} is damaged: delete it and its .safetensors, then `gankit features train {dataset}` "
               "trains and caches the classifier again")
    try:
        card = json.loads(card_path.read_text())
        expected, shape, classes = card["sha256"], card["image_shape"], card["classes"]
        channels, count = int(shape[0]), len(classes)
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        raise GankitError(damaged) from None
    if file_digest(weights) != expected:
        raise GankitError(f"{weights} does not match the hash in {card_path.name}: refusing damaged weights")
    model = FeatureClassifier(channels, count)
    try:
        model.load_state_dict(load_file(weights))
    except (OSError, RuntimeError, SafetensorError):
        raise GankitError(damaged) from None
    return model.eval(), card


@torch.no_grad()
def extract_features(model: Classifier, images: Tensor, batch_size: int = 500) -> Tensor:
    """[N, 128] features of images given as uint8 [N, C, H, W] (data) or floats in [-1, 1] (samples)."""
    model.eval()
    chunks = []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size]
        chunks.append(model.features(to_model_range(batch) if batch.dtype == torch.uint8 else batch.float()))
    return torch.cat(chunks)


class ClassifierFeatures:
    """The `classifier` feature space of the metrics (gankit.metrics.extractors): the data's own classifier."""

    def __init__(self, data: DataConfig, cache: Path) -> None:
        self.classifier, card = load_classifier(data.name, cache=cache)
        self.classes: list[str] = card["classes"]
        self.card = {"extractor": f"classifier:{card['dataset']}", "extractor_sha256": card["sha256"]}
        self.cache_key = card["sha256"][:16]

    def features(self, images: Tensor) -> Tensor:
        return extract_features(self.classifier, images.cpu())


__all__ = ["ChannelwiseClassifier", "Classifier", "ClassifierFeatures", "FeatureClassifier", "Recipe",
           "extract_features", "load_classifier", "save_classifier", "train_classifier"]
