"""One self-contained HTML page (images inlined, a check that they decode), and reading the files of a folder
that a crash or an edit may have damaged: each problem costs its own part of the page and a note at its top."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import yaml

from gankit.files import inside
from gankit.viz.figures import Figure, figure_png

# After loading, the page counts its images that decoded; tests read data-images-ok from the DOM.
CHECK_IMAGES = """<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const ok = images.filter(i => i.complete && i.naturalWidth > 0).length;
  document.body.dataset.imagesOk = ok + "/" + images.length;
});
</script>"""
STYLE = """<style>
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f3f3f3; } img { max-width: 100%; } figure { margin: 1em 0; }
figcaption { color: #555; font-size: 0.9em; } pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; }
.skipped { background: #fff4e0; border: 1px solid #e0a040; padding: 0 1em; }
.views { display: flex; gap: 1em; } .view { flex: 1; }
</style>"""


def inline(path: Path) -> str:
    kind = "gif" if path.suffix == ".gif" else "png"
    return f"data:image/{kind};base64," + base64.b64encode(path.read_bytes()).decode()


def figure(source: str, caption: str) -> str:
    text = html.escape(caption)
    return f'<figure><img src="{source}" alt="{text}"><figcaption>{text}</figcaption></figure>'


def plot(fig: Figure) -> str:
    return "data:image/png;base64," + base64.b64encode(figure_png(fig)).decode()


def table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    keys = list(rows[0])
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(fmt(r.get(k)))}</td>" for k in keys) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def note(notes: list[str], what: str, reason: object) -> None:
    """One "could not read X: reason" line for the top of the page (a YAML error's lines joined, kept short)."""
    text = " ".join(str(reason).split())
    notes.append(f"could not read {what}: {text[:300]}")


def reason(err: Exception) -> str:
    return err.strerror if isinstance(err, OSError) and err.strerror else str(err)


def ours(folder: Path, name: str, notes: list[str]) -> bool:
    """Whether FOLDER/name is the folder's own file: a link out of it is never read (a shared report would
    carry that file's bytes), and says so in a note."""
    if inside(folder, folder / name):
        return True
    note(notes, name, "a link to outside the folder, not read")
    return False


def read_text(folder: Path, name: str, notes: list[str]) -> str | None:
    """A text file; bytes that are not UTF-8 show as U+FFFD (with a note), an unreadable file gives None."""
    if not ours(folder, name, notes):
        return None
    try:
        data = (folder / name).read_bytes()
    except OSError as err:
        note(notes, name, reason(err))
        return None
    try:
        return data.decode()
    except UnicodeDecodeError as err:
        note(notes, f"all of {name}", f"byte {err.start + 1} is not UTF-8 (such bytes show as \ufffd)")
        return data.decode(errors="replace")


def read_object(folder: Path, name: str, notes: list[str]) -> dict[str, Any] | None:
    """A JSON file that should hold an object; None (and a note) when it is torn, not UTF-8 or something else."""
    if not ours(folder, name, notes):
        return None
    try:
        value = json.loads((folder / name).read_bytes())
    except (OSError, ValueError) as err:  # ValueError: torn JSON, or bytes that are not UTF-8
        note(notes, name, reason(err))
        return None
    if not isinstance(value, dict):
        note(notes, name, f"a JSON {type(value).__name__}, not an object")
        return None
    return value


def read_sections(config: str, notes: list[str]) -> dict[str, Any]:
    """config.yaml's sections, or {} (and a note) when it is not YAML or not a mapping of sections."""
    try:
        sections = yaml.safe_load(config)
    except yaml.YAMLError as err:
        note(notes, "config.yaml", err)
        return {}
    if not isinstance(sections, dict):
        note(notes, "config.yaml", f"a {type(sections).__name__}, not a mapping of sections")
        return {}
    return sections


def skipped(notes: list[str]) -> str:
    """What the page left out, at its top, so that a partial page says that it is partial."""
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    return f'<div class="skipped"><h2>Skipped</h2><ul>{items}</ul></div>'


def document(title: str, parts: list[str], notes: list[str]) -> str:
    body = [parts[0], skipped(notes), *parts[1:]]  # the heading, then what could not be read
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"{STYLE}</head><body>\n" + "\n".join(body) + f"\n{CHECK_IMAGES}\n</body></html>\n")
