"""The docs cannot drift from the code: the generated reference pages are what scripts/reference.py writes now,
every CLI option and config key has an entry, and the README stays short with links that resolve."""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest

from gankit.cli import main as cli_main
from gankit.config import schema

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("gankit_docs_reference", ROOT / "scripts" / "reference.py")
assert _spec is not None and _spec.loader is not None
reference = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = reference
_spec.loader.exec_module(reference)


def _sections(page: str) -> dict[str, str]:
    """A reference page's text under each '## `NAME`' heading, by NAME."""
    parts = re.split(r"^## `([^`]+)`\s*$", page, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def missing_cli_entries(page: str, group: click.Group = cli_main) -> list[str]:
    """'COMMAND FLAG' for every command without a section in the CLI page and every option flag (hidden ones
    too) that its command's section does not name."""
    sections = _sections(page)
    missing = []
    for path, command, _ in reference.walk_commands(group):
        if path not in sections:
            missing.append(path)
            continue
        for param in command.params:
            if isinstance(param, click.Option):
                missing += [f"{path} {flag}" for flag in reference.option_flags(param)
                            if f"`{flag}`" not in sections[path]]
    return missing


def missing_config_entries(page: str, config_cls: type | None = None) -> list[str]:
    """Every dotted config key that has no row in its section of the config page."""
    sections = _sections(page)
    return [key for key in reference.config_keys(config_cls)
            if f"| `{key}` |" not in sections.get(key.split(".")[0], "")]


def test_generated_reference_pages_are_current():
    for path, text in reference.pages().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.relative_to(ROOT)} is stale: run `python scripts/reference.py` and commit the result")


def test_every_cli_option_is_in_the_reference():
    assert missing_cli_entries(reference.CLI_PAGE.read_text(encoding="utf-8")) == []


def test_every_config_key_is_in_the_reference():
    assert missing_config_entries(reference.CONFIG_PAGE.read_text(encoding="utf-8")) == []


def test_an_undocumented_cli_option_fails_the_reference_checks(monkeypatch):
    """A new option added without regenerating the page is caught by both checks above."""
    train = cli_main.commands["train"]
    fake = click.Option(["--fake-flag"], help="An option the committed page has never seen.")
    monkeypatch.setattr(train, "params", [*train.params, fake])
    committed = reference.CLI_PAGE.read_text(encoding="utf-8")
    assert missing_cli_entries(committed) == ["gankit train --fake-flag"]
    assert reference.cli_markdown() != committed
    assert missing_cli_entries(reference.cli_markdown()) == []  # regenerating documents it


@dataclass
class _TrainWithFakeKey(schema.TrainConfig):
    fake_key: int = 7
    """A key the committed page has never seen."""


@dataclass
class _ConfigWithFakeKey(schema.Config):
    train: _TrainWithFakeKey = field(default_factory=_TrainWithFakeKey)


@dataclass
class _TrainWithUndocumentedKey(schema.TrainConfig):
    undocumented_key: int = 7


@dataclass
class _ConfigWithUndocumentedKey(schema.Config):
    train: _TrainWithUndocumentedKey = field(default_factory=_TrainWithUndocumentedKey)


def test_an_undocumented_config_key_fails_the_reference_checks(monkeypatch):
    """A new schema field added without regenerating the page is caught by both checks above."""
    monkeypatch.setattr("gankit.config.Config", _ConfigWithFakeKey)
    committed = reference.CONFIG_PAGE.read_text(encoding="utf-8")
    assert missing_config_entries(committed) == ["train.fake_key"]
    regenerated = reference.config_markdown()
    assert regenerated != committed
    assert "| `train.fake_key` | `int` | `7` | A key the committed page has never seen. |" in regenerated


def test_a_config_key_without_a_docstring_cannot_be_generated(monkeypatch):
    monkeypatch.setattr("gankit.config.Config", _ConfigWithUndocumentedKey)
    with pytest.raises(ValueError, match="train.undocumented_key"):
        reference.config_markdown()


def _heading_anchors(page: str) -> set[str]:
    """The anchors of a Markdown page's headings that both GitHub and the docs site (Python-Markdown's toc) give
    the same way: a link into the docs from the README must work in both places."""
    slugify = pytest.importorskip("markdown.extensions.toc").slugify

    anchors = set()
    for heading in re.findall(r"^#{1,6} (.+?)\s*$", re.sub(r"^```.*?^```", "", page, flags=re.M | re.S), flags=re.M):
        text = heading.replace("`", "")
        github = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        if github == slugify(text, "-"):
            anchors.add(github)
    return anchors


def test_readme_is_short_and_its_links_resolve():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    first_command = "bash scripts/setup && .venv/bin/gankit train --data ring8 --steps 3000"
    assert readme.startswith(f"# gankit\n\n```bash\n{first_command}")  # the set-up commands stay first
    for target, anchor in re.findall(r"\]\(([^)#\s]+)(?:#([^)\s]*))?\)", readme):
        if target.startswith(("http://", "https://")):
            continue
        assert (ROOT / target).exists(), f"README links to {target}, which does not exist"
        if anchor:
            assert anchor in _heading_anchors((ROOT / target).read_text(encoding="utf-8")), (
                f"README links to {target}#{anchor}, a heading that GitHub or the docs site does not have")
