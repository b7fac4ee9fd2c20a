"""The pictures the docs show of gankit's own figures, made fresh from small runs (a few minutes on 2 cores):

    python scripts/docs_pictures.py            # writes docs/images/picture-*.png and .gif

- picture-landscape.gif: an energy model's D over ring8, every frame on one colour scale;
- picture-samples.png: a titled sample grid (Fashion-MNIST, 800 steps of the DCGAN pair);
- picture-pixels.png: one wrong pixel against six, by pixel loss and by that run's D;
- serve-browser-sampling.png: that run exported from its `gankit serve` page and sampled there with
  onnxruntime-web (Debian's chromium, driven by Playwright).
The web page's other screenshots come from its tests: `GANKIT_SCREENSHOTS=docs/images pytest tests/serve`.
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
        browser_sampling(runs, "fm", IMAGES / "serve-browser-sampling.png")
    for path in sorted(IMAGES.glob("picture-*")):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KiB")


def browser_sampling(runs: Path, run: str, out: Path) -> None:
    """The run page's "Sample in the browser" card after pressing Export, then Sample here."""
    from playwright.sync_api import sync_playwright

    from gankit.serve.server import running

    with running(runs) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(f"{url}run?run={run}")
        page.wait_for_selector("body[data-ready='1']")
        page.click("#browser-sampling button")  # Export to ONNX, then the page reloads
        page.wait_for_selector("form[data-tool='browser']", timeout=300_000)
        page.fill("form[data-tool='browser'] input[name=n]", "32")
        page.click("form[data-tool='browser'] button")
        page.wait_for_selector("#browser-sampling .status[data-state='done']", timeout=120_000)
        page.locator("#browser-sampling").screenshot(path=str(out))
        browser.close()


if __name__ == "__main__":
    main()
