"""Metrics streamed to metrics.jsonl and TensorBoard; a resume drops lines after its checkpoint."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from gankit.files import naming, write_atomic
from gankit.jsonl import read_jsonl


class Logbook:
    def __init__(self, jsonl_path: Path, tensorboard_dir: Path | None, start_step: int = 0) -> None:
        self.path, self.tensorboard_dir = jsonl_path, tensorboard_dir
        self._open(start_step)

    def _open(self, start_step: int) -> None:
        self._truncate_after(start_step)
        self._file = self.path.open("a")
        self._writer = None
        if self.tensorboard_dir is not None:
            from torch.utils.tensorboard import SummaryWriter

            # purge_step hides events an interrupted run logged after its last checkpoint
            self._writer = SummaryWriter(str(self.tensorboard_dir), purge_step=start_step or None)

    def rewind(self, step: int) -> None:
        """Forget what was logged after `step`: training rolled back to a checkpoint there."""
        self.close()
        self._open(step)

    def _truncate_after(self, step: int) -> None:
        """Keep only lines up to `step`: a run killed after its checkpoint logged steps it will redo."""
        if not self.path.is_file():
            return
        # a half-written last line from a crash is dropped; a kept line is written as write() wrote it
        kept = [json.dumps(record) for record in read_jsonl(self.path).records if record["step"] <= step]
        write_atomic(self.path, "".join(f"{line}\n" for line in kept).encode())

    def write(self, step: int, values: dict[str, Any]) -> None:
        record = {"step": step, **{k: _plain(v) for k, v in values.items()}}
        with naming(self.path):  # a full disk raises here, and the message names the file
            self._file.write(json.dumps(record) + "\n")
            self._file.flush()
        if self._writer is not None:
            for key, value in record.items():
                if key != "step" and isinstance(value, (int, float)) and math.isfinite(value):
                    self._writer.add_scalar(key, value, step)
                elif isinstance(value, str):
                    self._writer.add_text(key, value, step)

    def close(self) -> None:
        self._file.close()
        if self._writer is not None:
            self._writer.close()


class NoLogbook(Logbook):
    """What the processes other than rank 0 of a data-parallel run log to: nothing."""

    def __init__(self) -> None:
        pass

    def rewind(self, step: int) -> None:
        pass

    def write(self, step: int, values: dict[str, Any]) -> None:
        pass

    def close(self) -> None:
        pass


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN/inf
    return value


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """The readable lines of a metrics.jsonl (a torn or blank line is skipped)."""
    return read_jsonl(path).records
