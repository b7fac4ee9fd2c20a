"""The GAN: a generator trained to solve the argmax for a discriminator (the lecture's section 5).

This module is the torch-free declaration (config, defaults, presets, what it supports); `model` holds
the networks' algorithm. It may import `gankit.config` and `gankit.errors`, never torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gankit.algorithms.family import Family, Supports, Watched
from gankit.config.defaults import (
    OBJECTIVE_DEFAULTS,
    OBJECTIVE_TOY_DEFAULTS,
    RECIPE_OBJECTIVES,
    TOY_DEFAULTS,
    Layer,
    recipe_layer,
)
from gankit.config.schema import ObjectiveConfig
from gankit.registry import lazy

if TYPE_CHECKING:
    from gankit.config import Config

PENALTY_PHASE = "discriminator_penalty"  # lazy regularisation's own phase (StyleGAN2's Dreg)


class GANFamily(Family):
    """The objectives, their papers' defaults and the modern recipe are the GAN's own layers."""

    @property
    def has_recipe(self) -> bool:
        return True

    def presets(self, config: Config) -> dict[str, tuple[Any, str]]:
        recipe = config.model.recipe
        recipe_objective = RECIPE_OBJECTIVES.get(recipe)
        if recipe_objective and config.objective.name == ObjectiveConfig.name:
            # a recipe picks its objective unless another than the schema's default is named
            return {"objective.name": (recipe_objective, f"recipe {recipe}")}
        return {}

    def default_layers(self, config: Config, toy: bool) -> list[tuple[str, Layer]]:
        objective, recipe = config.objective.name, config.model.recipe
        layers = [(f"recipe {recipe}", recipe_layer(recipe, toy, config.train.steps))] * (recipe != "none")
        layers += [(f"objective {objective} on 2D data", OBJECTIVE_TOY_DEFAULTS.get(objective, {})),
                   ("2D data", TOY_DEFAULTS)] * toy
        return layers + [(f"objective {objective}", OBJECTIVE_DEFAULTS.get(objective, {}))]

    def run_name(self, config: Config) -> str:
        """<net>-<objective>[-<recipe>]: the recipe's objective is named when it picks one."""
        objective = self.presets(config).get("objective.name", (config.objective.name, ""))[0]
        recipe = config.model.recipe
        return f"{config.model.net}-{objective}" + (f"-{recipe}" if recipe != "none" else "")

    def phase_lines(self, config: Config) -> list[str]:
        g, ob = config.gan, config.objective
        penalty, every = ob.penalty not in (None, "none"), ob.penalty_every
        inline = f", its {ob.penalty} penalty in the loss" if penalty and every == 1 else ""
        d = [f"discriminator: {g.d_steps} update(s) with G fixed{inline}"]
        if penalty and every > 1:  # lazy regularisation (StyleGAN2)
            d.append(f"{PENALTY_PHASE}: one {ob.penalty} update every {every} iterations, its weight "
                     f"x{every * (g.d_steps or 1)}")
        generator = [f"generator: {g.g_steps} update(s) with D fixed"]
        return d + generator if g.order == "d_first" else generator + d


FAMILY = GANFamily(
    name="gan", view="generator + discriminator",
    summary="a generator and a discriminator: fix G, update D; fix D, update G",
    build=lazy("gankit.algorithms.gan.model", "build"),
    sections=("objective", "gan", "augment"),
    supports=Supports(conditional=True, packing=True, penalties=True, landscape=True, discriminator=True, live=True,
                      exports=True),
    progress_labels={"loss_d": "D loss", "loss_g": "G loss", "d_real": "D(x)", "d_fake": "D(G(z))"},
    shown=(("objective", "objective", "name"), ("d_steps", "gan", "d_steps")),
    watched=Watched(losses=("loss_d", "loss_g"), adversarial=True, falls=False),
)
