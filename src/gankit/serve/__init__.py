"""`gankit serve`: a local web app over a folder of runs (FastAPI + uvicorn, a static front end shipped here)."""
