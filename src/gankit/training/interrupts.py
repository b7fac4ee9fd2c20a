"""Ctrl-C as a request, not a crash: the loop finishes its iteration and checkpoints."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def stop_on_sigint(request_stop: Callable[[], None], stop_requested: Callable[[], bool]) -> Iterator[None]:
    """First Ctrl-C calls `request_stop`; a second one, while the stop is pending, aborts at once.

    Signal handlers can only be set from the main thread; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        if stop_requested():
            raise KeyboardInterrupt
        request_stop()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
