"""Values that move along a run: R3GAN's half-cosine ramps (its `cosine_decay_with_warmup`, without the warm-up).

Pure functions of the iteration, so a resumed run recomputes them and a checkpoint holds no schedule state.
"""

from __future__ import annotations

import math


def cosine_ramp(start: float, end: float, step: float, steps: float) -> float:
    """`start` at step 0, `end` from `steps` on, a half cosine between; `steps` <= 0 holds `start` (no ramp)."""
    if steps <= 0:
        return start
    progress = min(max(step / steps, 0.0), 1.0)
    return end + (start - end) * 0.5 * (1 + math.cos(math.pi * progress))
