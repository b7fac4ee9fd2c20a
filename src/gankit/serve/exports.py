"""Exported generators in the browser: a run's ONNX files, exporting one from the page, and whether this
install ships onnxruntime-web (setup.py puts it into static/ort/ from npm when the package is built).

The page runs the exported network itself with onnxruntime-web (WebAssembly, one thread), drawing each input
as the sidecar JSON says; the server only writes and serves the files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from gankit.api import load
from gankit.files import inside
from gankit.serve.jobs import Job
from gankit.training.run_folder import RunFolder

ORT_FOLDER = Path(__file__).parent / "static" / "ort"
ORT_MODULE = "ort.wasm.min.mjs"  # the WebAssembly-only build: no WebGL/WebGPU code to ship


def browser_runtime() -> dict[str, Any]:
    """Whether pages can run ONNX here: onnxruntime-web's version, or why not."""
    stamp = ORT_FOLDER / "VERSION"
    if not (stamp.is_file() and (ORT_FOLDER / ORT_MODULE).is_file()):
        return {"available": False, "version": None, "module": None,
                "why": "this install has no onnxruntime-web (npm was not reachable when gankit was built)"}
    return {"available": True, "version": stamp.read_text().strip(), "module": f"/static/ort/{ORT_MODULE}",
            "why": None}


def exported(folder: RunFolder) -> list[dict[str, Any]]:
    """The run's exported networks (an .onnx file with its .json sidecar, both its own files), newest step first."""
    found = []
    for network in folder.root.glob("*.onnx"):
        sidecar = network.with_suffix(".json")
        if not (inside(folder.root, network) and inside(folder.root, sidecar) and sidecar.is_file()):
            continue
        try:
            card = json.loads(sidecar.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(card, dict) and card.get("format") == "onnx":
            found.append({"file": network.name, "card": card})
    return sorted(found, key=lambda e: (-int(e["card"].get("step") or 0), e["file"]))


def export(folder: RunFolder, checkpoint: Literal["last", "best"]) -> Callable[[Job], None]:
    """A job's work: export the run's sampling network into its folder as the CLI's `gankit export` would."""
    def work(job: Job) -> None:
        job.report("checking and loading the checkpoint", 0.1)
        run = load(folder.root, checkpoint=checkpoint)
        job.report("exporting to ONNX", 0.4)
        path = run.export(folder.root / f"generator-step{run.step:08d}.onnx")
        job.info |= {"file": path.name, "step": run.step}
    return work


__all__ = ["browser_runtime", "export", "exported"]
