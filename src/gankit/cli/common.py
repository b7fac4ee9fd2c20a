"""What several commands share: the exit code for Ctrl-C, `--set` parsing, deprecated option names, choices
read from a registry and the bar of an energy model's sampling."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from gankit.errors import GankitError

if TYPE_CHECKING:  # `gankit --help` imports no torch
    from gankit.samplers.langevin import Progress

INTERRUPTED_EXIT = 130  # the shell's convention for "stopped by Ctrl-C"


def parse_sets(assignments: tuple[str, ...], option: str = "--set", example: str = "train.log_every=10",
               ) -> dict[str, str]:
    """`--set KEY=VALUE` pairs (or another option's) as a dict of dotted keys."""
    parsed = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep:
            raise GankitError(f"{option} expects KEY=VALUE (e.g. {example}), got {item!r}")
        parsed[key.strip()] = value
    return parsed


@contextmanager
def sampling_bar(run: Any, n: int) -> Iterator[Progress | None]:
    """A bar of the Langevin steps while an energy model draws n samples (all its chains move together, so a
    sample's cost is every step: half an hour for 10 000 of `drl`'s on 2 cores); None for a generator, whose
    one forward pass needs none."""
    if not run.algorithm.sampling_gradient_steps:
        yield None
        return
    from tqdm.auto import tqdm

    with tqdm(total=run.algorithm.sampling_gradient_steps, desc=f"sampling {n:,} by Langevin", unit="step",
              file=sys.stderr, leave=False) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield progress


def deprecated(old: str, new: str) -> None:
    """One line on stderr for an option renamed in gankit 0.2 (the old name still works for one release)."""
    click.echo(f"gankit: {old} is now {new}; the old name goes in the next release", err=True)


class LiveChoice(click.Choice):
    """A click choice whose names are read when parsed, not when the command is defined, so an entry registered
    later (a plug-in, a test) is accepted and listed like the built-in ones."""

    def __init__(self, names: Callable[[], Sequence[str]]) -> None:
        super().__init__([])
        self._names = names

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        return list(self._names())

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:  # click's __init__ sets it; the registry is the source
        pass
