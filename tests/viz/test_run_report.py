"""gankit.viz.run_report on a hand-made run folder: the verdict, or a note where there is nothing to judge."""

import json

from gankit.viz.run_report import run_report


def test_a_run_page_shows_the_training_verdict(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.yaml").write_text("model:\n  algorithm: gan\n")
    lines = [{"step": s, "loss_d": 1.3, "loss_g": 0.7, "grad_norm/generator/out": 0.3} for s in range(50, 1001, 50)]
    (run / "metrics.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    (run / "modes.json").write_text(json.dumps({"step": 1000, "modes_captured": 2, "num_modes": 8,
                                                "high_quality": 0.9}))
    page = run_report(run)
    assert "<h2>Verdict: mode collapse</h2>" in page and "modes captured (share) = 0.25" in page
    (run / "metrics.jsonl").write_text("")  # nothing to judge: a note, and the rest of the page
    page = run_report(run)
    assert "Verdict:" not in page and "could not read the training verdict" in page
