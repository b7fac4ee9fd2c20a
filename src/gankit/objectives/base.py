"""The objective contract: discriminator and generator losses from D's raw scores."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from torch import Tensor, nn

from gankit.config import ObjectiveConfig


class Objective(nn.Module):
    """A GAN objective. Losses are pure functions of scores; state (e.g. BEGAN's k) lives in buffers.

    Subclassing nn.Module means any state is saved and restored with the model's checkpoint.
    """

    name: ClassVar[str] = ""
    probabilistic: ClassVar[bool] = True
    """Scores are logits and D(x) = sigmoid(score); False when the score is used raw (critics, LSGAN)."""
    discriminator_kind: ClassVar[Literal["scores", "autoencoder"]] = "scores"
    """What D must be: a scoring network, or BEGAN's auto-encoder whose score is -reconstruction error."""
    defaults: ClassVar[dict[str, Any]] = {}
    """The paper's settings, applied to config fields the user left unset (see gankit.defaults)."""
    toy_defaults: ClassVar[dict[str, Any]] = {}
    """Settings that take precedence on 2D toy data, where a paper's image settings do not carry over."""
    reference: ClassVar[str] = ""

    def __init__(self, config: ObjectiveConfig | None = None) -> None:
        super().__init__()

    def discriminator_loss(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        """Scalar loss the discriminator minimises (G fixed): raise real scores, lower fake ones."""
        raise NotImplementedError

    def generator_loss(self, fake_scores: Tensor) -> Tensor:
        """Scalar loss the generator minimises (D fixed): make D score its samples as real."""
        raise NotImplementedError

    def update(self, real_scores: Tensor, fake_scores: Tensor) -> dict[str, Tensor]:
        """Called once per discriminator update with detached scores: update state, return numbers to log."""
        return {}

    def display(self, scores: Tensor) -> Tensor:
        """What the progress bar shows as D(x): a probability when scores are logits."""
        return scores.sigmoid().mean() if self.probabilistic else scores.mean()
