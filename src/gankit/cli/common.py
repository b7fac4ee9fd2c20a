"""What several commands share: the exit code for Ctrl-C, `--set` parsing and deprecated option names."""

from __future__ import annotations

import click

from gankit.errors import GankitError

INTERRUPTED_EXIT = 130  # the shell's convention for "stopped by Ctrl-C"


def parse_sets(assignments: tuple[str, ...]) -> dict[str, str]:
    """`--set KEY=VALUE` pairs as a dict of dotted keys."""
    parsed = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep:
            raise GankitError(f"--set expects KEY=VALUE (e.g. train.log_every=10), got {item!r}")
        parsed[key.strip()] = value
    return parsed


def deprecated(old: str, new: str) -> None:
    """One line on stderr for an option renamed in gankit 0.2 (the old name still works for one release)."""
    click.echo(f"gankit: {old} is now {new}; the old name goes in the next release", err=True)
