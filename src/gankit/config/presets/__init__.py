"""Named configs shipped with gankit: the long commands behind the docs' results, as validated YAML files.

`gankit train --preset NAME` starts from one (flags and --set override it), `gankit presets` lists them, and
`--dry-run` marks each value a preset set with its name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gankit.errors import ConfigError

FOLDER = Path(__file__).parent


def preset_names() -> list[str]:
    return sorted(path.stem for path in FOLDER.glob("*.yaml"))


def preset_path(name: str) -> Path:
    """The YAML file of preset `name`; one line naming the presets when there is no such preset."""
    if name not in preset_names():
        raise ConfigError(f"unknown preset {name!r}; valid: {', '.join(preset_names())} (`gankit presets`)")
    return FOLDER / f"{name}.yaml"


def preset_summary(name: str) -> str:
    """What the preset is for: its file's first comment line."""
    first = preset_path(name).read_text(encoding="utf-8").splitlines()[0]
    return first.removeprefix("#").strip()


def preset_sections(name: str, *sections: str) -> dict[str, dict[str, Any]]:
    """The named sections of preset `name` (safe YAML), so that a suite's cell runs what the preset runs."""
    values = yaml.safe_load(preset_path(name).read_text(encoding="utf-8"))
    return {section: dict(values[section]) for section in sections}


__all__ = ["preset_names", "preset_path", "preset_sections", "preset_summary"]
