"""Reading a JSON-lines file that a crash may have torn: unreadable lines are skipped and described, never fatal.

The logbook (on resume), the bench (FID along training) and the report read metrics.jsonl through this one
reader, so that they agree on what a damaged line is.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard


@dataclass
class JsonLines:
    """The records a JSON-lines file holds, and (line number, why) for each line it skipped."""

    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (7, "not JSON (Expecting value ...)")


def finite_number(value: Any) -> TypeGuard[int | float]:
    """An int or float that is not NaN or infinite (a bool is not a number here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def read_jsonl(path: Path, numbers: tuple[str, ...] = ("step",)) -> JsonLines:
    """Each line of `path` that is a JSON object with a finite number under every key of `numbers`.

    A torn or blank line (what a crash or an editor leaves), a line that is not UTF-8, and one that lacks a
    number are skipped, each with a note. Raises OSError only when the file itself cannot be read.
    """
    lines = JsonLines()
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        record, problem = _parse(raw, numbers)
        if record is None:
            lines.skipped.append((number, problem))
        else:
            lines.records.append(record)
    return lines


def _parse(raw: bytes, numbers: tuple[str, ...]) -> tuple[dict[str, Any] | None, str]:
    if not raw.strip():
        return None, "blank"
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as err:
        return None, f"not JSON ({err.msg} at character {err.pos + 1})"
    except UnicodeDecodeError as err:
        return None, f"not UTF-8 ({err.reason} at byte {err.start + 1})"
    except ValueError as err:  # e.g. an integer of more digits than Python converts
        return None, f"not JSON ({err})"
    if not isinstance(value, dict):
        return None, f"a JSON {type(value).__name__}, not an object"
    missing = [key for key in numbers if not finite_number(value.get(key))]
    if missing:
        return None, f"no number under {', '.join(map(repr, missing))}"
    return value, ""
