"""Feature spaces for the image metrics, by name; importing this needs no torch (the CLI lists the names).

An extractor maps images (uint8 [N, C, H, W] data, or floats in [-1, 1] from a model) to feature vectors
and says what it is, for the metric card and for the key its real-data features are cached under.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from gankit.config import DataConfig
from gankit.registry import Registry, lazy

if TYPE_CHECKING:
    from torch import Tensor

    from gankit.metrics.classifier import Classifier


class FeatureExtractor(Protocol):
    card: dict[str, Any]  # what a metric card records of the extractor (name, weights hash, protocol, …)
    cache_key: str  # the folder real features are cached in: changes whenever the features would
    classes: list[str]  # class names when the extractor is a classifier of the data, else []
    classifier: Classifier | None  # the classifier itself, for the class metrics (mode counts, …)

    def features(self, images: Tensor) -> Tensor:
        """[N, D] features on the CPU."""
        ...


# Datasets whose published Inception FIDs fix the sets: (protocol, real split, real images = samples)
STANDARD_SETS = {
    "cifar10": ("clean-fid legacy_tensorflow: statistics of the 50 000 training images vs 50 000 samples",
                "train", 50_000),
}

ExtractorBuilder = Callable[[DataConfig, Path], FeatureExtractor]  # (the data, the features cache) -> extractor
FEATURE_EXTRACTORS: Registry[ExtractorBuilder] = Registry("feature space")
FEATURE_EXTRACTORS.register("classifier")(lazy("gankit.metrics.classifier", "ClassifierFeatures"))
FEATURE_EXTRACTORS.register("inception")(lazy("gankit.metrics.inception", "InceptionFeatures"))

__all__ = ["FEATURE_EXTRACTORS", "STANDARD_SETS", "ExtractorBuilder", "FeatureExtractor"]
