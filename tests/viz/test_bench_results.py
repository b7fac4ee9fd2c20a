from gankit.viz.bench_results import markdown_table


def test_markdown_table_gives_mean_and_std_over_seeds():
    rows = [{"dataset": "ring8", "method": "ns", "seed": s, "modes_captured": m, "high_quality": 0.9,
             "kl_to_uniform": kl, "train_seconds": 10.0} for s, m, kl in ((0, 8, 0.0), (1, 6, float("inf")))]
    table = markdown_table(rows)
    assert "| ring8 | ns | 2 | 7 ± 1.4 | 0.9 ± 0 | 0 ± 0 (1 inf) | 10 ± 0 |" in table
