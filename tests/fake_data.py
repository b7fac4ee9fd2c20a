"""Image sets faked in a temporary folder, in the layouts the real ones arrive in (tests of several packages)."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
from PIL import Image

from gankit.data import images


def write_idx(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def fake_fashion_mnist(folder: Path, sizes: dict[str, int]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Tiny Fashion-MNIST in Debian's layout; returns the arrays written per split."""
    rng = np.random.default_rng(0)
    written = {}
    for prefix, n in sizes.items():
        x, y = rng.integers(0, 256, (n, 28, 28)), rng.integers(0, 10, n)
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", x)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", y)
        written[prefix] = (x, y)
    return written


def fake_mnist(root: Path, sizes: dict[str, int]) -> None:
    """Tiny MNIST in torchvision's cache layout (root/mnist/MNIST/raw, uncompressed IDX files)."""
    raw, rng = root / "mnist" / "MNIST" / "raw", np.random.default_rng(1)
    raw.mkdir(parents=True)
    for prefix, n in sizes.items():
        for kind, array in (("images-idx3", rng.integers(0, 256, (n, 28, 28))), ("labels-idx1", np.arange(n) % 10)):
            packed = raw / f"{prefix}-{kind}-ubyte.gz"
            write_idx(packed, array)
            packed.with_suffix("").write_bytes(gzip.decompress(packed.read_bytes()))


def fake_cifar10_binary(root: Path, per_file: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """A tiny CIFAR-10 binary release (root/cifar10/cifar-10-batches-bin): label byte + R, G, B planes per record;
    returns the train images [N, 3, 32, 32] and labels written."""
    folder = root / "cifar10" / images.CIFAR10_BINARY
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    train_images, train_labels = [], []
    for split, names in images.CIFAR10_FILES.items():
        for name in names:
            pixels = rng.integers(0, 256, (per_file, 3, 32, 32), dtype=np.uint8)
            labels = rng.integers(0, 10, per_file, dtype=np.uint8)
            (folder / name).write_bytes(np.concatenate([labels[:, None], pixels.reshape(per_file, -1)], 1).tobytes())
            if split == "train":
                train_images.append(pixels)
                train_labels.append(labels)
    return np.concatenate(train_images), np.concatenate(train_labels)


SIZES = [(40, 60), (64, 64), (100, 30), (17, 90)]


def make_faces(folder, count=24, seed=0):
    """A nested folder of JPEGs and PNGs of mixed sizes (and one file that is not an image)."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        width, height = SIZES[i % len(SIZES)]
        pixels = (rng.random((height, width, 3)) * 255).astype(np.uint8)
        pixels[height // 4: 3 * height // 4, width // 4: 3 * width // 4] = (200, 140, 90)  # a "face"
        where = folder / ["", "a", "a/b", "c"][i % 4]
        where.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(where / f"{i}.{'jpg' if i % 2 else 'png'}")
    (folder / "notes.txt").write_text("not an image")
    return folder
