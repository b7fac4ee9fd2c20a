from gankit.algorithms.gan import FAMILY, PENALTY_PHASE
from gankit.config import Config


def test_the_modern_recipe_picks_rpgan_unless_an_objective_is_named_and_the_run_name_says_so():
    modern = Config().override({"model.recipe": "modern", "model.net": "r3gan"})
    assert FAMILY.presets(modern) == {"objective.name": ("rpgan", "recipe modern")}
    assert FAMILY.run_name(modern) == "r3gan-rpgan-modern"
    hinge = modern.override({"objective.name": "hinge"})
    assert FAMILY.presets(hinge) == {} and FAMILY.run_name(hinge) == "r3gan-hinge-modern"
    assert [name for name, _ in FAMILY.default_layers(modern, toy=True)] == [
        "recipe modern", "objective ns on 2D data", "2D data", "objective ns"]


def test_the_phase_lines_follow_the_order_and_name_a_lazy_penalty_phase():
    config = Config().override({"gan.d_steps": 2, "gan.order": "g_first", "objective.penalty": "r1",
                                "objective.penalty_every": 4})
    lines = FAMILY.phase_lines(config)
    assert lines[0].startswith("generator: 1 update") and lines[1].startswith("discriminator: 2 update(s)")
    assert lines[2] == f"{PENALTY_PHASE}: one r1 update every 4 iterations, its weight x8"
