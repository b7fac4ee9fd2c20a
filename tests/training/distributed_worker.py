"""Run under torchrun by tests/training/test_distributed.py: train a config given as JSON, and have every process save
the weights it holds at the end (the test's own files, beside the run folder rank 0 writes)."""

import json
import sys
from pathlib import Path

from safetensors.torch import save_file

import gankit


def main() -> None:
    config, weights_dir = json.loads(sys.argv[1]), Path(sys.argv[2])

    def save_weights_at_the_end(trainer) -> None:
        if trainer.step == trainer.config.train.steps:
            state = {k: v.contiguous() for k, v in trainer.algorithm.state_dict().items()}
            save_file(state, weights_dir / f"rank{trainer.group.world.rank}.safetensors")

    gankit.train(config, callbacks=(save_weights_at_the_end,))


if __name__ == "__main__":
    main()
