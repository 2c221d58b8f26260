"""Pure-ASGI guards wrapped around the whole app: bearer token and request-body size.

Pure ASGI (not ``BaseHTTPMiddleware``) so that streaming MCP responses pass through untouched
and the per-request cost stays a few dict lookups.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from superego_mcp.server.sessions import Sessions

# Liveness must answer without credentials (container HEALTHCHECKs, load balancers); the
# dashboard's sign-in form checks the token itself (rate-limited), and signing out revokes
# whatever session cookie it is sent.
PUBLIC_PATHS = frozenset({"/healthz", "/dashboard/login", "/dashboard/logout"})
# Methods a dashboard session cookie may be used for: reads only, so a forged cross-site
# request (which SameSite=Strict already stops) could change nothing.
_COOKIE_METHODS = frozenset({"GET", "HEAD"})
# POST routes that only read, which the cookie may use too: a replay judges recorded calls
# again and changes nothing (docs/replay.md "Over HTTP").
_COOKIE_POSTS = frozenset({"/v1/replay"})


# The dashboard's session cookie (superego_mcp.server.dashboard.COOKIE).
_COOKIE_NAME = "superego_dashboard"

_Headers = list[tuple[bytes, bytes]]


async def _send(send: Send, status: int, payload: bytes, extra: _Headers) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def send_json(
    send: Send, status: int, body: dict[str, str], extra: _Headers | None = None
) -> None:
    """Answer with a small JSON error body (no route, no framework involved)."""
    await _send(send, status, json.dumps(body).encode(), extra or [])


class BearerAuth:
    """Require ``Authorization: Bearer <token>`` on every HTTP route but ``/healthz``.

    A read (GET, HEAD, a WebSocket handshake) may instead carry the dashboard's session
    cookie (``superego_mcp.server.dashboard``). The comparisons are constant-time; the token
    itself is never logged or echoed. A browser without either, asking for the dashboard
    page, gets the sign-in form.
    """

    def __init__(self, app: ASGIApp, token: str, sessions: Sessions) -> None:
        """Wrap ``app``; ``token`` is the one accepted bearer token, ``sessions`` the
        dashboard's sign-in sessions."""
        self.app = app
        self._expected = b"bearer " + token.encode()
        self._sessions = sessions

    def token_ok(self, given: bytes) -> bool:
        """Whether an ``Authorization`` header value carries the token (constant time)."""
        # Scheme is case-insensitive (RFC 7235); the token part is compared as given.
        if given[:7].lower() == b"bearer ":
            given = b"bearer " + given[7:]
        return hmac.compare_digest(given, self._expected)

    def _has_cookie(self, scope: Scope) -> bool:
        if (
            scope["type"] == "http"
            and scope["method"] not in _COOKIE_METHODS
            and not (scope["method"] == "POST" and scope["path"] in _COOKIE_POSTS)
        ):
            return False
        prefix = _COOKIE_NAME.encode() + b"="
        found = False
        for name, value in scope["headers"]:
            if name == b"cookie":
                for part in value.split(b";"):
                    part = part.strip()
                    if part.startswith(prefix):
                        # Every candidate is checked (constant-time MAC), none skipped early.
                        found |= self._sessions.valid(part[len(prefix) :].decode("latin-1"))
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Reject the request with 401 (a WebSocket: 403 before the handshake completes)
        unless it carries the token."""
        if scope["type"] not in ("http", "websocket") or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        given = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                given = value
                break
        if not self.token_ok(given) and not self._has_cookie(scope):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": "unauthorized"})
                return
            if scope["path"] in ("/dashboard", "/dashboard/") and scope["method"] == "GET":
                from superego_mcp.server.dashboard import CSP, login_page

                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"text/html; charset=utf-8"),
                            (b"content-security-policy", CSP.encode()),
                            (b"cache-control", b"no-store"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": login_page()})
                return
            await send_json(
                send,
                401,
                {"error": "unauthorized", "detail": "missing or wrong bearer token"},
                [(b"www-authenticate", b'Bearer realm="superego-mcp"')],
            )
            return
        await self.app(scope, receive, send)


class _TooLarge(Exception):
    def __init__(self, more: bool) -> None:
        super().__init__("request body too large")
        self.more = more  # the client is still sending


class BodyLimit:
    """Answer 413 to a request body larger than ``max_bytes``.

    A declared ``Content-Length`` over the limit is refused without passing the body on; a
    body without one (chunked) is read up to the limit first and then replayed to the app, so
    the app never sees a partial body and the 413 is sent before any response has started.

    Either way the rest of an oversized body is read and discarded (up to ``DRAIN_BYTES``
    within ``DRAIN_SECONDS``) before the answer goes out: a server that answers and closes
    while the client is still sending resets the connection, the client never reads the
    answer, and an agent's HTTP hook takes a connection error as "no objection".
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, fail_closed: Mapping[str, bytes] | None = None
    ) -> None:
        """Wrap ``app``, allowing bodies up to ``max_bytes``.

        ``fail_closed`` maps a path to the JSON body answered (with 200) instead of 413: a
        Claude Code HTTP hook treats any non-2xx answer as "no objection", so an oversized
        tool call must get a refusal it obeys.
        """
        self.app = app
        self.max_bytes = max_bytes
        self.fail_closed = dict(fail_closed or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared size, or buffer and check an undeclared one."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: bytes | None = None
        chunked = waits = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"expect" and value.lower() == b"100-continue":
                waits = True  # the client sends nothing before our answer: nothing to drain
        if not chunked:
            # The HTTP server holds the client to its Content-Length: checking it is enough.
            if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
                if not waits:
                    await _drain(receive)
                await self._refuse(scope, send)
                return
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read(receive)
        except _TooLarge as too_large:
            if too_large.more:
                await _drain(receive)
            await self._refuse(scope, send)
            return
        if body is not None:  # None: the client went away mid-body; nobody to answer
            await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge(more=bool(message.get("more_body", False)))
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        close = [(b"connection", b"close")]
        body = self.fail_closed.get(scope["path"])
        if body is not None:
            await _send(send, 200, body, close)
            return
        detail = f"request body over {self.max_bytes} bytes"
        await send_json(send, 413, {"error": "payload_too_large", "detail": detail}, close)


# How much of an oversized body is read (and thrown away) so its client reads the answer; a
# client still sending after this gets the answer and a closed connection.
DRAIN_BYTES = 256 * 1024 * 1024
DRAIN_SECONDS = 30.0


async def _drain(receive: Receive) -> None:
    """Read and discard the rest of a request body (bounded in bytes and time)."""
    import anyio

    size = 0
    with anyio.move_on_after(DRAIN_SECONDS):
        while size <= DRAIN_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            size += len(message.get("body", b""))
            if not message.get("more_body", False):
                return


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later calls wait for the disconnect, as usual

    return replay
