"""The pictures the docs show of gankit's own figures, made fresh from small runs (a few minutes on 2 cores):

    python scripts/docs_pictures.py            # writes docs/images/picture-*.png and .gif

- picture-landscape.gif: an energy model's D over ring8, every frame on one colour scale;
- picture-samples.png: a titled sample grid (Fashion-MNIST, 800 steps of the DCGAN pair);
- picture-pixels.png: one wrong pixel against six, by pixel loss and by that run's D.
The web page's screenshots come from its tests: `GANKIT_SCREENSHOTS=docs/images pytest tests/serve`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"


def gankit(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "gankit", *args], check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        runs = Path(folder)
        gankit("train", "--data", "ring8", "--algorithm", "ebm", "--steps", "1000", "--no-progress",
               "--out", str(runs / "ebm"))
        shutil.copy(runs / "ebm" / "landscape.gif", IMAGES / "picture-landscape.gif")
        gankit("train", "--data", "fashion-mnist", "--net", "dcgan", "--steps", "800", "--no-progress",
               "--set", "train.precision=auto", "--out", str(runs / "fm"))
        gankit("sample", str(runs / "fm"), "--n", "32", "--out", str(IMAGES / "picture-samples.png"))
        gankit("pixels", str(runs / "fm"), "--index", "0", "--out", str(IMAGES / "picture-pixels.png"))
    for path in sorted(IMAGES.glob("picture-*")):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
