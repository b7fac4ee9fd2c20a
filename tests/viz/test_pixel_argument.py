import pytest
import torch
from click.testing import CliRunner

import gankit
from conftest import tiny_config
from gankit.cli import main
from gankit.config import Config


def test_pixel_argument_builds_one_isolated_and_six_stroke_pixels():
    from gankit.viz.pixel_argument import one_and_six_wrong, pixel_argument

    image = torch.zeros(1, 12, 12, dtype=torch.uint8)
    image[0, 2, 1:9] = 200  # a horizontal stroke near the top
    one, six = one_and_six_wrong(image)
    changed_one = torch.nonzero(one[0] != image[0])
    # the pixel farthest from the stroke that keeps 2 pixels off the border (where its outline would be cut)
    assert changed_one.tolist() == [[9, 9]] and one[0, 9, 9] == 255
    changed_six = torch.nonzero(six[0] != image[0])
    assert len(changed_six) == 6 and (six[0][six[0] != image[0]] == 200).all()
    assert all(abs(int(y) - 2) <= 1 for y, _ in changed_six.tolist())  # all touch the stroke's rows
    result = pixel_argument(image, lambda x: -x.flatten(1).sum(1))  # a "D" that prefers dark images
    assert result.pixel_l2["real"] == 0 and result.pixel_l2["six wrong pixels"] > result.pixel_l2["one wrong pixel"]
    assert result.d_score["real"] > result.d_score["one wrong pixel"] > result.d_score["six wrong pixels"]
    with pytest.raises(ValueError, match="both stroke and background"):
        one_and_six_wrong(torch.zeros(1, 4, 4, dtype=torch.uint8))


def test_pixels_counts_each_judges_pick_over_n_images(tmp_path):
    from gankit.api import load
    from gankit.data.loading import load_dataset
    from gankit.viz.pixel_argument import ONE, SIX, pixel_argument, tally

    gankit.train(tiny_config(tmp_path / "gan", data={"name": "digits"}, model={"net": "dcgan", "width": 8},
                             train={"batch_size": 16}))
    result = CliRunner().invoke(main, ["pixels", str(tmp_path / "gan"), "--n", "20", "--out", str(tmp_path / "p.png")])
    assert result.exit_code == 0, result.output
    run = load(tmp_path / "gan")
    test = load_dataset(Config.from_dict({"data": {"name": "digits", "split": "test"}}).data)
    counts = tally(test.data[:20], run.discriminator)
    assert counts.images + counts.skipped == 20
    assert (f"the pixel loss prefers the six pixels in {counts.pixel_loss_prefers_six}/{counts.images}, "
            f"D in {counts.discriminator_prefers_six}/{counts.images}") in result.output
    first = pixel_argument(test.data[0], run.discriminator)
    assert first.edited(ONE).sum() == 1 and first.edited(SIX).sum() == 6
    assert f"the pixel loss prefers the {first.pixel_loss_prefers}" in result.output
    assert f"D prefers the {first.discriminator_prefers}" in result.output
