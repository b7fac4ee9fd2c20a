import json
import math

from gankit.training.logbook import Logbook, read_metrics


def test_a_resumed_logbook_drops_the_steps_after_its_checkpoint_and_keeps_nan_as_text(tmp_path):
    path = tmp_path / "metrics.jsonl"
    log = Logbook(path, None)
    for step in (1, 2, 3):
        log.write(step, {"loss_d": 1.0 / step})
    log.close()
    with path.open("a") as file:
        file.write('{"step": 4, "loss')  # a line torn by a crash
    log = Logbook(path, None, start_step=2)
    log.write(3, {"loss_d": math.nan})
    log.rewind(1)
    log.write(2, {"loss_d": 0.25})
    log.close()
    assert read_metrics(path) == [{"step": 1, "loss_d": 1.0}, {"step": 2, "loss_d": 0.25}]
    log = Logbook(path, None, start_step=5)
    log.write(6, {"loss_d": math.inf})
    log.close()
    assert json.loads(path.read_text().splitlines()[-1]) == {"step": 6, "loss_d": "inf"}
