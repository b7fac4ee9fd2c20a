import json
import time

import pytest

from gankit.errors import GankitError
from gankit.serve.live import Busy, Live
from gankit.serve.runs import RunsDir
from gankit.serve.settings import DRAWN_FILE, LiveSettings, three_views


def wait_for(check, timeout_s=60.0, what="the condition"):
    deadline = time.monotonic() + timeout_s
    while not (found := check()):
        assert time.monotonic() < deadline, f"no {what} within {timeout_s} s"
        time.sleep(0.02)
    return found


@pytest.fixture
def live(tmp_path):
    (tmp_path / "runs").mkdir()
    slot = Live(RunsDir.at(tmp_path / "runs"))
    yield slot
    slot.close()


def test_paused_one_update_moves_exactly_that_network_once(live):
    run = live.start(LiveSettings(steps=5000, seed=2))
    wait_for(lambda: run.frames >= 1, what="first frame")
    with pytest.raises(Busy, match="pause first"):
        run.step_phase("discriminator")
    run.pause()
    wait_for(lambda: run.state == "paused", what="pause")
    before, step = run.frame, run.step
    assert before is not None and before["step"] == step  # the frame of the step it paused at
    run.step_phase("discriminator")
    wait_for(lambda: run.frame is not before, what="frame after the D update")
    after_d = run.frame
    assert after_d["updates"] == {"discriminator": before["updates"]["discriminator"] + 1,
                                  "generator": before["updates"]["generator"]}
    assert after_d["negatives"] == before["negatives"]  # G fixed: the same z gives the same samples
    assert after_d["scores"] != before["scores"] and after_d["pushes"] != before["pushes"]  # D moved
    run.step_phase("generator")
    wait_for(lambda: run.frame is not after_d, what="frame after the G update")
    after_g = run.frame
    assert after_g["updates"]["generator"] == before["updates"]["generator"] + 1
    assert after_g["scores"] == after_d["scores"] and after_g["negatives"] != after_d["negatives"]
    assert run.step == step and after_g["step"] == step  # one-phase updates are outside the iteration count
    with pytest.raises(GankitError, match="phase: unknown 'critic'"):
        run.step_phase("critic")
    run.play()
    wait_for(lambda: run.step > step, what="training on after play")
    live.stop()
    wait_for(lambda: not run.alive, what="the end")
    assert run.state == "stopped"
    with pytest.raises(Busy, match="cannot pause: the live run is stopped"):
        run.pause()


def test_every_watcher_gets_the_same_bytes_encoded_once_per_version(live):
    run = live.start(LiveSettings(steps=5000))
    wait_for(lambda: run.frames >= 1, what="first frame")
    run.pause()
    wait_for(lambda: run.state == "paused", what="pause")
    first = run.encoded()
    assert run.encoded() is first  # a second tab: no new encoding, nothing asked of the trainer
    state = json.loads(first)
    assert state["phases"] == ["discriminator", "generator"] and state["version"] == run.version
    assert set(state["frame"]["stats"]) == {"modes_captured", "num_modes", "high_quality", "kl", "js"}
    assert len(state["frame"]["manifold"]) == 15 * 15 and len(state["frame"]["pushes"]) == 300
    waited = time.monotonic()
    assert run.encoded(after=run.version, wait_s=0.3) is first  # a long poll with nothing new ends at its limit
    assert time.monotonic() - waited >= 0.25


def test_drawn_points_train_as_the_runs_own_data_file(live):
    points = tuple((round(0.01 * i, 2), 1.0) for i in range(64))
    run = live.start(LiveSettings(data="drawn", points=points, steps=20))
    wait_for(lambda: not run.alive, what="the end")
    assert run.state == "finished", run.error
    lines = (run.folder.root / DRAWN_FILE).read_text().splitlines()
    assert lines[0] == "x,y" and len(lines) == 65 and lines[2] == "0.01,1.0"
    assert run.config.data.name == f"points:{run.folder.root}/{DRAWN_FILE}"
    assert run.data is not None and len(run.data) == 64 and "modes_captured" not in run.frame["stats"]


def test_the_three_views_train_together_each_drawing_its_own_pieces(live):
    runs = live.start_session(three_views(["vae", "ebm", "gan"], "ring8", 30, 0))
    with pytest.raises(Busy, match="stop it first"):
        live.start(LiveSettings())
    for run in runs:
        wait_for(lambda run=run: not run.alive, what=f"the end of {run.settings.algorithm}")
        assert run.state == "finished", run.error
    vae, ebm, gan = (run.frame for run in runs)
    assert [run.public()["view"] for run in runs] == ["generator alone", "discriminator alone",
                                                      "generator + discriminator"]
    assert len(vae["reconstructions"]) == 150 and len(vae["reconstructions"][0]) == 4 and vae["manifold"]
    assert vae["scores"] == [] and vae["believed"] == [] and vae["pushes"] == []  # no D: nothing scores x
    assert len(ebm["remembered"]) == 300 and ebm["believed"] and ebm["manifold"] == []
    assert len(gan["believed"]) == 200 and gan["remembered"] == [] and gan["reconstructions"] == []
    session = json.loads(live.encoded_session())
    assert session["version"] == sum(run.version for run in runs) and len(session["runs"]) == 3


def test_a_stopped_live_run_resumes_from_its_checkpoint_to_more_steps(live):
    first = live.start(LiveSettings(steps=5000))
    wait_for(lambda: first.step >= 5, what="a few steps")
    live.stop()
    wait_for(lambda: not first.alive, what="the stop")
    done, run_id = first.step, live.runs.run_id(first.folder)
    with pytest.raises(GankitError, match=f"has trained {done} steps; resume to more than that"):
        live.resume(run_id, done)
    again = live.resume(run_id, done + 15)
    assert again.folder == first.folder and live.current is again
    wait_for(lambda: not again.alive, what="the resumed run's end")
    assert again.state == "finished" and again.step == done + 15, again.error
    assert again.frame is not None and again.frame["step"] == done + 15  # frames as before, from the same folder


@pytest.mark.slow
def test_benchmark_a_second_page_watching_costs_the_trainer_little(tmp_path):
    """A benchmark line, not an assertion on time: the same 2D run watched by one page, two, then one again, each
    long-polling it over HTTP (the pages' clients are threads of this process here: the line is an upper bound)."""
    import threading
    import urllib.request

    from gankit.serve.server import running

    seconds = {}
    for pages in (1, 2, 1):
        root = tmp_path / f"runs-{len(seconds)}-{pages}"
        root.mkdir()
        with running(root) as url:
            token = json.loads(urllib.request.urlopen(url + "api/token").read())["token"]
            request = urllib.request.Request(url + "api/live", data=json.dumps({"steps": 600}).encode(), method="POST",
                                             headers={"Content-Type": "application/json", "X-Gankit-Token": token})
            started = time.perf_counter()
            urllib.request.urlopen(request).read()
            done = threading.Event()

            def watch(url=url, done=done):
                version = -1
                while not done.is_set():
                    body = urllib.request.urlopen(f"{url}api/live?after={version}", timeout=30).read()
                    version = int(body.split(b'"version": ')[1].split(b",")[0])  # what the page reads back

            watchers = [threading.Thread(target=watch, daemon=True) for _ in range(pages)]
            for watcher in watchers:
                watcher.start()
            wait_for(lambda: json.loads(urllib.request.urlopen(url + "api/live").read())["state"] == "finished",
                     120, "the end")
            seconds[len(seconds), pages] = time.perf_counter() - started
            done.set()
    one = [s for (_, pages), s in seconds.items() if pages == 1]
    two = next(s for (_, pages), s in seconds.items() if pages == 2)
    print(f"\nbenchmark: 600 steps of ring8 on the live page: {one[0]:.1f} s and {one[1]:.1f} s with one page "
          f"watching, {two:.1f} s with two")
