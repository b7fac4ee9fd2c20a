

def test_one_reader_skips_torn_lines_for_the_bench_and_the_logbook(tmp_path):
    from gankit.benchmark.runner import evaluation_curve
    from gankit.jsonl import read_jsonl
    from gankit.training.logbook import Logbook

    lines = ['{"step": 10, "eval/fid": 30.0}', "", "[1, 2]", '{"eval/fid": 9}', '{"step": 20, "eval/fid": 20.0}',
             '{"step": 30, "eval/fid": 1']  # blank, not an object, no step, then a line a crash tore
    (tmp_path / "metrics.jsonl").write_text("\n".join(lines))
    assert read_jsonl(tmp_path / "metrics.jsonl").skipped == [
        (2, "blank"), (3, "a JSON list, not an object"), (4, "no number under 'step'"),
        (6, "not JSON (Expecting ',' delimiter at character 27)")]
    assert evaluation_curve(tmp_path) == [{"step": 10, "fid": 30.0}, {"step": 20, "fid": 20.0}]
    Logbook(tmp_path / "metrics.jsonl", None, start_step=15).close()  # what a resume from step 15 does
    assert (tmp_path / "metrics.jsonl").read_text() == '{"step": 10, "eval/fid": 30.0}\n'
