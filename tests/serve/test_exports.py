"""What the run page learns of exported networks and of the browser runtime, from files alone."""

import json

from gankit.serve import exports
from gankit.training.run_folder import RunFolder


def card(step, **extra):
    return json.dumps({"format": "onnx", "step": step, "inputs": [], **extra})


def test_a_runs_exports_are_its_own_onnx_files_with_a_sidecar_newest_first(tmp_path):
    run, outside = tmp_path / "run", tmp_path / "elsewhere"
    run.mkdir(), outside.mkdir()
    for step in (10, 30):
        (run / f"generator-step{step:08d}.onnx").write_bytes(b"onnx")
        (run / f"generator-step{step:08d}.json").write_text(card(step))
    (run / "no-sidecar.onnx").write_bytes(b"onnx")
    (run / "broken.onnx").write_bytes(b"onnx")
    (run / "broken.json").write_text("{not json")
    (run / "other.onnx").write_bytes(b"onnx")
    (run / "other.json").write_text(json.dumps({"format": "torchscript"}))
    (outside / "secret.onnx").write_bytes(b"onnx")
    (outside / "secret.json").write_text(card(99))
    (run / "linked.onnx").symlink_to(outside / "secret.onnx")
    (run / "linked.json").symlink_to(outside / "secret.json")
    found = exports.exported(RunFolder(run))
    assert [e["file"] for e in found] == ["generator-step00000030.onnx", "generator-step00000010.onnx"]
    assert found[0]["card"]["step"] == 30


def test_the_browser_runtime_is_there_only_with_its_module_and_version(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "ORT_FOLDER", tmp_path)
    missing = exports.browser_runtime()
    assert missing["available"] is False and "npm" in missing["why"]
    (tmp_path / exports.ORT_MODULE).write_text("export {}")
    (tmp_path / "VERSION").write_text("onnxruntime-web@1.31.1\n")
    assert exports.browser_runtime() == {"available": True, "version": "onnxruntime-web@1.31.1",
                                         "module": "/static/ort/ort.wasm.min.mjs", "why": None}
