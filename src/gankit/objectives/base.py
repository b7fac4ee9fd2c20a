"""The objective contract: discriminator and generator losses from D's raw scores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from torch import Tensor, nn


class Objective(nn.Module):
    """A GAN objective. Losses are pure functions of scores; state (e.g. BEGAN's k) lives in buffers and
    changes only in `after_discriminator_update`. Being an nn.Module, that state is checkpointed.

    The paper settings each objective gets when a field is unset are in gankit.config.defaults.
    """

    name: ClassVar[str] = ""
    probabilistic: ClassVar[bool] = True
    """Scores are logits and D(x) = sigmoid(score); False when the score is used raw (critics, LSGAN)."""
    discriminator_kind: ClassVar[Literal["scores", "autoencoder"]] = "scores"
    """What D must be: a scoring network, or BEGAN's auto-encoder whose score is -reconstruction error."""
    reference: ClassVar[str] = ""
    generator_needs_real: ClassVar[bool] = False
    """G's loss compares its samples' scores with real ones (relativistic objectives), so the G step takes a
    real batch too; the algorithm's generator phase reads this, the loop only feeds the batch."""

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Objective:
        """The objective from the `objective` config section's values, as plain data (most read none of them)."""
        return cls()

    def discriminator_loss(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        """Scalar loss the discriminator minimises (G fixed): raise real scores, lower fake ones."""
        raise NotImplementedError

    def generator_loss(self, fake_scores: Tensor, real_scores: Tensor | None = None) -> Tensor:
        """Scalar loss the generator minimises (D fixed): make D score its samples as real. `real_scores`
        (D's scores of a real batch, no gradient) are given when `generator_needs_real`."""
        raise NotImplementedError

    def after_discriminator_update(self, real_scores: Tensor, fake_scores: Tensor) -> dict[str, Tensor]:
        """Called after each discriminator step with that update's detached scores: update state (if any),
        return numbers to log."""
        return {}

    def display(self, scores: Tensor) -> Tensor:
        """What the progress bar shows as D(x): a probability when scores are logits."""
        return scores.sigmoid().mean() if self.probabilistic else scores.mean()
