"""Training: the one loop (`trainer`, the only place that calls backward() and step()), building a run from
its resolved config (`building`), checkpoints, the run folder and its lock, logs, precision, devices,
several processes and the pictures written along a run (`outputs`).

May import (the layers below it, `lint-imports`): viz, algorithms, metrics, nets, objectives, samplers, data,
config, registry, version, jsonl, world, files, errors.
"""
