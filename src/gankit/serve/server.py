"""Running the app under uvicorn: in the foreground (`gankit serve`) or in a thread (tests, screenshots).

The socket is bound here, before uvicorn starts, so port 0 gets a free port and the URL printed is the
one that answers.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from gankit.errors import GankitError
from gankit.serve.app import create_app

LOCAL = "127.0.0.1"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise GankitError(f"cannot listen on {host}:{port} ({err.strerror or err})") from None
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1"]  # the Host names a loopback server answers


def _server(runs_dir: str | Path, sock: socket.socket) -> uvicorn.Server:
    host = sock.getsockname()[0]
    hosts = LOOPBACK_NAMES if is_loopback(host) else None  # elsewhere the names it is reached by are unknown
    config = uvicorn.Config(create_app(runs_dir, hosts), log_level="warning", access_log=False, lifespan="on")
    return uvicorn.Server(config)


def serve(runs_dir: str | Path, sock: socket.socket) -> None:
    """Serve until Ctrl-C (uvicorn's own handling: the live run, if any, checkpoints on the way out)."""
    _server(runs_dir, sock).run(sockets=[sock])


@contextmanager
def running(runs_dir: str | Path, host: str = LOCAL, port: int = 0, timeout_s: float = 20.0) -> Iterator[str]:
    """The app served from a thread for the duration of the block; yields its URL."""
    sock = bind(host, port)
    server = _server(runs_dir, sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="gankit-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise GankitError("the server did not start")
        time.sleep(0.02)
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout_s)
        sock.close()
