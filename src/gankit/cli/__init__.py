"""The `gankit` command: parse, build a config, call the library. Errors print one line, never a traceback.

One module per command group; each imports only what `--help` needs (no torch), the work happens inside.

May import (the layers below it, `lint-imports`): serve, benchmark, api, environment, training, viz, algorithms,
metrics, nets, objectives, samplers, data, config, registry, version, jsonl, world, files, errors.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import click

from gankit import environment
from gankit.cli import bench, data, diagnose, evaluate, features, plot, report, sample, serve, train
from gankit.cli.common import INTERRUPTED_EXIT
from gankit.errors import GankitError

ERROR_EXIT = 1  # every user error: bad flag values, unknown commands, bad config, missing files


def _one_line_warning(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    click.echo(f"gankit: {message}", err=True)


def _failure_line(err: BaseException) -> str:
    """An exception no check foresaw, as one line that says what kind of failure it is."""
    text = " ".join(str(err).split())[:300]
    if isinstance(err, MemoryError) or "allocate" in text.lower() and isinstance(err, RuntimeError):
        return f"not enough memory for what was asked ({text or 'MemoryError'}); try smaller sizes"
    if isinstance(err, RecursionError):
        return "an input is nested too deeply to read"
    if isinstance(err, UnicodeDecodeError):
        return f"a file is not UTF-8 text ({text})"
    if isinstance(err, OverflowError):
        return f"a number is too large ({text})"
    if isinstance(err, RuntimeError) and "gloo" in text and "by peer" in text:  # --nproc: another process ended
        return "lost contact with another process of this run, which stopped (its own message says why)"
    if isinstance(err, OSError):
        where = f" {err.filename}" if err.filename else ""
        return f"cannot use{where} ({err.strerror or text})"
    return f"{type(err).__name__}: {text}"


def _usage_line(err: click.UsageError) -> str:
    """click's usage error as one line that names the problem (and the valid choices) and where help is."""
    where = f" (see `{err.ctx.command_path} --help`)" if err.ctx is not None else ""
    return " ".join(err.format_message().split()) + where


class Gankit(click.Group):
    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """click's main, with every error as one line and exit 1 (click's usage errors would print a usage
        block and exit 2), and an abort by a second Ctrl-C as one line and exit 130."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as err:
            click.echo(f"Error: {_usage_line(err)}", err=True)
            sys.exit(ERROR_EXIT)
        except click.ClickException as err:
            click.echo(f"Error: {' '.join(err.format_message().split())}", err=True)
            sys.exit(ERROR_EXIT)
        except (click.Abort, KeyboardInterrupt):
            click.echo("gankit: stopped by Ctrl-C before a checkpoint could be taken, or at once by a second one; "
                       "what was checkpointed is kept (`gankit resume RUN` continues a run)", err=True)
            sys.exit(INTERRUPTED_EXIT)
        except Exception as err:  # the one boundary: no traceback reaches a user unless asked for
            if environment.debug():
                raise
            click.echo(f"Error: {_failure_line(err)} (set {environment.DEBUG_VARIABLE}=1 to see the traceback)",
                       err=True)
            sys.exit(ERROR_EXIT)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        warnings.showwarning = _one_line_warning  # deprecations and notices as one line each
        try:
            return super().invoke(ctx)
        except GankitError as err:
            raise click.ClickException(str(err)) from None


@click.group(cls=Gankit, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gankit")
def main() -> None:
    """Train, sample and evaluate generative models the way the "Introduction to GAN" lecture lays them out."""


for _module in (train, sample, evaluate, diagnose, data, features, bench, report, plot, serve):
    for _command in _module.COMMANDS:
        main.add_command(_command)

def entry() -> None:
    """The `gankit` command (and `python -m gankit`): `main`, then a fast exit. Everything a command writes
    is written whole and closed before it returns, so the process leaves at once rather than spending a
    second or more tearing down torch's modules (`python bench/interrupts.py` times it): a Ctrl-C ends
    within about a second of its checkpoint. A traceback asked for (GANKIT_DEBUG=1) still shows."""
    try:
        main()
        code = 0
    except SystemExit as done:
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
        code = done.code if isinstance(done.code, int) else int(done.code is not None)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


__all__ = ["ERROR_EXIT", "INTERRUPTED_EXIT", "entry", "main"]
