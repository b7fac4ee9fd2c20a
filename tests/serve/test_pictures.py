from __future__ import annotations

import torch

import gankit
from conftest import PNG


def test_the_ascent_job_reports_each_langevin_step(runs_dir):
    from gankit.serve import pictures
    from gankit.serve.jobs import Job
    from gankit.training.run_folder import RunFolder

    job, seen = Job("id", "ascent"), []
    job.report = lambda stage, progress: seen.append((stage, progress))  # type: ignore[method-assign]
    png = pictures.ascent(RunFolder(runs_dir / "ring-ns"), seed=0, n=8, steps=4)(job)
    steps = [stage for stage, _ in seen if stage.startswith("Langevin")]
    assert png.startswith(PNG) and steps == [f"Langevin step {i} of 4 (500 chains on D)" for i in range(1, 5)]
    assert [p for _, p in seen] == sorted(p for _, p in seen)


def test_interpolation_runs_from_one_seeds_sample_to_the_others(runs_dir):
    run = gankit.load(runs_dir / "ring-ns")
    line = run.interpolate(0, 5, steps=4)
    assert line.shape == (4, 2)
    ends = run.sample(1, seed=0)[0], run.sample(1, seed=5)[0]  # the same z as the two seeds' samples
    assert torch.allclose(line[0], ends[0], atol=1e-5) and torch.allclose(line[-1], ends[1], atol=1e-5)
    assert not torch.allclose(line[0], line[-1], atol=1e-3) and not torch.allclose(line[1], line[0], atol=1e-4)
