"""`gankit serve`: a local web app over a folder of runs (FastAPI + uvicorn, a static front end shipped here).

May import (the layers below it, `lint-imports`): benchmark, api, environment, training, viz, algorithms, metrics,
nets, objectives, samplers, data, config, registry, version, jsonl, world, files, errors.
"""
