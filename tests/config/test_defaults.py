import pytest

from gankit.config import Config
from gankit.config.defaults import BASE_DEFAULTS, FAMILY_DEFAULTS, OBJECTIVE_DEFAULTS, recipe_layer


def test_every_default_layer_names_real_fields_with_values_they_take():
    layers = [BASE_DEFAULTS, *FAMILY_DEFAULTS.values(), *OBJECTIVE_DEFAULTS.values(),
              recipe_layer("modern", True, 100), recipe_layer("modern", False, 100)]
    for layer in layers:
        Config().override(layer)  # raises ConfigError naming a key that is not a field or a bad value


def test_the_modern_recipe_scales_its_ema_to_a_quarter_of_the_run_and_augments_only_images():
    assert recipe_layer("none", False, 1000) == {}
    images, points = recipe_layer("modern", False, 4000), recipe_layer("modern", True, 4000)
    assert images["model.g_ema"] ** 1000 == pytest.approx(0.5, rel=1e-2)  # half-life: 1 000 of 4 000 steps
    assert images["objective.penalty_decay_steps"] == images["optim.decay_steps"] == 4000
    assert images["augment.policy"] == "color,translation,cutout" and "augment.policy" not in points
    assert points["gan.d_steps"] == 2 and images["gan.d_steps"] == 1
