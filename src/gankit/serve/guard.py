"""What keeps a local web server local: the Host header checked (DNS rebinding), a same-origin token on every
state-changing request (another site's form cannot stop a live run), and headers that stop the browser from
guessing types or running anything but the page's own scripts.

A pure ASGI middleware: every refusal is one line of JSON with a 4xx, like the app's own errors.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
App = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

TOKEN_HEADER = "x-gankit-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_BODY = 1 << 20  # bytes a request body may hold: 5 000 drawn points are about 100 kB of JSON
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    # style attributes are set by the pages' own script; scripts come from the server alone; 'wasm-unsafe-eval'
    # lets onnxruntime-web compile its WebAssembly (served from here), and allows no JavaScript eval
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                                 b"script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; frame-ancestors 'none'; "
                                 b"form-action 'none'"),
    (b"referrer-policy", b"no-referrer"),
]


def host_name(header: str) -> str:
    """The name in a Host header, without its port: `[::1]:8000` -> `::1`, `localhost:8000` -> `localhost`."""
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class Guard:
    def __init__(self, app: App, token: str, allowed_hosts: list[str] | None) -> None:
        self.app, self.token, self.allowed_hosts = app, token, allowed_hosts

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        refusal = None
        if self.allowed_hosts is not None and host_name(headers.get("host", "")) not in self.allowed_hosts:
            refusal = (400, "this server answers only to its own name (Host header refused)")
        elif scope["method"] not in SAFE_METHODS and not secrets.compare_digest(headers.get(TOKEN_HEADER, ""),
                                                                                self.token):
            refusal = (403, "a request that changes something needs the page's token (X-Gankit-Token header)")
        elif scope["method"] not in SAFE_METHODS and not headers.get("content-length", "").isdigit():
            refusal = (411, "a request that changes something must say its length (Content-Length header)")
        elif scope["method"] not in SAFE_METHODS and int(headers["content-length"]) > MAX_BODY:
            refusal = (413, f"the request body is {int(headers['content-length']):,} bytes; at most {MAX_BODY:,}")
        if refusal is not None:
            body = json.dumps({"error": refusal[1]}).encode()
            await send({"type": "http.response.start", "status": refusal[0],
                        "headers": [(b"content-type", b"application/json"), *SECURITY_HEADERS]})
            await send({"type": "http.response.body", "body": body})
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, secured)


def new_token() -> str:
    return secrets.token_urlsafe(24)
