import html
import json

import pytest
from click.testing import CliRunner

import gankit
import gankit.api
from conftest import needs_chromium, render, small, tiny_config
from gankit.benchmark.suites import suite_cells
from gankit.cli import main


@needs_chromium
def test_run_reports_open_in_chromium_with_every_image_and_no_console_error(tmp_path):
    gankit.train(tiny_config(tmp_path / "ebm", model={"algorithm": "ebm"}, ebm={"buffer_size": 100,
                                                                               "langevin_steps": 3}))
    gankit.train(tiny_config(tmp_path / "vae", data={"name": "digits"}, model={"algorithm": "vae", "width": 8},
                             train={"batch_size": 16}))
    for name, least in (("ebm", 4), ("vae", 4)):
        result = CliRunner().invoke(main, ["report", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        page = (tmp_path / name / "report.html").read_text()
        assert "src=\"data:image/" in page and "file://" not in page  # self-contained
        loaded, console = render(tmp_path / name / "report.html")
        total = loaded.split("/")[1]
        assert loaded == f"{total}/{total}" and int(total) >= least and console == [], (loaded, console)
    assert "landscape" in (tmp_path / "ebm" / "report.html").read_text()
    broken = tmp_path / "broken.html"
    broken.write_text('<html><body><img src="missing.png"><script>undefinedFunction();</script></body></html>')
    assert render(broken)[1]  # the check does see console errors
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code != 0 and "neither a run folder" in result.output


def append(path, text):
    with path.open("a") as f:
        f.write(text)


def edit_json(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))

DAMAGED = {  # what a crash, a full disk or a hand edit leaves: (folder, damage, what the page says it skipped)
    "torn metrics line": ("run", lambda f: append(f / "metrics.jsonl", '{"step": 25, "loss_d": 0.'),
                          "could not read metrics.jsonl line 5: not JSON"),
    "blank metrics line": ("run", lambda f: append(f / "metrics.jsonl", "\n"), "metrics.jsonl line 5: blank"),
    "metrics line without a step": ("run", lambda f: append(f / "metrics.jsonl", '{"loss_d": 0.3}\n'),
                                    "metrics.jsonl line 5: no number under 'step'"),
    "NaN values": ("run", lambda f: append(f / "metrics.jsonl", '{"step": 25, "loss_d": NaN, "loss_g": Infinity}\n'),
                   "values of loss_g in metrics.jsonl: not a finite number (e.g. inf)"),
    "non-numeric metric value": ("run", lambda f: append(f / "metrics.jsonl", '{"step": 25, "loss_d": "<b>x</b>"}\n'),
                                 "values of loss_d in metrics.jsonl: not a finite number (e.g. '<b>x</b>')"),
    "corrupt run.json": ("run", lambda f: (f / "run.json").write_text('{"data": {"name": "ri'),
                         "could not read run.json: Unterminated string"),
    "corrupt eval card": ("run", lambda f: (f / "eval-step00000020.json").write_text('{"fid": 3'),
                          "could not read eval-step00000020.json: Expecting"),
    "config.yaml that is a list": ("run", lambda f: (f / "config.yaml").write_text("- model\n- train\n"),
                                   "could not read config.yaml: a list, not a mapping of sections"),
    "non-UTF-8 config.yaml": ("run", lambda f: (f / "config.yaml").write_bytes(b"# caf\xe9 (Latin-1)\n"),
                              "could not read all of config.yaml: byte 6 is not UTF-8"),
    "modes.json not an object": ("run", lambda f: (f / "modes.json").write_text("[8, 0.9]"),
                                 "could not read modes.json: a JSON list, not an object"),
    "corrupt bench.json": ("bench", lambda f: (f / "bench.json").write_text('{"suite": "modes", "rows": [{'),
                           "could not read bench.json: Expecting"),
    "ragged results.md table": ("bench", lambda f: append(f / "results.md", "| ring8 | wgan | 1 |\n"),
                                "could not read a row of results.md: 3 cells under 7 headings"),
    "bench row missing keys": ("bench", lambda f: edit_json(f / "bench.json", lambda m: m["rows"].append({"seed": 1})),
                               "could not read row 2 of bench.json: no dataset or method"),
    "missing plot file": ("bench", lambda f: edit_json(f / "bench.json", lambda m: m.update(plots=["fid-vs-step.png"])),
                          "could not read plots/fid-vs-step.png: no such file"),
    "non-numeric wall-clock": ("bench", lambda f: edit_json(f / "bench.json", lambda m: m.update(wall_seconds="<i>")),
                               "could not read the wall-clock in bench.json: '<i>' is not a number"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", DAMAGED)
def test_report_of_a_damaged_folder_skips_what_it_cannot_read_says_so_and_builds_the_rest(tmp_path, monkeypatch,
                                                                                           case):
    import gankit.benchmark.runner as runner

    kind, damage, skipped = DAMAGED[case]
    if kind == "run":
        folder = gankit.train(tiny_config(tmp_path / "r")).run_dir
    else:
        monkeypatch.setattr(runner, "suite_cells", lambda *args: [small(suite_cells("modes", "smoke")[1])])
        folder = tmp_path / "bench"
        runner.run_suite("modes", "smoke", folder, progress=False)
    damage(folder)
    result = CliRunner().invoke(main, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    page = (folder / "report.html").read_text()
    assert skipped in html.unescape(page), page[:3000]
    assert "<b>" not in page and "<i>" not in page and page.count("<script>") == 1  # user strings stay text
    rest = "<h2>Training curves</h2>" if kind == "run" else "<figcaption>ring8 / ns / seed 0</figcaption>"
    assert rest in page and 'src="data:image/png' in page
