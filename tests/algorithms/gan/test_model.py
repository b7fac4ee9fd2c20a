import pytest
import torch
from torch.nn import functional as F

import gankit
from conftest import tiny_config
from gankit.algorithms import build_algorithm
from gankit.algorithms.base import latent_grid, net_settings
from gankit.algorithms.gan import PENALTY_PHASE
from gankit.algorithms.resolve import resolve
from gankit.config import Config
from gankit.data.batches import Batch
from gankit.data.spec import DataSpec
from gankit.nets import build_networks
from gankit.training.trainer import Trainer

IMAGES = DataSpec(name="fake", kind="image", sample_shape=(1, 16, 16), class_names=tuple("0123456789"))


def effective_weights(module):
    """Every spectrally normalised conv/linear weight as the matrix whose norm SN takes ([out, -1])."""
    for layer in module.modules():
        if hasattr(layer, "parametrizations") and isinstance(layer, (torch.nn.Conv2d, torch.nn.Linear)):
            yield layer.weight.flatten(1)


def test_spectral_norm_makes_each_layers_largest_singular_value_one():
    config = Config().override({"model.spectral_norm": True, "model.d_norm": "none", "model.width": 8,
                                "model.conditional": True})
    _, discriminator = build_networks(net_settings(config.model, IMAGES), IMAGES)
    x = torch.randn(8, 1, 16, 16)
    for _ in range(30):  # one power iteration per training-mode forward
        discriminator(x, torch.zeros(8, dtype=torch.long))
    discriminator.eval()
    sigmas = [torch.linalg.matrix_norm(w.detach(), ord=2).item() for w in effective_weights(discriminator)]
    assert len(sigmas) == 3 and sigmas == pytest.approx([1.0] * len(sigmas), abs=0.02)
    raw = discriminator.body[0].parametrizations.weight.original.flatten(1)
    assert torch.linalg.matrix_norm(raw.detach(), ord=2).item() != pytest.approx(1.0, abs=0.05)


def test_wgan_clips_every_critic_weight(tmp_path):
    run = gankit.train(tiny_config(tmp_path / "r", objective={"name": "wgan"}, train={"steps": 6}))
    assert run.config.objective.clip == 0.01 and run.config.optim.name == "rmsprop"
    weights = torch.cat([p.flatten() for p in run.discriminator.parameters()])
    assert weights.abs().max().item() == pytest.approx(0.01)  # at the bound (RMSprop's first steps are large)


@pytest.mark.slow
def test_sampling_uses_the_ema_generator_and_resume_keeps_it(tmp_path):
    extra = {"model": {"g_ema": 0.9}}
    whole = gankit.train(tiny_config(tmp_path / "whole", **extra))
    algorithm = whole.algorithm
    assert not torch.equal(algorithm.ema.average.out.weight, algorithm.generator.out.weight)
    z_rng = lambda: torch.Generator().manual_seed(0)  # noqa: E731
    expected = algorithm.ema.average.eval()(torch.randn(4, 2, generator=z_rng()))
    assert torch.allclose(algorithm.sample(4, generator=z_rng()), expected)
    loaded = gankit.load(tmp_path / "whole")
    assert torch.equal(loaded.algorithm.ema.average.out.weight, algorithm.ema.average.out.weight)


def test_a_lazy_penalty_is_its_own_update_every_k_iterations(tmp_path):
    """StyleGAN2's lazy regularisation as a phase: D's loss never holds the penalty; a separate D update on the
    penalty alone runs in iterations 0, k, 2k, … on a batch of its own."""
    config = Config.from_dict(tiny_config(tmp_path / "r", objective={"penalty": "r1", "penalty_every": 3}))
    trainer = Trainer.start(config)
    assert [(p.name, p.every) for p in trainer.phases] == [("discriminator", 1), (PENALTY_PHASE, 3), ("generator", 1)]
    seen = ["penalty" in trainer.train_step() for _ in range(6)]
    assert seen == [True, False, False, True, False, False]
    assert int(trainer.algorithm.d_updates) == 6  # the penalty's own updates do not move the decay schedule
    assert trainer.batches_drawn == 6 + 2


def test_a_lazy_penalty_update_weighs_the_penalty_by_the_d_updates_it_stands_for():
    """Every k iterations of d_steps D updates each, the penalty update counts k * d_steps times; D's own loss
    is then the objective's alone."""
    torch.manual_seed(0)
    base = {"model.width": 8, "objective.penalty": "r1", "objective.penalty_weight": 2.0, "gan.d_steps": 2}
    batch = Batch(torch.rand(8, 1, 16, 16) * 2 - 1)
    phases = {}
    for every in (1, 4):
        config = resolve(Config().override({**base, "objective.penalty_every": every}), "image")
        torch.manual_seed(1)  # the same networks for both
        model = build_algorithm(config, DataSpec(name="fake", kind="image", sample_shape=(1, 16, 16)))
        phases[every] = {p.name: p.loss(batch, torch.Generator().manual_seed(0)) for p in model.phases()}
    inline, lazy = phases[1]["discriminator"], phases[4]
    assert PENALTY_PHASE not in phases[1] and "penalty" not in lazy["discriminator"].stats
    r1 = inline.stats["penalty"]  # R1 on the real batch: the same in both
    assert torch.allclose(inline.loss - lazy["discriminator"].loss, 2.0 * r1, rtol=1e-4)
    assert torch.allclose(lazy[PENALTY_PHASE].loss, 2.0 * 4 * 2 * r1, rtol=1e-5)


def test_acgan_adds_its_class_loss_to_d_and_g():
    torch.manual_seed(0)
    config = resolve(Config().override({"model.conditional": True, "model.d_condition": "acgan", "model.width": 8,
                                        "objective.aux_weight": 0.5}), "image")
    model = build_algorithm(config, IMAGES)
    batch = Batch(torch.rand(6, 1, 16, 16) * 2 - 1, torch.arange(6) % 10)
    d_phase, g_phase = model.phases()
    out = d_phase.loss(batch, torch.Generator().manual_seed(0))
    fake = model.generator.sample(6, batch.labels, generator=torch.Generator().manual_seed(0))
    real_scores, real_logits = model.discriminator.evaluate(batch.x, batch.labels)
    fake_scores, fake_logits = model.discriminator.evaluate(fake, batch.labels)
    classify = F.cross_entropy(real_logits, batch.labels) + F.cross_entropy(fake_logits, batch.labels)
    expected = model.objective.discriminator_loss(real_scores, fake_scores) + 0.5 * classify
    assert torch.allclose(out.loss, expected, rtol=1e-5) and classify > 0.1
    g_out = g_phase.loss(None, torch.Generator().manual_seed(3))
    labels = model.generator.sample_labels(64, torch.Generator().manual_seed(3))
    rng = torch.Generator().manual_seed(3)
    model.generator.sample_labels(64, rng)  # the same draws as the phase: labels first, then z
    scores, logits = model.discriminator.evaluate(model.generator.sample(64, labels, generator=rng), labels)
    g_expected = model.objective.generator_loss(scores) + 0.5 * F.cross_entropy(logits, labels)
    assert torch.allclose(g_out.loss, g_expected, rtol=1e-5)


def test_acgan_discriminator_classifies_and_generator_is_conditional():
    config = Config().override({"model.conditional": True, "model.d_condition": "acgan", "model.width": 8})
    algorithm = build_algorithm(resolve(config, "image"), IMAGES)
    assert algorithm.discriminator.embed is None and algorithm.discriminator.classifier.out_features == 10
    score, logits = algorithm.discriminator.evaluate(torch.randn(3, 1, 16, 16))
    assert score.shape == (3,) and logits.shape == (3, 10)


@pytest.mark.parametrize("algorithm", ["began", "lazy-gp", "ae"])
def test_losses_change_no_state_and_the_update_hook_does(algorithm):
    """BEGAN's k, the lazy-regularisation counter and the AE's code statistics change in `after_update`,
    never inside a loss: calling a loss twice gives the same value and leaves every buffer as it was."""
    sections = {"began": {"objective.name": "began"},
                "lazy-gp": {"objective.penalty": "gp", "objective.penalty_every": 2},
                "ae": {"model.algorithm": "ae"}}[algorithm]
    torch.manual_seed(0)
    config = resolve(Config().override({"model.width": 8, "model.latent_dim": 4, **sections}), "image")
    model = build_algorithm(config, DataSpec(name="fake", kind="image", sample_shape=(1, 16, 16)))
    phase = model.phases()[0]
    batch = Batch(torch.rand(8, 1, 16, 16) * 2 - 1)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    first = phase.loss(batch, torch.Generator().manual_seed(0))
    second = phase.loss(batch, torch.Generator().manual_seed(0))
    assert torch.equal(first.loss, second.loss)
    after_losses = model.state_dict()
    changed = [k for k in before if not torch.equal(before[k], after_losses[k]) and "running" not in k
               and "num_batches_tracked" not in k]  # batch norm's running statistics follow every forward
    assert changed == []
    model.after_update(phase.name, first)
    hooked = [k for k, v in model.state_dict().items() if not torch.equal(before[k], v)]
    expected = {"began": "objective.k", "lazy-gp": "d_updates", "ae": "code_mean"}[algorithm]
    assert expected in hooked


def test_r1_and_r2_enter_the_loss_each_with_its_own_gamma():
    """penalty r1+r2: D's loss gains gamma_r1 · R1 + gamma_r2 · R2, each logged on its own."""
    batch = Batch(torch.rand(8, 1, 16, 16, generator=torch.Generator().manual_seed(2)) * 2 - 1)
    base = {"model.width": 8, "model.d_norm": "none", "objective.name": "rpgan"}
    outputs = {}
    for penalty in ("none", "r1+r2"):
        config = resolve(Config().override({**base, "objective.penalty": penalty, "objective.gamma_r1": 2000.0,
                                            "objective.gamma_r2": 5000.0}), "image")
        torch.manual_seed(1)
        model = build_algorithm(config, IMAGES)
        outputs[penalty] = model.phases()[0].loss(batch, torch.Generator().manual_seed(0))
    both = outputs["r1+r2"]
    assert set(both.stats) >= {"penalty_r1", "penalty_r2"} and "penalty" not in both.stats
    added = 2000.0 * both.stats["penalty_r1"] + 5000.0 * both.stats["penalty_r2"]  # large: well above float32's eps
    assert added > 1e-2 and torch.allclose(both.loss - outputs["none"].loss, added, rtol=1e-3)
    assert both.stats["penalty_r1"] != both.stats["penalty_r2"]  # one on real data, one on generated


def test_an_unset_gamma_falls_back_to_the_penalty_weight():
    from gankit.algorithms.gan.model import penalty_terms
    from gankit.config import ObjectiveConfig

    terms = penalty_terms(ObjectiveConfig(penalty="r1+r2", penalty_weight=0.5, gamma_r2=3.0))
    assert [(name, weight) for name, _, weight in terms] == [("r1", 0.5), ("r2", 3.0)]
    assert [(n, w) for n, _, w in penalty_terms(ObjectiveConfig(penalty="gp", penalty_weight=10.0))] == [("gp", 10.0)]
    assert penalty_terms(ObjectiveConfig(penalty="none")) == []


def test_penalty_weights_decay_by_a_half_cosine_then_hold():
    """R3GAN's gamma schedule: 1 -> penalty_final over penalty_decay_steps iterations (of d_steps updates)."""
    config = resolve(Config().override({"model.width": 8, "objective.penalty": "r1", "objective.penalty_final": 0.1,
                                        "objective.penalty_decay_steps": 10, "gan.d_steps": 2}), "image")
    model = build_algorithm(config, IMAGES)
    scales = []
    for updates in (0, 10, 20, 40):  # as a checkpoint restores the counter (the step reads its host copy)
        model.load_state_dict(model.state_dict() | {"d_updates": torch.tensor(updates)})
        scales.append(model.penalty_scale())
    assert scales == pytest.approx([1.0, 0.55, 0.1, 0.1])
    batch = Batch(torch.rand(8, 1, 16, 16) * 2 - 1)
    assert model.phases()[0].loss(batch, torch.Generator().manual_seed(0)).stats["penalty_scale"] == pytest.approx(0.1)


def tiny_gan(tmp_path, **sections):
    return Trainer.start(Config.from_dict(tiny_config(tmp_path / "r", **sections))).algorithm


def test_the_push_on_a_sample_is_minus_the_gradient_of_gs_loss_and_lowers_it(tmp_path):
    gan = tiny_gan(tmp_path)
    x = gan.sample(16, generator=torch.Generator().manual_seed(0))
    push = gan.negative_pushes(x)
    assert push.shape == x.shape and push.abs().sum() > 0
    loss = lambda points: gan.objective.generator_loss(gan.discriminator(points)).item()  # noqa: E731
    assert loss(x + 1e-3 * push) < loss(x)  # G's loss falls along the pushes: where G's update moves samples
    assert all(p.grad is None for p in gan.parameters())  # the arrows cost no parameter gradients


def test_minimax_pushes_vanish_where_d_rejects_the_samples_and_ns_pushes_do_not(tmp_path):
    minimax = tiny_gan(tmp_path / "minimax", objective={"name": "minimax"}, model={"minibatch_std": False})
    ns = tiny_gan(tmp_path / "ns", model={"minibatch_std": False})
    ns.load_state_dict(minimax.state_dict())
    x = torch.randn(32, 2, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        for gan in (minimax, ns):
            gan.discriminator.head.bias.fill_(-12.0)  # D is sure every sample is fake: the saturating regime
    saturating, strong = minimax.negative_pushes(x).norm(), ns.negative_pushes(x).norm()
    assert strong > 0 and saturating / strong < 1e-4


def test_relativistic_pushes_need_as_many_real_examples(tmp_path):
    gan = tiny_gan(tmp_path, objective={"name": "rpgan"})
    x = torch.randn(8, 2, generator=torch.Generator().manual_seed(2))
    with pytest.raises(ValueError, match="pass as many"):
        gan.negative_pushes(x)
    assert gan.negative_pushes(x, real=torch.zeros(8, 2)).shape == (8, 2)


def test_the_manifold_is_the_generator_applied_to_the_latent_grid(tmp_path):
    gan = tiny_gan(tmp_path, model={"latent_dim": 3, "g_ema": 0.0})
    picture = gan.manifold(5)
    expected = gan.generator.eval()(latent_grid(5, 3, torch.device("cpu")))
    assert picture.shape == (25, 2) and torch.allclose(picture, expected)
    assert gan.reconstruct(expected) is None and gan.remembered_negatives(5) is None  # no encoder, no buffer
