import pytest
from matplotlib.figure import Figure

from gankit.errors import GankitError
from gankit.viz.figures import figure_png, save_figure, writing


def test_a_figure_renders_to_png_bytes():
    fig = Figure(figsize=(2, 2))
    fig.subplots().plot([0, 1], [1, 0])
    assert figure_png(fig).startswith(b"\x89PNG")


def test_an_unknown_suffix_or_an_unwritable_place_is_one_line(tmp_path):
    fig = Figure(figsize=(2, 2))
    assert save_figure(fig, tmp_path / "new" / "a.svg").read_text().lstrip().startswith("<?xml")
    with pytest.raises(GankitError, match=r"'\.txt' is not a picture type gankit writes; use \.png"):
        save_figure(fig, tmp_path / "a.txt")
    with pytest.raises(GankitError, match="the name has no extension"):
        save_figure(fig, tmp_path / "a")
    (tmp_path / "file").write_text("")
    with pytest.raises(GankitError, match="cannot write"), writing(tmp_path / "file" / "a.png"):
        save_figure(fig, tmp_path / "file" / "a.png")
