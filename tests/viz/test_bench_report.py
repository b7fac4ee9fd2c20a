"""gankit.viz.bench_report on hand-made bench folders: what the page picks and shows, without training anything."""

import base64
import json

from PIL import Image

from gankit.viz.bench_report import bench_report

CELLS = {  # method -> (algorithm, Inception FID of seed 0, of seed 1)
    "vae": ("vae", 99.0, 98.0), "rae": ("rae", 25.0, 27.0), "ebm": ("ebm", 150.0, 160.0),
    "drl": ("drl", 60.0, 50.0), "ns": ("gan", 30.0, 29.0), "modern-dcgan": ("gan", 14.0, 13.0),
}


def bench_folder(root, cells):
    """A `gankit bench` results folder: bench.json's rows, and each cell's config.yaml and one sample grid,
    each grid a different grey so that the page shows which one it picked."""
    rows = []
    for shade, (method, (algorithm, *fids)) in enumerate(cells.items()):
        for seed, fid in enumerate(fids):
            cell = root / "cells" / "fashion-mnist" / f"{method}-seed{seed}"
            (cell / "samples").mkdir(parents=True)
            (cell / "config.yaml").write_text(f"model: {{algorithm: {algorithm}}}\n")
            Image.new("L", (8, 8), 20 * shade + seed).save(cell / "samples" / "step-00000010.png")
            rows.append({"dataset": "fashion-mnist", "method": method, "seed": seed, "steps": 10,
                         "fid": 1000.0, "inception_fid": fid})
    (root / "bench.json").write_text(json.dumps({"suite": "views", "rows": rows, "plots": []}))
    return root


def shown(page, root, method, seed):
    picture = root / "cells" / "fashion-mnist" / f"{method}-seed{seed}" / "samples" / "step-00000010.png"
    return "data:image/png;base64," + base64.b64encode(picture.read_bytes()).decode() in page


def test_the_views_side_by_side_show_each_views_best_method_at_its_best_seed_in_the_lectures_order(tmp_path):
    root = bench_folder(tmp_path, CELLS)
    page = bench_report(root)
    section = page[page.index("<h2>The three views side by side</h2>"):page.index("<h2>Samples per cell</h2>")]
    captions = [c.split("</figcaption>")[0] for c in section.split("<figcaption>")[1:]]
    lecture_order = ["generator alone", "discriminator alone", "generator + discriminator"]
    assert [c.split(":")[0] for c in captions] == lecture_order
    # the lowest mean FID per view (inception_fid beats the classifier's fid when every row has it)
    assert [c.split(": ")[1].split(",")[0] for c in captions] == ["rae", "drl", "modern-dcgan"]
    assert "inception fid 26 (mean of 2 seeds); seed 0" in captions[0]
    assert "seed 1" in captions[1] and "seed 1" in captions[2]
    assert shown(section, root, "rae", 0) and shown(section, root, "drl", 1) and shown(section, root, "modern-dcgan", 1)
    assert not shown(section, root, "rae", 1) and not shown(section, root, "vae", 0)


def test_a_folder_of_one_view_has_no_side_by_side_and_a_cell_without_a_config_is_left_out(tmp_path):
    gans = bench_folder(tmp_path / "gans", {m: CELLS[m] for m in ("ns", "modern-dcgan")})
    assert "side by side" not in bench_report(gans)
    views = bench_folder(tmp_path / "views", {m: CELLS[m] for m in ("rae", "drl", "modern-dcgan")})
    (views / "cells" / "fashion-mnist" / "drl-seed1" / "config.yaml").unlink()
    page = bench_report(views)
    section = page[page.index("side by side"):page.index("<h2>Samples per cell</h2>")]
    assert shown(section, views, "drl", 0) and not shown(section, views, "drl", 1)  # seed 1's view is unknown
