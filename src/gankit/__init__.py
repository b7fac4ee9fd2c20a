"""gankit: train, sample and evaluate generative models the way the "Introduction to GAN" lecture lays them out."""

__version__ = "0.1.0"

from gankit.config import Config  # noqa: E402
from gankit.errors import GankitError  # noqa: E402
from gankit.run import Run, load, resume, train  # noqa: E402

__all__ = ["Config", "GankitError", "Run", "__version__", "load", "resume", "train"]
