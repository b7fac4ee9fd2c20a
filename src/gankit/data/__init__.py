"""Data: the dataset catalog (`catalog`, torch-free), loaders (`loading`, `toy2d`, `images`, `stacked`),
the `Dataset` tensors (`dataset`), what a model knows of its data (`spec`) and seeded batches (`batches`).

May import (the layers below it, `lint-imports`): config, registry, version, jsonl, world, files, errors.
"""
