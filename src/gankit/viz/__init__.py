"""Pictures and pages from tensors and run folders: grids, landscapes, curves, the HTML report. It reads run
folders and never trains; the only layer that draws (matplotlib).

May import (the layers below it, `lint-imports`): algorithms, metrics, nets, objectives, samplers, data, config,
registry, version, jsonl, world, files, errors.
"""
