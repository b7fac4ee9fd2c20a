"""A `folder:` dataset decodes every common kind of image file to the 8-bit values a viewer shows."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from gankit.config import DataConfig
from gankit.data.loading import load_dataset


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
