"""Refuse JSON bodies that repeat a key on the REST and MCP routes (the hooks' routes refuse
them in their own parser): ``{"command": "ls", "command": "rm -rf ~"}`` would otherwise be
judged as the last value by one reader and run as another. The message is
:func:`superego_mcp.strictjson.message`, the same on every entry point."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from superego_mcp.strictjson import duplicate_key

# REST answers {"detail": ...} with 422 as FastAPI does for a bad body; MCP paths answer a
# JSON-RPC error (invalid request) with 400.
REST_PATHS = frozenset({"/v1/evaluate", "/v1/replay"})
MCP_PATHS = frozenset({"/mcp", "/messages/"})


class StrictJson:
    """ASGI middleware: read a POST body to a checked path whole, refuse it if a JSON object
    in it repeats a key, else pass it on unchanged (the body size is bounded outside)."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the body of a POST to a REST or MCP path; anything else passes through."""
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or (path not in REST_PATHS and path not in MCP_PATHS)
        ):
            await self.app(scope, receive, send)
            return
        parts: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away mid-body: nobody to answer
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(parts)
        problem = duplicate_key(body)
        if problem is None:
            await self.app(scope, _replay(body, receive), send)
            return
        answer: dict[str, object]
        if path in REST_PATHS:
            status, answer = 422, {"detail": problem}
        else:
            error = {"code": -32600, "message": problem}
            status, answer = 400, {"jsonrpc": "2.0", "id": request_id(body), "error": error}
        payload = json.dumps(answer).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", b"%d" % len(payload)),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def request_id(body: bytes) -> object:
    """The JSON-RPC id of a refused request (its last value, as the SDK would read it)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str | int) and not isinstance(value, bool) else None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
