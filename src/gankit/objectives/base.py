"""The objective contract: discriminator and generator losses from D's raw scores."""

from __future__ import annotations

from torch import Tensor, nn


class Objective(nn.Module):
    """A GAN objective. Losses are pure functions of scores; state (e.g. BEGAN's k) lives in buffers.

    Subclassing nn.Module means any state is saved and restored with the model's checkpoint.
    """

    name: str = ""
    probabilistic: bool = True
    """Scores are logits and D(x) = sigmoid(score); False for critics (WGAN) whose score is raw."""

    def discriminator_loss(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        """Scalar loss the discriminator minimises (G fixed): raise real scores, lower fake ones."""
        raise NotImplementedError

    def generator_loss(self, fake_scores: Tensor) -> Tensor:
        """Scalar loss the generator minimises (D fixed): make D score its samples as real."""
        raise NotImplementedError

    def display(self, scores: Tensor) -> Tensor:
        """What the progress bar shows as D(x): a probability when scores are logits."""
        return scores.sigmoid().mean() if self.probabilistic else scores.mean()
