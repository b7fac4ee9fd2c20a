"""The web app: its pages (static HTML + one script each, shipped in the package) and the JSON API they call.

Every error is a 4xx with one line, {"error": "..."}: bad input 400, a run or file not under RUNS_DIR 404,
a damaged checkpoint or a second live run 409. Pictures are jobs (gankit.serve.jobs): a POST answers
202 with the job at once, the page polls it and then fetches its PNG.
"""

from __future__ import annotations

import math
import mimetypes
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from gankit.data.catalog import POINTS_REACH
from gankit.errors import GankitError
from gankit.serve import exports, pictures
from gankit.serve.guard import Guard, new_token
from gankit.serve.jobs import Job, Jobs, TooMany, Work
from gankit.serve.live import Busy, Live
from gankit.serve.runs import Damaged, NotFound, RunsDir, checkpoint_state, describe
from gankit.serve.settings import (
    DRAWN,
    MAX_DRAWN,
    MIN_DRAWN,
    OPTIMIZERS,
    QUICK_PRESET,
    LiveSettings,
    RealDataSettings,
    live_algorithms,
    real_presets,
    three_views,
)

mimetypes.add_type("text/javascript", ".mjs")  # onnxruntime-web's ES modules: browsers refuse text/plain
STATIC = Path(str(resources.files("gankit.serve") / "static"))
PAGES = {"/": "index.html", "/run": "run.html", "/compare": "compare.html", "/live": "live.html",
         "/views": "views.html"}
SEED = Field(0, ge=0, le=2**31 - 1)
LIVE_WAIT_S = 2.0  # how long a long poll of the live run waits for a new frame


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown field is a typo: refused, not ignored
    run: str = Field(min_length=1, max_length=1000)
    checkpoint: Literal["last", "best"] = "last"


class SampleRequest(RunRequest):
    seed: int = SEED
    n: int = Field(64, ge=1, le=1024)
    class_index: int | None = Field(None, alias="class", ge=0)


class InterpolationRequest(RunRequest):
    seed_a: int = SEED
    seed_b: int = Field(1, ge=0, le=2**31 - 1)
    steps: int = Field(10, ge=2, le=32)
    class_index: int | None = Field(None, alias="class", ge=0)


class LandscapeRequest(RunRequest):
    seed: int = SEED


class AscentRequest(RunRequest):
    seed: int = SEED
    n: int = Field(8, ge=1, le=64)
    steps: int | None = Field(None, ge=1, le=500)


DrawnCoordinate = Annotated[float, Field(ge=-POINTS_REACH, le=POINTS_REACH)]


class LiveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: str = "ring8"  # a 2D set, or `drawn` with `points`
    algorithm: str = "gan"  # a registered algorithm that supports the live view (checked by LiveSettings)
    objective: str = "ns"
    optimizer: str = Field("adam", max_length=32)
    d_steps: int = Field(2, ge=1, le=10)
    lr_g: float = Field(3e-3, gt=0, le=1.0)
    lr_d: float = Field(3e-3, gt=0, le=1.0)
    lr_final: float = Field(0.03, gt=0, le=1.0)
    width: int = Field(64, ge=2, le=256)
    depth: int = Field(3, ge=1, le=6)
    d_width: int = Field(64, ge=2, le=256)
    d_depth: int = Field(3, ge=1, le=6)
    latent_dim: int = Field(2, ge=1, le=16)
    steps: int = Field(2200, ge=10, le=5000)
    seed: int = SEED
    points: list[tuple[DrawnCoordinate, DrawnCoordinate]] = Field(default_factory=list, max_length=MAX_DRAWN)


class ViewsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: str = "ring8"
    algorithms: list[str] = Field(default_factory=lambda: ["vae", "ebm", "gan"], max_length=3)  # one per view
    steps: int = Field(1500, ge=10, le=5000)
    seed: int = SEED


class RealDataRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    preset: str = Field(QUICK_PRESET, max_length=64)
    steps: int = Field(2000, ge=10, le=20_000)
    seed: int = SEED


class ResumeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run: str = Field(min_length=1, max_length=1000)
    steps: int = Field(ge=1, le=20_000)  # in all, more than the checkpoint's


class LiveControl(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["pause", "play", "step"]
    phase: str | None = Field(None, max_length=64)  # with `step`: one of the run's phases


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": " ".join(message.split())}, status_code=status)


def _validation_line(err: RequestValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "query"))
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid input"))


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: a metric card holding one shows it as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def live_options() -> dict[str, Any]:
    """What the live form offers: the 2D datasets, drawing, the objectives (torch-free lists) and the limits."""
    from gankit.config.defaults import OBJECTIVE_DEFAULTS
    from gankit.data.catalog import DATASETS

    return {"datasets": [name for name in DATASETS.names() if DATASETS.get(name).kind == "points"],
            "drawn": {"name": DRAWN, "reach": POINTS_REACH, "min_points": MIN_DRAWN, "max_points": MAX_DRAWN},
            "objectives": sorted(OBJECTIVE_DEFAULTS), "algorithms": live_algorithms(),
            "optimizers": list(OPTIMIZERS), "real_presets": real_presets(),
            "defaults": LiveSettings().public()}


def create_app(runs_dir: str | Path, allowed_hosts: list[str] | None = None) -> FastAPI:
    """The app over RUNS_DIR; `allowed_hosts` (names the Host header may give) guards a loopback server
    against DNS rebinding, where a web page's own name is pointed at 127.0.0.1."""
    runs = RunsDir.at(runs_dir)
    jobs, live = Jobs(), Live(runs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        live.warm_up()
        yield
        live.close()  # a live run checkpoints before the server goes
        jobs.shutdown()

    app = FastAPI(title="gankit", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    token = new_token()  # the pages read it from /api/token (same origin only: no CORS) and send it back
    app.state.runs, app.state.jobs, app.state.live, app.state.token = runs, jobs, live, token
    app.add_middleware(Guard, token=token, allowed_hosts=allowed_hosts)

    @app.get("/api/token")
    def page_token() -> dict[str, str]:
        return {"token": token}

    for route, page in PAGES.items():
        app.add_api_route(route, _page(page), methods=["GET"], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    _handle_errors(app)
    _add_run_routes(app, runs, live)
    _add_picture_routes(app, runs, jobs)
    _add_job_routes(app, jobs)
    _add_live_routes(app, live)
    return app


def _handle_errors(app: FastAPI) -> None:
    """Every error as one line of JSON with its 4xx."""
    @app.exception_handler(RequestValidationError)
    async def bad_input(request: Request, err: RequestValidationError) -> JSONResponse:
        return _error(400, _validation_line(err))

    @app.exception_handler(GankitError)
    async def gankit_error(request: Request, err: GankitError) -> JSONResponse:
        status = 404 if isinstance(err, NotFound) else 409 if isinstance(err, (Damaged, Busy)) else \
            429 if isinstance(err, TooMany) else 400
        return _error(status, str(err))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException) -> JSONResponse:
        return _error(err.status_code, str(err.detail))


def _add_run_routes(app: FastAPI, runs: RunsDir, live: Live) -> None:
    """The runs and their files."""
    @app.get("/api/runs")
    def list_runs() -> dict[str, Any]:
        return _finite({"root": str(runs.root), "runs": [describe(runs, folder) for folder in runs.runs()],
                        "live": None if live.current is None else runs.run_id(live.current.folder)})

    @app.get("/api/run")
    def one_run(run: str = Query(min_length=1, max_length=1000)) -> dict[str, Any]:
        folder = runs.run(run)
        return _finite(describe(runs, folder) | {"exports": exports.exported(folder),
                                                 "browser_runtime": exports.browser_runtime()})

    @app.get("/files/{relative:path}")
    def run_file(relative: str) -> FileResponse:
        path, media = runs.file(relative)
        return FileResponse(path, media_type=media, headers={"Cache-Control": "no-cache"})



def _checked(runs: RunsDir, request: RunRequest, needs: str | None = None,
             class_index: int | None = None) -> dict[str, Any]:
    """The run's description after the checks that need no model: it exists, its checkpoint is sound, and it is
    of a kind that can make the picture asked for."""
    folder = runs.run(request.run)
    state = checkpoint_state(folder)
    if state["state"] != "ok":
        raise Damaged(f"the checkpoint of {request.run} is {state['state']} and is not loaded: "
                      f"{state.get('message', '')}")
    described = describe(runs, folder, with_curves=False)
    summary, can = described["summary"], described["abilities"]
    if needs == "latent" and not can["latent_space"]:
        raise GankitError(f"{summary['algorithm']} has no latent space to interpolate in")
    if needs == "discriminator" and not can["discriminator"]:
        raise GankitError(f"{summary['algorithm']} has no discriminator; use a GAN or EBM run")
    if needs == "points" and described["kind"] != "points":
        raise GankitError("D's landscape is drawn for 2D runs only")
    if class_index is not None:
        if not summary["conditional"]:
            raise GankitError("this model is unconditional: class needs a run trained with model.conditional")
        if class_index >= len(described["classes"]):
            raise GankitError(f"class {class_index} is out of range 0..{len(described['classes']) - 1}")
    return described


def _add_picture_routes(app: FastAPI, runs: RunsDir, jobs: Jobs) -> None:
    """The pictures and exports made from a run's checkpoint, each as a job."""
    def submit(kind: str, work: Work) -> JSONResponse:
        return JSONResponse(jobs.submit(kind, work).public(), status_code=202)

    @app.post("/api/sample")
    def sample(request: SampleRequest) -> JSONResponse:
        _checked(runs, request, class_index=request.class_index)
        work = pictures.samples(runs.run(request.run), request.seed, request.n, request.class_index,
                                request.checkpoint)
        return submit("sample", work)

    @app.post("/api/interpolate")
    def interpolate(request: InterpolationRequest) -> JSONResponse:
        _checked(runs, request, "latent", request.class_index)
        work = pictures.interpolation(runs.run(request.run), request.seed_a, request.seed_b, request.steps,
                                      request.class_index, request.checkpoint)
        return submit("interpolation", work)

    @app.post("/api/landscape")
    def landscape(request: LandscapeRequest) -> JSONResponse:
        _checked(runs, request, "points")
        return submit("landscape", pictures.landscape(runs.run(request.run), request.seed, request.checkpoint))

    @app.post("/api/ascent")
    def ascent(request: AscentRequest) -> JSONResponse:
        _checked(runs, request, "discriminator")
        work = pictures.ascent(runs.run(request.run), request.seed, request.n, request.steps,
                                     request.checkpoint)
        return submit("ascent", work)

    @app.post("/api/export")
    def export(request: RunRequest) -> JSONResponse:
        described = _checked(runs, request)
        if not described["abilities"]["exports"]:
            raise GankitError(f"{described['summary']['algorithm']} samples by Langevin ascent on D: "
                              "there is no generator network to export")
        return submit("export", exports.export(runs.run(request.run), request.checkpoint))


def _add_job_routes(app: FastAPI, jobs: Jobs) -> None:
    """A job's state and, when done, its picture."""
    def job_or_404(job_id: str) -> Job:
        job = jobs.get(job_id)
        if job is None:
            raise NotFound(f"no job {job_id!r} (finished jobs are kept for a while, then dropped)")
        return job

    @app.get("/api/jobs/{job_id}")
    def job_status(job_id: str) -> dict[str, Any]:
        return job_or_404(job_id).public()

    @app.get("/api/jobs/{job_id}/image")
    def job_image(job_id: str) -> Response:
        job = job_or_404(job_id)
        if job.image is None:
            raise NotFound(f"job {job_id} has no picture ({job.state}{': ' + job.error if job.error else ''})")
        return Response(job.image, media_type="image/png")


def _add_live_routes(app: FastAPI, live: Live) -> None:
    """The live 2D run, the three views and the real-data run: start, watch (long poll), control, stop."""
    @app.get("/api/live/options")
    def options() -> dict[str, Any]:
        return live_options()

    @app.get("/api/live")
    def live_state(after: int | None = Query(None, ge=-1)) -> Response:
        """The live run's state; with `after` (the version the page drew), a long poll: it answers when a newer
        version exists, or after LIVE_WAIT_S. Every page gets the same bytes, encoded once per version."""
        if live.current is None:
            return JSONResponse({"state": "idle"})
        return Response(live.current.encoded(after, LIVE_WAIT_S), media_type="application/json")

    @app.post("/api/live")
    def live_start(request: LiveRequest) -> Response:
        allowed = live_options()
        if request.data not in [*allowed["datasets"], DRAWN]:
            raise GankitError(f"data: live training is for 2D sets: {', '.join(allowed['datasets'])}, or {DRAWN}")
        if request.objective not in allowed["objectives"]:
            raise GankitError(f"objective: unknown {request.objective!r}; valid: {', '.join(allowed['objectives'])}")
        if request.optimizer not in OPTIMIZERS:
            raise GankitError(f"optimizer: unknown {request.optimizer!r}; valid: {', '.join(OPTIMIZERS)}")
        values = request.model_dump() | {"points": tuple(request.points)}
        return Response(live.start(LiveSettings(**values)).encoded(), status_code=202, media_type="application/json")

    @app.get("/api/views")
    def views_state(after: int | None = Query(None, ge=-1)) -> Response:
        """The three views' runs (the live session), with the same long poll as /api/live."""
        return Response(live.encoded_session(after, LIVE_WAIT_S), media_type="application/json")

    @app.post("/api/views")
    def views_start(request: ViewsRequest) -> Response:
        datasets = live_options()["datasets"]
        if request.data not in datasets:
            raise GankitError(f"data: the three views train on a 2D set: {', '.join(datasets)}")
        live.start_session(three_views(request.algorithms, request.data, request.steps, request.seed))
        return Response(live.encoded_session(), status_code=202, media_type="application/json")

    @app.post("/api/live/real")
    def real_start(request: RealDataRequest) -> Response:
        run = live.start(RealDataSettings(request.preset, request.steps, request.seed))
        return Response(run.encoded(), status_code=202, media_type="application/json")

    @app.post("/api/live/resume")
    def live_resume(request: ResumeRequest) -> Response:
        return Response(live.resume(request.run, request.steps).encoded(), status_code=202,
                        media_type="application/json")

    @app.post("/api/live/control")
    def live_control(request: LiveControl) -> Response:
        run = live.running()
        if request.action == "step":
            if request.phase is None:
                raise GankitError("phase: a one-phase update names its phase")
            run.step_phase(request.phase)
        elif request.action == "pause":
            run.pause()
        else:
            run.play()
        return Response(run.encoded(), media_type="application/json")

    @app.post("/api/live/stop")
    def live_stop() -> Response:
        return Response(live.stop().encoded(), media_type="application/json")


def _page(name: str) -> Any:
    def page() -> FileResponse:
        return FileResponse(STATIC / name, media_type="text/html; charset=utf-8")
    page.__name__ = f"page_{name.removesuffix('.html')}"
    return page
