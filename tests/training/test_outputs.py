import json

import pytest

import gankit
from conftest import tiny_config


@pytest.mark.slow
def test_a_first_grid_comes_early_and_an_interrupted_run_keeps_its_pictures(tmp_path):
    short = tiny_config(tmp_path / "short", train={"steps": 60, "sample_every": 500, "log_every": 30,
                                                   "checkpoint_every": 500})
    gankit.train(short)
    assert sorted(p.name for p in (tmp_path / "short" / "samples").glob("step-*.png")) == [
        "step-00000050.png", "step-00000060.png"]

    def stop_at_7(trainer):
        if trainer.step == 7:
            trainer.request_stop()

    run = gankit.train(tiny_config(tmp_path / "cut", train={"steps": 100, "sample_every": 500}),
                       callbacks=(stop_at_7,))
    assert run.interrupted and run.step == 7
    assert (tmp_path / "cut" / "samples" / "step-00000007.png").is_file()
    modes = json.loads((tmp_path / "cut" / "modes.json").read_text())
    assert modes["step"] == 7 and (tmp_path / "cut" / "landscape.gif").is_file()
