import json
from types import SimpleNamespace

import torch
from PIL import Image

import gankit
from conftest import tiny_config


def test_ebm_on_ring8_draws_d_landscape_frames_and_a_gif(tmp_path):
    config = tiny_config(tmp_path / "ebm", model={"algorithm": "ebm"}, ebm={"buffer_size": 200, "langevin_steps": 5})
    run = gankit.train(config)
    frames = sorted((tmp_path / "ebm" / "landscape").glob("step-*.png"))
    assert [f.name for f in frames] == [f"step-{s:08d}.png" for s in (5, 10, 15, 20)]
    with Image.open(tmp_path / "ebm" / "landscape.gif") as gif:  # one GIF frame per landscape frame, same size
        assert gif.n_frames == len(frames) and gif.size == Image.open(frames[0]).size
    line = json.loads((tmp_path / "ebm" / "metrics.jsonl").read_text().splitlines()[-1])
    # the GIF redraws every frame from its saved scores on one colour scale: the whole run's 1st-99th percentile
    from safetensors.torch import load_file

    import gankit.training.outputs as outputs

    scores = torch.cat([load_file(f.with_suffix(".safetensors"))["scores"].flatten() for f in frames])
    drawn = []
    original = outputs.save_landscape

    def recording(*args, **kwargs):
        drawn.append(kwargs["scale"])
        return original(*args, **kwargs)

    outputs.save_landscape = recording
    try:
        outputs.Outputs.landscape_gif(SimpleNamespace(folder=run.folder, real_points=None))  # type: ignore[arg-type]
    finally:
        outputs.save_landscape = original
    expected = (float(scores.quantile(0.01)), float(scores.quantile(0.99)))
    assert len(drawn) == len(frames) and set(drawn) == {expected} and expected[0] < expected[1]
    assert {"d_real", "d_fake", "energy_magnitude"} <= line.keys()
    assert run.sample(7).shape == (7, 2)


def test_the_push_on_a_negative_is_the_langevin_drift_up_ds_score(tmp_path):
    from gankit.config import Config
    from gankit.training.trainer import Trainer

    config = Config.from_dict(tiny_config(tmp_path / "ebm", model={"algorithm": "ebm"}, ebm={"langevin_steps": 2}))
    ebm = Trainer.start(config).algorithm
    x = torch.randn(16, 2, generator=torch.Generator().manual_seed(0))
    push = ebm.negative_pushes(x)
    with torch.no_grad():
        assert ebm.discriminator(x + 1e-3 * push).sum() > ebm.discriminator(x).sum()
    assert ebm.manifold(4) is None  # no generator of z to fold a latent grid
    assert torch.equal(ebm.remembered_negatives(5), ebm.replay.chains[:5])  # where the next chains start


def test_sample_from_noise_starts_the_chains_from_noise_instead_of_the_replay_buffer(tmp_path):
    from gankit.config import Config
    from gankit.training.trainer import Trainer

    config = Config.from_dict(tiny_config(tmp_path / "ebm", model={"algorithm": "ebm"},
                                          ebm={"langevin_steps": 1, "step_size": 1e-6, "noise": 0.0}))
    ebm = Trainer.start(config).algorithm
    ebm.replay.chains.fill_(0.25)  # every remembered chain at one point; one tiny, noiseless step moves little
    ebm.replay.restart = 0.0
    from_buffer = ebm.sample(64, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(from_buffer, torch.full_like(from_buffer, 0.25), atol=1e-3)
    ebm.settings.sample_from_noise = True
    from_noise = ebm.sample(64, generator=torch.Generator().manual_seed(0))
    assert from_noise.std(0).min() > 0.1  # uniform noise over the data's box, not the buffer's point
