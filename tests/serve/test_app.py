"""gankit serve: the HTTP API on a real server (uvicorn in a thread), and every page in headless Chromium.

The browser is Debian's chromium driven by Playwright through its executable path (no browser download).
GANKIT_SCREENSHOTS=DIR also saves a screenshot of each page there (the README's come from this test).
"""

from __future__ import annotations

import http.client
import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import yaml

import gankit
from conftest import CHROMIUM, PNG, needs_chromium, needs_fashion, tiny_config
from gankit.serve.server import running

SCREENSHOTS = os.environ.get("GANKIT_SCREENSHOTS")


@pytest.fixture(scope="module")
def server(runs_dir):
    with running(runs_dir) as url:
        yield url


def get(url, path):
    """(status, body bytes) of a GET, 4xx included."""
    try:
        with urllib.request.urlopen(url + path.lstrip("/"), timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def post(url, path, body, token=True):
    """(status, JSON) of a POST carrying the page's token, as the pages' own script sends it (or not)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Gankit-Token"] = json.loads(get(url, "/api/token")[1])["token"]
    request = urllib.request.Request(url + path.lstrip("/"), data=json.dumps(body).encode(), method="POST",
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def finished(url, job, timeout_s=60.0):
    deadline = time.monotonic() + timeout_s
    while job["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
        job = json.loads(get(url, f"/api/jobs/{job['id']}")[1])
    return job


@pytest.mark.slow
def test_the_runs_api_describes_every_run_and_names_the_damaged_checkpoint(server):
    status, body = get(server, "/api/runs")
    runs = {run["id"]: run for run in json.loads(body)["runs"]}
    assert status == 200 and sorted(runs) == ["damaged", "digits", "ring-lsgan", "ring-ns"]
    ns = runs["ring-ns"]
    assert ns["summary"]["objective"] == "ns" and runs["ring-lsgan"]["summary"]["objective"] == "lsgan"
    assert ns["checkpoint"] == {"state": "ok", "step": 20} and ns["kind"] == "points"
    assert ns["cards"]["modes.json"]["num_modes"] == 8
    assert [step for step, _ in ns["curves"]["loss_d"]] == [5, 10, 15, 20]
    assert ns["pictures"][0] == "samples/step-00000020.png"
    assert ns["verdict"]["kind"] == "not learning yet" and ns["verdict"]["line"].startswith("verdict at step 20")
    assert runs["digits"]["summary"]["conditional"] and len(runs["digits"]["classes"]) == 10
    damaged = runs["damaged"]["checkpoint"]
    assert damaged["state"] == "damaged" and "does not match the hash" in damaged["message"]
    status, picture = get(server, "/files/ring-ns/" + ns["pictures"][0])
    assert status == 200 and picture.startswith(PNG)


@pytest.mark.parametrize("path", [
    "/files/%2e%2e/secret.png", "/files/ring-ns/%2e%2e/%2e%2e/secret.png", "/files/ring-ns/..%2f..%2fsecret.png",
    "/files/%2Fetc%2Fpasswd", "/files/ring-ns/link.png", "/files/ring-ns/config.yaml%00.png",
    "/files/ring-ns/.gankit.lock", "/api/run?run=..", "/api/run?run=%2Ftmp", "/api/run?run=ring-ns%2F..%2F..",
])
def test_nothing_outside_runs_dir_is_served(server, path):
    status, body = get(server, path)
    assert 400 <= status < 500 and b"TOP-SECRET" not in body and b"root:" not in body
    assert list(json.loads(body)) == ["error"] and "\n" not in json.loads(body)["error"]


def test_a_loopback_server_refuses_another_host_name(server):
    """DNS rebinding: a page whose own name now points at 127.0.0.1 sends its name as the Host header."""
    request = urllib.request.Request(server + "api/runs", headers={"Host": "rebound.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 400
    assert get(server.replace("127.0.0.1", "localhost"), "/api/runs")[0] == 200


def test_a_sample_job_makes_a_png_and_the_same_seed_gives_the_same_picture(server):
    pictures = []
    for seed in (3, 3, 4):
        status, job = post(server, "/api/sample", {"run": "ring-ns", "seed": seed, "n": 200})
        assert status == 202 and job["state"] in ("queued", "running", "done")
        job = finished(server, job)
        assert job["state"] == "done" and job["info"]["step"] == 20 and job["progress"] == 1.0
        status, png = get(server, job["image"])
        assert status == 200 and png.startswith(PNG)
        pictures.append(png)
    assert pictures[0] == pictures[1] != pictures[2]


@pytest.mark.parametrize(("path", "body"), [
    ("/api/interpolate", {"run": "digits", "seed_a": 0, "seed_b": 5, "steps": 6, "class": 2}),
    ("/api/landscape", {"run": "ring-ns"}),
    ("/api/ascent", {"run": "digits", "n": 3, "steps": 4}),
    ("/api/ascent", {"run": "ring-ns", "steps": 4}),
    ("/api/sample", {"run": "digits", "class": 7, "n": 8}),
])
def test_each_picture_of_a_run_page_comes_back_as_a_png(server, path, body):
    status, job = post(server, path, body)
    job = finished(server, job)
    assert status == 202 and job["state"] == "done", job
    assert get(server, job["image"])[1].startswith(PNG)


@pytest.mark.parametrize(("path", "body", "status", "words"), [
    ("/api/sample", {"run": "ring-ns", "seed": -1}, 400, "seed: Input should be greater than or equal to 0"),
    ("/api/sample", {"run": "ring-ns", "n": 0}, 400, "n: "),
    ("/api/sample", {"run": "ring-ns", "colour": "red"}, 400, "colour: Extra inputs"),
    ("/api/sample", {"run": "ring-ns", "class": 1}, 400, "unconditional"),
    ("/api/sample", {"run": "digits", "class": 10}, 400, "out of range 0..9"),
    ("/api/sample", {"run": "nowhere"}, 404, "no run 'nowhere'"),
    ("/api/sample", {"run": "ring-ns/../../etc"}, 404, "outside the runs folder"),
    ("/api/sample", {"run": "damaged"}, 409, "does not match the hash"),
    ("/api/landscape", {"run": "digits"}, 400, "2D runs only"),
    ("/api/live", {"data": "fashion-mnist"}, 400, "live training is for 2D sets"),
    ("/api/live", {"objective": "nope"}, 400, "objective: unknown 'nope'"),
    ("/api/live", {"lr_d": 0}, 400, "lr_d: Input should be greater than 0"),
    ("/api/live", {"optimizer": "lbfgs"}, 400, "optimizer: unknown 'lbfgs'; valid: adam, rmsprop, sgd"),
    ("/api/live", {"d_width": 100_000}, 400, "d_width: Input should be less than or equal to 256"),
    ("/api/live", {"data": "drawn", "points": [[5.0, 0.0]]}, 400, "points.0.0: Input should be less than or equal"),
    ("/api/live", {"data": "drawn", "points": [[0.0, 0.0]] * 5001}, 400, "points: List should have at most 5000"),
    ("/api/live", {"data": "drawn", "points": [[0.0, 0.0]] * 3}, 400, "points: draw at least 32 points"),
    ("/api/live", {"points": [[0.0, 0.0]] * 40}, 400, "points: only with data 'drawn'"),
    ("/api/live/control", {"action": "jump"}, 400, "action: Input should be 'pause', 'play' or 'step'"),
    ("/api/views", {"algorithms": ["gan", "ebm", "vae"]}, 400, "algorithms: gan is the generator + discriminator"),
    ("/api/views", {"data": "drawn"}, 400, "data: the three views train on a 2D set"),
])
def test_bad_input_is_a_4xx_with_one_line(server, path, body, status, words):
    got, answer = post(server, path, body)
    assert (got, list(answer)) == (status, ["error"]) and words in answer["error"] and "\n" not in answer["error"]


def test_a_damaged_checkpoint_is_never_loaded(server, monkeypatch):
    import gankit.serve.pictures

    loaded = []
    monkeypatch.setattr(gankit.serve.pictures, "load", lambda *args, **kwargs: loaded.append(args))
    for path in ("/api/sample", "/api/landscape", "/api/ascent", "/api/interpolate"):
        assert post(server, path, {"run": "damaged"})[0] == 409
    assert loaded == []


def wait_for(check, timeout_s, what):
    deadline = time.monotonic() + timeout_s
    while not (found := check()):
        assert time.monotonic() < deadline, f"no {what} within {timeout_s} s"
        time.sleep(0.05)
    return found


def test_live_training_is_one_at_a_time_and_leaves_a_normal_run_folder(server, runs_dir):
    status, live = post(server, "/api/live", {"steps": 500, "seed": 1})
    assert status == 202 and live["run"].startswith("live/ring8-auto-ns-")
    status, again = post(server, "/api/live", {"steps": 50})
    assert status == 409 and "stop it first" in again["error"]
    wait_for(lambda: json.loads(get(server, "/api/live")[1])["frames"] >= 1, 60, "first frame")
    status, refused = post(server, "/api/live/control", {"action": "step", "phase": "generator"})
    assert status == 409 and "pause first" in refused["error"]  # one-phase updates only while paused
    post(server, "/api/live/stop", {})
    state = wait_for(lambda: (s := json.loads(get(server, "/api/live")[1]))["state"] == "stopped" and s, 60, "stop")
    frame = state["frame"]
    assert 0 < state["step"] < 500 and len(frame["scores"]) == 48 and len(frame["negatives"]) == 300
    run = gankit.load(runs_dir / live["run"])  # a normal run folder: loads, and resumes from its checkpoint
    assert run.step == state["step"] and run.config.train.seed == 1
    assert json.loads(get(server, "/api/run?run=" + live["run"])[1])["checkpoint"]["state"] == "ok"


# -- in the browser ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("chromium absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page that records every console error and uncaught exception."""
    # bypass_csp: Playwright's own waits evaluate strings in the page, which the server's policy forbids to any
    # script but its own (the policy itself is tested on the headers)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    page.close()


def screenshot(page, name):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"serve-{name}.png"), full_page=True)


def images_loaded(page, selector):
    return page.evaluate(f"[...document.querySelectorAll({selector!r})].filter(i => i.complete && i.naturalWidth > 0)"
                         ".length")


@needs_chromium
def test_the_runs_page_lists_every_run_with_its_pictures(server, page):
    page.goto(server)
    page.wait_for_selector("body[data-ready='1']")
    shown = page.eval_on_selector_all("section.run", "sections => sections.map(s => s.dataset.run)")
    assert {"damaged", "digits", "ring-lsgan", "ring-ns"} <= set(shown)  # and the live run, after its test
    assert page.locator("section.run[data-run='damaged'] .badge.damaged").count() == 1
    page.wait_for_function("[...document.images].every(i => i.complete)")
    assert images_loaded(page, "section.run img") == page.locator("section.run img").count() >= 4
    assert page.locator("svg.chart").count() >= 4
    screenshot(page, "runs")
    assert page.errors == []


@needs_chromium
def test_the_run_page_samples_from_the_checkpoint(server, page):
    page.goto(server + "run?run=digits")
    page.wait_for_selector("body[data-ready='1']")
    page.select_option("form[data-tool='/api/sample'] select[name=class]", "3")
    page.click("form[data-tool='/api/sample'] button")
    page.wait_for_function("document.querySelector('section img.result')?.naturalWidth > 0", timeout=60_000)
    page.click("form[data-tool='/api/interpolate'] button")
    page.click("form[data-tool='/api/ascent'] button")
    page.wait_for_function("document.querySelectorAll('section img.result').length == 3 && "
                           "[...document.querySelectorAll('section img.result')].every(i => i.naturalWidth > 0)",
                           timeout=60_000)
    screenshot(page, "run")
    assert page.locator(".metric-card").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400  # a metric card no longer widens the page
    assert "0123456789ab…" in page.inner_text(".metric-card")  # a long hash shortened, whole on hover
    page.goto(server + "run?run=damaged")
    page.wait_for_selector("body[data-ready='1']")
    assert "not loaded" in page.inner_text("p.damaged") and page.locator("form.tool").count() == 0
    assert page.errors == []


@needs_chromium
def test_the_compare_page_shows_two_grids_from_the_same_z(server, page):
    page.goto(server)
    page.wait_for_selector("body[data-ready='1']")
    page.check("input.pick[value='ring-ns']")
    page.check("input.pick[value='ring-lsgan']")
    page.click("#compare")
    page.wait_for_function("document.querySelectorAll('img.grid-image').length == 2 && "
                           "[...document.querySelectorAll('img.grid-image')].every(i => i.naturalWidth > 0)",
                           timeout=60_000)
    assert page.locator("section.compared").count() == 2 and page.locator("svg.chart").count() >= 2
    screenshot(page, "compare")
    assert page.errors == []


@needs_chromium
def test_the_live_page_updates_while_training_and_stops_on_request(server, page):
    page.goto(server + "live")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("input[name=steps]", "2000")
    page.click("#start")
    frames = []
    for _ in range(3):  # the first frame, then two updates of it
        shown = max(frames, default=0)
        page.wait_for_function(f"Number(document.getElementById('live-status').dataset.frames) > {shown}",
                               timeout=60_000)
        frames.append(int(page.get_attribute("#live-status", "data-frames")))
    assert "s(x)" in page.inner_text("#heat-scale") and page.locator("#heat-scale canvas.colour-bar").count() == 1
    page.click("#start")  # a second run while one trains: refused, and the refusal stays on the page
    page.wait_for_selector("#live-message .error", timeout=30_000)
    page.wait_for_function(f"Number(document.getElementById('live-status').dataset.frames) > {frames[-1]}",
                           timeout=60_000)  # a poll later, the status line redrawn
    assert "stop it first" in page.inner_text("#live-message")
    if SCREENSHOTS:  # for the README: far enough along that D's landscape has taken shape
        page.wait_for_function("Number(document.getElementById('live-status').dataset.frames) >= 80",
                               timeout=180_000)
        screenshot(page, "live")
    page.click("#stop")
    page.wait_for_selector("#live-status[data-state='stopped']", timeout=60_000)
    step = int(page.inner_text("#live-status").split("step ")[1].split(" ")[0])
    assert frames == sorted(set(frames)) and 0 < step < 2000
    assert all("409" in error for error in page.errors)  # the browser logs the refused start, nothing else


def test_a_body_over_a_mebibyte_or_of_unsaid_length_is_refused_before_it_is_read(server):
    token = json.loads(get(server, "/api/token")[1])["token"]
    host, port = server.removeprefix("http://").rstrip("/").split(":")

    def answer(headers, body=None):
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.putrequest("POST", "/api/live")
        for key, value in {"Content-Type": "application/json", "X-Gankit-Token": token, **headers}.items():
            connection.putheader(key, value)
        connection.endheaders(body)  # a huge body is announced, never sent: the answer comes without it
        response = connection.getresponse()
        status, data = response.status, json.loads(response.read())
        connection.close()
        return status, data

    assert answer({"Content-Length": str(5 << 20)}) == \
        (413, {"error": "the request body is 5,242,880 bytes; at most 1,048,576"})
    status, data = answer({"Transfer-Encoding": "chunked"}, b"2\r\n{}\r\n0\r\n\r\n")
    assert status == 411 and data == {"error": "a request that changes something must say its length "
                                               "(Content-Length header)"}


def test_a_request_that_changes_something_needs_the_pages_token(server):
    status, answer = post(server, "/api/live/stop", {}, token=False)  # what another site's form would send
    assert status == 403 and "token" in answer["error"] and list(answer) == ["error"]
    status, answer = post(server, "/api/sample", {"run": "ring-ns"}, token=False)
    assert status == 403


def test_every_answer_says_nosniff_and_allows_only_the_servers_own_scripts(server):
    for path in ("/", "/api/runs", "/static/app.js"):
        with urllib.request.urlopen(server + path.lstrip("/"), timeout=30) as response:
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "'wasm-unsafe-eval'" in response.headers["Content-Security-Policy"]  # WebAssembly, not JS eval
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


def test_an_energy_model_has_nothing_to_export_and_says_so_in_one_line(tmp_path):
    gankit.train(tiny_config(tmp_path / "ebm", model={"algorithm": "ebm"}, train={"steps": 2},
                             ebm={"buffer_size": 64, "langevin_steps": 2}))
    with running(tmp_path) as url:
        described = json.loads(get(url, "/api/run?run=ebm")[1])
        status, answer = post(url, "/api/export", {"run": "ebm"})
    assert described["abilities"]["exports"] is False and described["exports"] == []
    assert status == 400 and answer == {"error": "ebm samples by Langevin ascent on D: there is no generator network "
                                                 "to export"}


@pytest.mark.slow
@needs_chromium
def test_the_run_page_exports_and_samples_in_the_browser_as_onnxruntime_does(server, browser, runs_dir):
    """The page's Export button writes the ONNX file; "Sample here" runs it with onnxruntime-web under the
    server's real content policy (no bypass); the samples equal onnxruntime's in Python on the same inputs."""
    ort = pytest.importorskip("onnxruntime")
    from gankit.serve.exports import browser_runtime

    if not browser_runtime()["available"]:
        pytest.skip(browser_runtime()["why"])
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # the policy enforced, as users get it
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server + "run?run=digits")
    page.wait_for_selector("body[data-ready='1']")
    if page.locator("form[data-tool='browser']").count() == 0:
        page.click("#browser-sampling button")  # Export to ONNX: a job, then the page reloads
        page.wait_for_selector("form[data-tool='browser']", timeout=120_000)
    page.fill("form[data-tool='browser'] input[name=n]", "20")
    page.fill("form[data-tool='browser'] input[name=seed]", "7")
    page.click("form[data-tool='browser'] button")
    page.wait_for_selector("#browser-sampling .status[data-state]", timeout=120_000)
    assert page.get_attribute("#browser-sampling .status", "data-state") == "done", page.inner_text("#browser-sampling")
    drawn = page.evaluate("window.gankitBrowserSample")
    exported = json.loads(get(server, "/api/run?run=digits")[1])["exports"][0]
    session = ort.InferenceSession(str(runs_dir / "digits" / exported["file"]))
    z = np.asarray(drawn["inputs"]["z"], dtype=np.float32).reshape(20, -1)
    labels = np.asarray(drawn["inputs"]["labels"], dtype=np.int64)
    assert labels.tolist() == [i % 10 for i in range(20)] and abs(z.mean()) < 0.2 and 0.8 < z.std() < 1.2
    expected = session.run(None, {"z": z, "labels": labels})[0]
    assert drawn["dims"] == list(expected.shape) == [20, 1, 8, 8]
    assert np.abs(np.asarray(drawn["output"], dtype=np.float32).reshape(expected.shape) - expected).max() < 1e-4
    assert errors == []
    page.close()


def live_started(page, server, **fields):
    """The live page with its form filled in and Start pressed; the frames begun."""
    page.goto(server + "live")
    page.wait_for_selector("body[data-ready='1']")
    for name, value in fields.items():
        if page.locator(f"select[name={name}]").count():
            page.select_option(f"select[name={name}]", str(value))
        else:
            page.fill(f"input[name={name}]", str(value))
    earlier = page.get_attribute("#live-status", "data-run") or ""  # the page opens on the last live run
    page.click("#start")
    page.wait_for_function(f"document.getElementById('live-status').dataset.run !== {earlier!r} && "
                           "Number(document.getElementById('live-status').dataset.frames) >= 2", timeout=60_000)


def stopped(page):
    page.click("#stop")
    page.wait_for_selector("#live-status[data-state='stopped'], #live-status[data-state='finished']", timeout=60_000)


@needs_chromium
def test_each_of_gan_labs_controls_reaches_the_trainer_and_each_panel_draws(server, page, runs_dir):
    live_started(page, server, objective="minimax", optimizer="sgd", lr_g="0.05", lr_d="0.02", width=16, depth=2,
                 d_width=32, d_depth=4, latent_dim=3, d_steps=2, steps=3000, seed=7)
    run = page.get_attribute("#live-status", "data-run")
    config = yaml.safe_load((runs_dir / run / "config.yaml").read_text())
    m = config["model"]
    assert (m["width"], m["depth"], m["d_width"], m["d_depth"], m["latent_dim"]) == (16, 2, 32, 4, 3)
    assert (config["optim"]["name"], config["optim"]["lr_g"], config["optim"]["lr_d"]) == ("sgd", 0.05, 0.02)
    assert (config["objective"]["name"], config["gan"]["d_steps"], config["train"]["seed"]) == ("minimax", 2, 7)
    assert page.get_attribute("#manifold", "data-lines") == "30"  # 15 rows and 15 columns of the latent grid
    stats = page.inner_text("#live-stats")
    assert all(words in stats for words in ("modes captured", "high quality", "KL(data", "JS on a grid", "mean push"))
    state = page.evaluate("fetch('/api/live').then(r => r.json())")
    assert len(state["frame"]["pushes"]) == 300 and state["phases"] == ["discriminator", "generator"]
    assert len(state["frame"]["believed"]) == 200  # argmax D(x) from noise, drawn with its checkbox
    page.check("#show-believed")
    stopped(page)
    assert page.errors == []


@needs_chromium
def test_pause_then_one_update_buttons_take_exactly_one_update_of_one_network(server, page):
    live_started(page, server, steps=5000)
    page.click("#play")  # Pause
    page.wait_for_selector("#live-status[data-state='paused']", timeout=30_000)
    assert page.inner_text("#play") == "Play"
    updates = lambda: json.loads(page.get_attribute("#heat", "data-updates"))  # noqa: E731
    before = updates()
    for phase, other in (("discriminator", "generator"), ("generator", "discriminator")):
        shown = page.get_attribute("#heat", "data-updates")
        page.click(f"#phase-buttons button[data-phase={phase}]")
        page.wait_for_function(f"document.getElementById('heat').dataset.updates !== {shown!r}", timeout=30_000)
        after = updates()
        assert (after[phase], after[other]) == (before[phase] + 1, before[other]), (phase, before, after)
        before = after
    page.click("#play")  # Play
    page.wait_for_selector("#live-status[data-state='running']", timeout=30_000)
    assert page.is_disabled("#phase-buttons button[data-phase=generator]")
    stopped(page)
    assert page.errors == []


@needs_chromium
def test_data_drawn_by_hand_is_what_the_trainer_trains_on(server, page, runs_dir):
    page.goto(server + "live")
    page.wait_for_selector("body[data-ready='1']")
    page.select_option("select[name=data]", "drawn")
    box = page.locator("#draw").bounding_box()
    page.mouse.move(box["x"] + 60, box["y"] + 150)
    page.mouse.down()
    for i in range(40):  # a stroke from left to right, rising
        page.mouse.move(box["x"] + 60 + 4 * i, box["y"] + 150 - 2 * i)
    page.mouse.up()
    count = int(page.get_attribute("#draw-count", "data-points"))
    assert count >= 32
    page.fill("input[name=steps]", "40")
    page.click("#start")
    page.wait_for_function("document.getElementById('live-status').dataset.run.startsWith('live/drawn-') && "
                           "document.getElementById('live-status').dataset.state === 'finished'", timeout=60_000)
    run = page.get_attribute("#live-status", "data-run")
    assert len((runs_dir / run / "drawn.csv").read_text().splitlines()) == count + 1  # a header, then each point
    config = yaml.safe_load((runs_dir / run / "config.yaml").read_text())
    assert config["data"]["name"] == f"points:{runs_dir / run / 'drawn.csv'}"
    assert page.errors == []


@needs_chromium
def test_benchmark_ring8_reaches_every_mode_on_screen(server, page):
    """A benchmark line, not an assertion on time: seconds from Start to 8/8 modes drawn, and frames drawn a second."""
    page.goto(server + "live")
    page.wait_for_selector("body[data-ready='1']")
    earlier = page.get_attribute("#live-status", "data-run") or ""
    started = page.evaluate("performance.now()")
    page.click("#start")
    page.wait_for_function(f"document.getElementById('live-status').dataset.run !== {earlier!r} && "
                           "Number(document.getElementById('live-stats').dataset.modes) === 8", timeout=180_000)
    reached = page.evaluate("performance.now()")
    drawn = int(page.get_attribute("#heat", "data-drawn"))
    first = float(page.get_attribute("#heat", "data-first-drawn-ms"))
    step = int(page.get_attribute("#heat", "data-step"))
    print(f"\nbenchmark: ring8 8/8 modes on screen {(reached - started) / 1000:.1f} s after Start (step {step}); "
          f"{drawn} frames drawn, {drawn / max((reached - first) / 1000, 1e-9):.1f} frames/s after the first")
    stopped(page)
    assert page.errors == []


@needs_chromium
def test_the_three_views_page_trains_all_three_side_by_side(server, page):
    page.goto(server + "views")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("input[name=steps]", "3000")
    page.click("#views-start")
    for i in range(3):
        page.wait_for_function(f"Number(document.getElementById('view-{i}')?.dataset.frames) >= 3", timeout=120_000)
    views = page.eval_on_selector_all("section.view", "sections => sections.map(s => s.dataset.view)")
    assert views == ["generator alone", "discriminator alone", "generator + discriminator"]
    drawn = [set(page.get_attribute(f"#view-{i}", "data-drawn").split(",")) for i in range(3)]
    assert {"reconstructions", "manifold"} <= drawn[0] and "heat" not in drawn[0]
    assert {"heat", "pushes", "buffer", "believed"} <= drawn[1]
    assert {"heat", "pushes", "manifold", "believed"} <= drawn[2]  # believed: argmax D(x) from noise on the GAN's D
    titles = page.eval_on_selector_all("section.view h2", "titles => titles.map(h => h.textContent)")
    assert all("LECTURE §" in title for title in titles)  # each panel tied to the lecture's argument
    if SCREENSHOTS:  # for the docs: far enough along that the three have taken shape
        page.wait_for_function("Number(document.getElementById('view-2').dataset.frames) >= 60", timeout=180_000)
        screenshot(page, "views")
    page.click("#views-stop")
    page.wait_for_function("document.getElementById('views-status').dataset.states.split(',')"
                           ".every(s => s === 'stopped' || s === 'finished')", timeout=60_000)
    assert page.errors == []


@needs_fashion
@needs_chromium
def test_a_real_data_run_streams_new_grids_and_fid_and_stops_and_resumes(server, page, runs_dir):
    page.goto(server + "live")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#real-form input[name=steps]", "2000")
    page.click("#real-start")
    page.wait_for_selector("#real-samples img", timeout=120_000)
    first = page.get_attribute("#real-samples", "data-grid")
    page.wait_for_function(f"document.getElementById('real-samples').dataset.grid !== {first!r} && "
                           "Number(document.getElementById('real-fid').dataset.points) >= 1", timeout=300_000)
    page.wait_for_function("document.querySelector('#real-samples img').naturalWidth > 0",
                           timeout=30_000)  # the new grid is served and drawn
    run = page.get_attribute("#live-status", "data-run")
    assert run.startswith("live/fashion-mnist-")
    stopped(page)
    step = int(page.inner_text("#live-status").split("step ")[1].split(" ")[0])
    page.fill("#resume-steps", str(step + 20))
    page.click("#real-resume")
    page.wait_for_function(f"document.getElementById('live-status').dataset.state === 'finished' && "
                           f"document.getElementById('live-status').textContent.includes('step {step + 20} of')",
                           timeout=300_000)
    assert page.get_attribute("#live-status", "data-run") == run  # the same run folder, trained on
    assert page.errors == []
