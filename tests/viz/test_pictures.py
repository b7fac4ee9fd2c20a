import torch
from PIL import Image


def test_grids_are_enlarged_to_a_readable_size_and_labels_sit_in_margins(tmp_path):
    from gankit.viz.pictures import GridLabels, label_margins, save_image_grid

    images = torch.rand(64, 1, 8, 8) * 2 - 1
    save_image_grid(images, tmp_path / "plain.png")
    with Image.open(tmp_path / "plain.png") as plain:
        assert plain.size == (7 * 82, 7 * 82)  # 8 images of 8 px + 2 px gaps = 82 px, enlarged 7× to >= 512
        assert plain.getpixel((7 * 2 + 3, 7 * 2 + 3)) == plain.getpixel((7 * 2 + 4, 7 * 2 + 4))  # 7×7 blocks
    save_image_grid(images, tmp_path / "big.png", scale=2)
    assert Image.open(tmp_path / "big.png").size == (164, 164)
    labels = GridLabels(rows=[f"row {i}" for i in range(8)], columns=[f"step {i}" for i in range(8)], title="t")
    save_image_grid(images, tmp_path / "labelled.png", labels=labels, scale=3)
    left, top, right, bottom = label_margins(labels)
    with Image.open(tmp_path / "labelled.png") as labelled:
        assert labelled.size == (left + 3 * 82 + right, top + 3 * 82 + bottom)
        # the grid is drawn pixel for pixel: its first image's top-left block is the first image's first pixel
        first = round((float(images[0, 0, 0, 0]) + 1) * 127.5)
        assert abs(labelled.convert("L").getpixel((left + 3 * 2 + 1, top + 3 * 2 + 1)) - first) <= 1
