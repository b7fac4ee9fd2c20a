import json

from click.testing import CliRunner

from gankit.cli import main


def test_curves_draws_each_metric_of_each_run_and_names_a_metric_no_run_logged(tmp_path):
    for name, scale in (("a", 1.0), ("b", 2.0)):
        (tmp_path / name).mkdir()
        lines = [json.dumps({"step": step, "loss_d": scale / step}) for step in (1, 2, 3)]
        (tmp_path / name / "metrics.jsonl").write_text("\n".join(lines) + "\n")
    runs = [str(tmp_path / "a"), str(tmp_path / "b")]
    out = tmp_path / "curves.png"
    result = CliRunner().invoke(main, ["plot", "curves", *runs, "--metric", "loss_d", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG") and f"-> {out}" in result.output
    result = CliRunner().invoke(main, ["plot", "curves", *runs, "--metric", "fid", "--out", str(out)])
    assert result.exit_code == 1 and "no run logged 'fid'; logged: loss_d" in result.output
