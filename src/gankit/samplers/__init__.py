"""Samplers: Langevin dynamics on any score (`langevin`) and the replay buffer of past chains (`replay`).

May import (the layers below it, `lint-imports`): data, config, registry, version, jsonl, world, files, errors.
"""
