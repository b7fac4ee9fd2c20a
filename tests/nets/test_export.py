"""Exported sampling networks: onnxruntime's samples equal torch's for every net family and every way a run
samples in one pass (a GAN's G, conditional or not, and an auto-encoder's decoder behind each latent density)."""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import gankit
from conftest import tiny_config
from gankit.cli import main
from gankit.data.spec import DataSpec
from gankit.errors import GankitError
from gankit.nets import NetSettings, build_networks
from gankit.nets.export import ExportInput, export_onnx

ort = pytest.importorskip("onnxruntime", reason="the export tests need the onnx extra")
pytest.importorskip("onnxscript", reason="the export tests need the onnx extra")

DIGITS = DataSpec("x", "image", (1, 8, 8), class_names=tuple("0123456789"))
COLOUR = DataSpec("x", "image", (3, 32, 32))
POINTS = DataSpec("x", "points", (2,))


def run_onnx(path, inputs):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {name: value.numpy() for name, value in inputs.items()})[0]


@pytest.mark.slow
@pytest.mark.parametrize(("family", "spec", "conditional"), [
    ("mlp", POINTS, False), ("dcgan", DIGITS, True), ("resnet", COLOUR, False), ("r3gan", COLOUR, False)])
def test_every_net_family_exports_and_onnxruntime_samples_as_torch_does(tmp_path, family, spec, conditional):
    torch.manual_seed(0)
    generator, _ = build_networks(NetSettings(family=family, width=8, conditional=conditional), spec)
    generator.eval()
    inputs = [ExportInput("z", (generator.latent_dim,), torch.float32, "standard normal")]
    if conditional:
        inputs.append(ExportInput("labels", (), torch.int64, "class", spec.num_classes))
    export_onnx(generator, inputs, tmp_path / "g.onnx")
    batch = {"z": torch.randn(7, generator.latent_dim)}  # another batch size than the export's example
    if conditional:
        batch["labels"] = torch.arange(7) % spec.num_classes
    with torch.no_grad():
        expected = generator(*batch.values()).numpy()
    got = run_onnx(tmp_path / "g.onnx", batch)
    assert got.shape == (7, *spec.sample_shape) and np.abs(got - expected).max() < 1e-4


@pytest.mark.slow
def test_gankit_export_writes_the_network_and_a_sidecar_that_says_how_to_use_it(tmp_path):
    out = tmp_path / "gan"
    gankit.train(tiny_config(out, data={"name": "digits"}, model={"width": 8, "conditional": True, "g_ema": 0.99},
                             train={"batch_size": 16}))
    result = CliRunner().invoke(main, ["export", str(out)])
    assert result.exit_code == 0, result.output
    onnx_file = next(out.glob("generator-step*.onnx"))
    card = json.loads(onnx_file.with_suffix(".json").read_text())
    assert [i["name"] for i in card["inputs"]] == ["z", "labels"] and card["weights"] == "ema"
    assert card["inputs"][1]["high"] == len(card["classes"]) and "weights" not in card["inputs"][1]
    assert card["output"]["shape"] == ["batch", 1, 8, 8] and card["classes"] == list("0123456789")
    run = gankit.load(out)
    z, labels = torch.randn(5, run.generator.latent_dim), torch.tensor([0, 1, 2, 3, 4])
    with torch.no_grad():
        expected = run.algorithm.sampling_generator(z, labels).numpy()
    assert np.abs(run_onnx(onnx_file, {"z": z, "labels": labels}) - expected).max() < 1e-4


@pytest.mark.slow
@pytest.mark.parametrize("density", ["gmm", "two-stage", "gaussian"])
def test_an_autoencoder_exports_its_decoder_behind_its_latent_density(tmp_path, density):
    out = tmp_path / density
    run = gankit.train(tiny_config(out, data={"name": "digits"}, model={"algorithm": "rae", "width": 8},
                                   vae={"latent_density": density, "density_components": 3, "density_examples": 200,
                                        "density_steps": 20}, train={"batch_size": 16}))
    path = run.export(tmp_path / "decoder.onnx")
    card = json.loads(path.with_suffix(".json").read_text())
    network = run.algorithm.sampling_network()
    d = run.generator.latent_dim
    batch = {"eps": torch.randn(6, d)}
    if density == "gmm":
        assert [i["name"] for i in card["inputs"]] == ["eps", "component"]
        assert len(card["component_weights"]) == 3 and abs(sum(card["component_weights"]) - 1) < 1e-5
        assert card["inputs"][1] | {"weights": None} == {"name": "component", "shape": ["batch"], "dtype": "int64",
                                                        "draw": "component 0..2, drawn by its weight", "high": 3,
                                                        "weights": None}
        assert card["inputs"][1]["weights"] == pytest.approx(card["component_weights"])
        batch["component"] = torch.tensor([0, 1, 2, 2, 1, 0])
    with torch.no_grad():
        expected = network.network(*batch.values()).numpy()
    assert np.abs(run_onnx(path, batch) - expected).max() < 1e-4


def test_an_energy_model_has_no_generator_to_export(tmp_path):
    run = gankit.train(tiny_config(tmp_path / "ebm", model={"algorithm": "ebm"}, train={"steps": 2},
                                   ebm={"buffer_size": 64, "langevin_steps": 2}))
    with pytest.raises(GankitError, match="samples by ascending D with Langevin dynamics: there is no generator"):
        run.export(tmp_path / "x.onnx")
    with pytest.raises(GankitError, match="is an .onnx file"):
        gankit.load(tmp_path / "ebm").export(tmp_path / "x.pt")
    assert not list(tmp_path.glob("x.*"))
