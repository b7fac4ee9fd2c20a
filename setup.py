"""The build step pyproject.toml cannot say: onnxruntime-web, from the npm registry, into the package.

`gankit serve` samples an exported generator in the browser with onnxruntime-web. Its three files (the
WebAssembly backend's module, its loader and the .wasm, about 15 MB) are fetched with `npm pack` when the
package is built (wheel, sdist or editable install) into src/gankit/serve/static/ort/, which git ignores,
and ship in the wheel; nothing is fetched when gankit runs. Without npm or the registry the build goes on
without them and the page says that browser sampling is unavailable in this install.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ORT_WEB = "onnxruntime-web@1.31.1"  # the release the browser test runs; opset 18 models load in it
ORT_FILES = ("ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm")
TARGET = Path(__file__).parent / "src" / "gankit" / "serve" / "static" / "ort"


def vendor_onnxruntime_web() -> None:
    """Put onnxruntime-web's files (and its package.json, which names its MIT licence) into TARGET unless this
    version is there already."""
    stamp = TARGET / "VERSION"
    if stamp.is_file() and stamp.read_text().strip() == ORT_WEB and all((TARGET / f).is_file() for f in ORT_FILES):
        return
    npm = shutil.which("npm")
    if npm is None:
        print(f"gankit build: npm not found, so {ORT_WEB} is left out (no sampling in the browser)", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as folder:
        packed = subprocess.run([npm, "pack", ORT_WEB, "--silent"], cwd=folder, capture_output=True, text=True)
        if packed.returncode:  # offline, or the registry refused: build without it
            print(f"gankit build: `npm pack {ORT_WEB}` failed, so it is left out: {packed.stderr.strip()[-300:]}",
                  file=sys.stderr)
            return
        archive = Path(folder) / packed.stdout.strip().splitlines()[-1]
        with tarfile.open(archive) as tar:  # npm checked the archive against the registry's integrity hash
            wanted = {f"package/dist/{name}": name for name in ORT_FILES} | {"package/package.json": "package.json"}
            partial = Path(folder) / "ort"
            partial.mkdir()
            for member in tar.getmembers():
                if member.name in wanted and member.isfile():
                    source = tar.extractfile(member)
                    assert source is not None
                    (partial / wanted[member.name]).write_bytes(source.read())
        missing = [name for name in wanted.values() if not (partial / name).is_file()]
        if missing:
            print(f"gankit build: {ORT_WEB} lacks {', '.join(missing)}; left out", file=sys.stderr)
            return
        (partial / "VERSION").write_text(ORT_WEB + "\n")
        shutil.rmtree(TARGET, ignore_errors=True)
        shutil.copytree(partial, TARGET)


class BuildWithOnnxruntimeWeb(build_py):
    def run(self) -> None:
        vendor_onnxruntime_web()
        super().run()


setup(cmdclass={"build_py": BuildWithOnnxruntimeWeb})
