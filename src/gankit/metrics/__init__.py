"""Image and 2D metrics: feature extractors (the shipped classifiers, Inception) and the numbers computed in
them (FID, KID, precision/recall, density/coverage, mode counts), with their cards.

May import (the layers below it, `lint-imports`): nets, objectives, samplers, data, config, registry, version,
jsonl, world, files, errors.
"""
