"""The side-by-side benchmark: suites of cells as data (`suites`, torch-free) and running them (`runner`).

May import (the layers below it, `lint-imports`): api, environment, training, viz, algorithms, metrics, nets,
objectives, samplers, data, config, registry, version, jsonl, world, files, errors.
"""
