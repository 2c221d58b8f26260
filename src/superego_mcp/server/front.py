"""The one layer an agent's hook call passes through: the guards and the answer in one step.

Every agent tool call is a ``POST`` to a hook route, so the server's cost per call is mostly
the layers around the answer. :class:`HookFront` sits outside the whole app (outside
FastAPI's own error, telemetry and body-limit layers too) and, for a hook ``POST`` that every
guard lets through, does in one pass what the middleware chain does (request id and duration,
``Host`` check, bearer token, declared body size) and answers it. Anything else, and any
request a guard would refuse or that needs more than this (an ``Origin`` header, a chunked or
oversized body, ``Expect``), goes to the app's full chain unchanged, which refuses or answers
it exactly as before: the guards' logic lives in their classes (``hosts``, ``auth``,
``audit_routes.RequestContext``) and is called from here, not copied.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping

from starlette.types import ASGIApp, Receive, Scope, Send

from superego_mcp.logs import request_id
from superego_mcp.server.audit_routes import RequestContext
from superego_mcp.server.auth import BearerAuth
from superego_mcp.server.hosts import HostOriginGuard

# Headers that send a hook request the long way: the full chain handles what they ask for.
_LONG_WAY = frozenset({b"origin", b"transfer-encoding", b"expect"})


async def whole_body(receive: Receive) -> bytes | None:
    """The request's whole body, or None when the client went away before sending it."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


async def send_json(send: Send, data: bytes, *headers: tuple[bytes, bytes]) -> None:
    """Answer 200 with the JSON ``data`` (and any further ``headers``)."""
    start = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(data))]
    await send({"type": "http.response.start", "status": 200, "headers": [*start, *headers]})
    await send({"type": "http.response.body", "body": data})


class HookFront:
    """Pure ASGI (see the module docstring): answers clean hook ``POST`` requests itself,
    hands everything else to ``app``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        answers: Mapping[str, Callable[[bytes], Awaitable[bytes]]],
        context: RequestContext,
        hosts: HostOriginGuard,
        auth: BearerAuth | None,
        max_bytes: int,
    ) -> None:
        """Wrap ``app``; ``answers`` maps each hook path to its answer for a body; the
        guards are the chain's own (their settings and checks)."""
        self.app = app
        self.answers = dict(answers)
        self.context = context
        self.hosts = hosts
        self.auth = auth
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a clean hook ``POST``; hand everything else to the app."""
        answer = self.answers.get(scope["path"]) if scope["type"] == "http" else None
        if answer is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        host = authorization = length = given = b""
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
            elif name == b"authorization":
                authorization = value
            elif name == b"content-length":
                length = value
            elif name == b"x-request-id":
                given = value
            elif name in _LONG_WAY:
                await self.app(scope, receive, send)
                return
        if (
            (length and (not length.isdigit() or int(length) > self.max_bytes))
            or not self.hosts.host_allowed(scope, host.decode("latin-1"))
            or (self.auth is not None and not self.auth.token_ok(authorization))
        ):
            await self.app(scope, receive, send)  # refused there, as always
            return
        rid = self.context.request_id(given.decode("latin-1"))
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            body = await whole_body(receive)
            if body is None:
                return  # the client went away: nobody to answer
            await send_json(send, await answer(body), (b"x-request-id", rid.encode()))
        finally:
            request_id.reset(token)
            self.context.timed(scope["path"], "POST", started)


class Fronted:
    """Mixin for an ASGI app class (the server's FastAPI): every request meets :attr:`front`
    first, before the app's own per-request work (FastAPI's telemetry check, its middleware
    stack), which costs more than answering a hook call."""

    front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Every request through :attr:`front` when set (it hands on what it does not
        answer to :meth:`whole`)."""
        front = self.front
        await (self.whole if front is None else front)(scope, receive, send)

    async def whole(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app itself, as without :attr:`front`."""
        await super().__call__(scope, receive, send)  # type: ignore[misc]
