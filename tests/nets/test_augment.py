"""DiffAugment and ADA (gankit.nets.augment): the paper's forms, seeded draws, gradients, the adaptive rule."""

import pytest
import torch

from gankit.algorithms import build_algorithm
from gankit.algorithms.resolve import resolve
from gankit.config import Config
from gankit.config.parsing import AUGMENTATIONS as POLICY_NAMES
from gankit.data.batches import Batch
from gankit.data.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets.augment import AUGMENTATIONS, DiffAugment, color, cutout, translation

IMAGES = DataSpec(name="fake", kind="image", sample_shape=(1, 16, 16))


def batch(n=6, channels=1, side=16, seed=0):
    return torch.rand(n, channels, side, side, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def rng(seed=0):
    return torch.Generator().manual_seed(seed)


def shifted(x, dy, dx):
    """x moved down by dy and right by dx whole pixels, zeros where nothing moved in."""
    out = torch.zeros_like(x)
    h, w = x.shape[-2:]
    out[..., max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = x[..., max(-dy, 0):h - max(dy, 0),
                                                                         max(-dx, 0):w - max(dx, 0)]
    return out


def test_the_config_and_the_module_name_the_same_augmentations_in_the_same_order():
    assert tuple(AUGMENTATIONS) == POLICY_NAMES == ("color", "translation", "cutout")


def test_translation_moves_each_image_by_at_most_an_eighth_of_its_side_with_zero_fill():
    x = batch(8)
    y = translation(x, rng())
    for i in range(len(x)):
        matches = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3) if torch.equal(y[i], shifted(x[i], dy, dx))]
        assert len(matches) == 1  # 16 / 8 = 2 pixels at most, each way
    assert not torch.equal(y, x)


def test_cutout_zeroes_one_square_of_half_the_side_and_keeps_the_rest():
    x = batch(8) * 0.5 + 0.75  # no zero pixels of its own
    y = cutout(x, rng())
    for i in range(len(x)):
        zero = y[i, 0] == 0
        rows, cols = zero.any(1).nonzero().flatten(), zero.any(0).nonzero().flatten()
        assert 0 < len(rows) <= 8 and 0 < len(cols) <= 8  # clipped at the border, never larger
        assert zero.sum() == len(rows) * len(cols)  # one rectangle
        assert torch.equal(y[i, 0][~zero], x[i, 0][~zero])


def test_color_on_grey_images_is_an_affine_map_per_image_with_the_papers_ranges():
    x = batch(8)
    y = color(x, rng())
    for i in range(len(x)):
        a = (y[i].flatten()[1] - y[i].flatten()[0]) / (x[i].flatten()[1] - x[i].flatten()[0])
        assert torch.allclose(y[i], a * x[i] + (y[i].flatten()[0] - a * x[i].flatten()[0]), atol=1e-5)
        assert 0.5 - 1e-5 <= a <= 1.5 + 1e-5  # contrast U[0.5, 1.5]; saturation does nothing to one channel


def test_draws_come_from_the_given_generator_and_gradients_flow_through():
    augment = DiffAugment(list(AUGMENTATIONS))
    x = batch(4, channels=3).requires_grad_(True)
    assert torch.equal(augment(x, rng(1)), augment(x, rng(1)))
    assert not torch.equal(augment(x, rng(1)), augment(x, rng(2)))
    augment(x, rng(1)).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_a_probability_below_one_augments_some_samples_and_zero_none():
    x = batch(64)
    assert torch.equal(DiffAugment(["cutout"], probability=0.0)(x, rng()), x)
    changed = (DiffAugment(["cutout"], probability=0.5)(x, rng()) != x).flatten(1).any(1)
    assert 10 < int(changed.sum()) < 54


def test_ada_moves_the_probability_toward_the_target_sign_of_real_scores():
    augment = DiffAugment(["translation"], probability=0.5, ada_target=0.6, ada_images=1000)
    stats = augment.adapt(torch.ones(100))  # D sure every real is real: overfitting, so augment more
    assert augment.probability.item() == pytest.approx(0.6) and stats["augment_p"].item() == pytest.approx(0.6)
    augment.adapt(-torch.ones(100))
    augment.adapt(-torch.ones(100))
    assert augment.probability.item() == pytest.approx(0.4)
    for _ in range(10):
        augment.adapt(-torch.ones(100))
    assert augment.probability.item() == 0.0  # clamped
    assert DiffAugment(["translation"]).adapt(torch.ones(4)) == {}  # without a target p stays


def gan(overrides):
    config = resolve(Config().override({"model.width": 8, "model.d_norm": "none", **overrides}), "image")
    torch.manual_seed(1)  # the same networks every time
    return build_algorithm(config, IMAGES)


def test_the_discriminator_sees_augmented_real_and_generated_images():
    x = Batch(batch(8))
    plain, augmented = gan({}), gan({"augment.policy": "translation,cutout"})
    assert "augment" not in dict(plain.named_children())  # off: nothing added to the checkpoint
    seen = []
    augmented.discriminator.register_forward_pre_hook(lambda _, args: seen.append(args[0]))
    plain_loss = plain.phases()[0].loss(x, rng()).loss
    out = augmented.phases()[0].loss(x, rng())
    assert not torch.isclose(plain_loss, out.loss)
    assert plain.discriminator_loss(x, rng()).loss.item() == pytest.approx(plain_loss.item())
    assert augmented.generator_loss(x, rng(), n=8).loss.isfinite()


def test_bad_policies_are_one_line_errors():
    with pytest.raises(ConfigError, match="augment.policy: unknown augmentation 'flip'"):
        Config().override({"augment.policy": "translation,flip"})
    with pytest.raises(ConfigError, match="augment.probability"):
        Config().override({"augment.probability": 1.5})
    config = resolve(Config().override({"augment.policy": "cutout"}), "points")
    with pytest.raises(ConfigError, match="is for images"):
        build_algorithm(config, DataSpec(name="ring8", kind="points", sample_shape=(2,)))


def test_two_data_parallel_processes_augment_their_halves_as_one_process_augments_the_batch():
    from gankit.data.shard import ShardedGenerator

    x = batch(8, channels=3)
    augment = DiffAugment(list(AUGMENTATIONS), probability=0.5)
    whole = augment(x, rng(3))
    halves = [augment(x[4 * r:4 * (r + 1)], ShardedGenerator("cpu", rank=r, size=2).manual_seed(3)) for r in (0, 1)]
    assert torch.equal(torch.cat(halves), whole)
