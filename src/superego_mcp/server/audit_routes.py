"""HTTP surfaces of the audit: ``GET /v1/audit``, the live stream (SSE and WebSocket),
``GET /metrics``, and the request-context middleware (request id, HTTP latency).

JSON shapes are documented in ``docs/audit.md``; the stream and ``/v1/audit`` share one set
of filters (:class:`superego_mcp.audit.store.Query`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any, Final

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from superego_mcp.audit.record import ENTRIES, to_public
from superego_mcp.audit.store import MAX_PAGE, Query, parse_since
from superego_mcp.audit.stream import Subscriber
from superego_mcp.logs import request_id
from superego_mcp.model import ACTIONS
from superego_mcp.server.metrics import CONTENT_TYPE, Metrics
from superego_mcp.server.recorder import Recorder

STREAM_PATH: Final = "/v1/decisions/stream"
WS_PATH: Final = "/v1/decisions/ws"
HEARTBEAT_SECONDS: Final = 15.0
_FILTERS: Final = ("since", "decision", "tool", "rule", "session", "text", "entry")
_MAX_TIMERS: Final = 512
_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class BadQuery(ValueError):
    """A filter value that cannot be used; the message names it."""


def parse_query(params: Mapping[str, str], *, cursor: bool = True) -> Query:
    """The filters of a request's query string (``since, decision, tool, rule, session,
    text, entry``, plus ``cursor`` and ``limit``); :class:`BadQuery` names a bad one."""
    unknown = set(params) - {*_FILTERS, "cursor", "limit", "last_id"}
    if unknown:
        raise BadQuery(f"unknown filter(s): {', '.join(sorted(unknown))}")
    decision = params.get("decision")
    if decision is not None and decision not in ACTIONS:
        raise BadQuery(f"decision must be one of {', '.join(ACTIONS)}")
    entry = params.get("entry")
    if entry is not None and entry not in ENTRIES:
        raise BadQuery(f"entry must be one of {', '.join(ENTRIES)}")
    since = None
    if params.get("since"):
        try:
            since = parse_since(params["since"])
        except ValueError as exc:
            raise BadQuery(str(exc)) from None
    before = None
    if cursor and params.get("cursor"):
        if not params["cursor"].isdigit():
            raise BadQuery("cursor must be the next_cursor of a previous page")
        before = int(params["cursor"])
    limit = 100
    if params.get("limit"):
        if not params["limit"].isdigit() or not 1 <= int(params["limit"]) <= MAX_PAGE:
            raise BadQuery(f"limit must be a whole number from 1 to {MAX_PAGE}")
        limit = int(params["limit"])
    return Query(
        since=since,
        decision=decision,
        tool=params.get("tool"),
        rule=params.get("rule"),
        session=params.get("session"),
        text=params.get("text") or None,
        entry=entry,
        before=before,
        limit=limit,
    )


class EscapedJSON(JSONResponse):
    """JSON with every non-ASCII character escaped: recorded inputs may hold a lone
    surrogate ("\\ud800" arrives as valid JSON), which UTF-8 cannot encode; escaped, the
    client parses back exactly what was recorded."""

    def render(self, content: Any) -> bytes:
        """``content`` as ASCII JSON."""
        return json.dumps(content, separators=(",", ":")).encode("ascii")


def _bad(exc: BadQuery) -> JSONResponse:
    return JSONResponse({"error": "bad_query", "detail": str(exc)}, status_code=422)


def _off() -> JSONResponse:
    return JSONResponse(
        {"error": "audit_off", "detail": "the audit is off (SUPEREGO_AUDIT=off)"},
        status_code=503,
    )


def _last_id(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise BadQuery("the last-seen id (Last-Event-ID or last_id) must be a decision id")
    return int(value)


async def _backfill(
    recorder: Recorder, sub: Subscriber, after: int
) -> AsyncIterator[dict[str, Any]]:
    """Stored rows after ``after`` (matching the filters), oldest first, then mark the
    subscriber so live rows already sent here are skipped."""
    if recorder.store is None:
        return
    cursor = after
    while True:
        rows = await asyncio.to_thread(recorder.store.after, cursor, 500, sub.query)
        for row in rows:
            cursor = row["id"]
            sub.skip_upto = cursor
            yield row
        if len(rows) < 500:
            return


def add_audit_routes(app: FastAPI, recorder: Recorder) -> None:
    """Mount ``/v1/audit``, the stream routes and ``/metrics`` on ``app``."""
    routes = AuditRoutes(recorder)
    app.add_api_route("/v1/audit", routes.audit, methods=["GET"], tags=["audit"])
    app.add_api_route("/v1/audit/stats", routes.audit_stats, methods=["GET"], tags=["audit"])
    app.add_api_route(STREAM_PATH, routes.stream, methods=["GET"], tags=["audit"])
    app.add_api_websocket_route(WS_PATH, routes.ws)
    app.add_api_route(
        "/metrics", routes.metrics, methods=["GET"], tags=["health"], response_class=Response
    )


class AuditRoutes:
    """The audit's HTTP routes over one recorder (mounted by :func:`add_audit_routes`; a
    method's name and docstring are its route's in the OpenAPI document)."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def audit(self, request: Request) -> Response:
        """Recorded decisions, newest first. Filters: ``since`` (15m, 2h, 7d, ISO time,
        epoch), ``decision``, ``tool``, ``rule``, ``session``, ``text`` (substring of input,
        reason or tool), ``entry``; ``limit`` (1-1000, default 100); ``cursor`` (the
        ``next_cursor`` of the previous page)."""
        store = self.recorder.store
        if store is None:
            return _off()
        try:
            q = parse_query(request.query_params)
        except BadQuery as exc:
            return _bad(exc)
        rows = await asyncio.to_thread(store.query, q)
        more = len(rows) == q.limit
        return EscapedJSON(
            {
                "items": [to_public(r) for r in rows],
                "next_cursor": str(rows[-1]["id"]) if more else None,
            }
        )

    async def audit_stats(self, request: Request) -> Response:
        """Counts by decision, entry, tool and rule for the rows matching the filters."""
        store = self.recorder.store
        if store is None:
            return _off()
        try:
            q = parse_query(request.query_params, cursor=False)
        except BadQuery as exc:
            return _bad(exc)
        return EscapedJSON(await asyncio.to_thread(store.stats, q))

    async def stream(self, request: Request) -> Response:
        """Server-Sent Events: one ``decision`` event per decision (``id`` = its audit id),
        filtered like ``/v1/audit``. Resume with ``Last-Event-ID`` (or ``?last_id=``). A
        reader that falls behind gets a ``dropped`` event with the reason, then the end."""
        try:
            q = parse_query(request.query_params, cursor=False)
            last = _last_id(
                request.headers.get("last-event-id") or request.query_params.get("last_id")
            )
        except BadQuery as exc:
            return _bad(exc)
        sub = self.recorder.hub.subscribe(q)
        return StreamingResponse(
            _sse_events(self.recorder, sub, last),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )

    async def ws(self, websocket: WebSocket) -> None:
        """The same stream over a WebSocket: one JSON text message per decision. Filters
        and ``last_id`` in the query string. A reader that falls behind is closed with code
        1008 and the reason."""
        try:
            q = parse_query(websocket.query_params, cursor=False)
            last = _last_id(websocket.query_params.get("last_id"))
        except BadQuery as exc:
            await websocket.close(code=1008, reason=str(exc)[:120])
            return
        await websocket.accept()
        sub = self.recorder.hub.subscribe(q)
        receiver = asyncio.create_task(_drain(websocket))
        try:
            await _ws_send(self.recorder, websocket, sub, last, receiver)
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            receiver.cancel()
            self.recorder.hub.unsubscribe(sub)

    async def metrics(self) -> Response:
        """Prometheus text format (behind the bearer token like every route)."""
        # Rendering walks every series: off the event loop, so a scrape never stalls calls.
        body = await asyncio.to_thread(self.recorder.metrics.exposition)
        return Response(body, media_type=CONTENT_TYPE)


async def _sse_events(recorder: Recorder, sub: Subscriber, last: int | None) -> AsyncIterator[str]:
    """The SSE stream of ``sub``: stored rows after ``last`` first, then live ones, with a
    keep-alive comment when there are none; unsubscribed at the end."""
    try:
        yield ": superego decision stream\n\n"
        floor = 0  # rows up to here went out from the store: not again from the queue
        if last is not None:
            async for row in _backfill(recorder, sub, last):
                yield _sse(row)
            floor = sub.skip_upto
        while True:
            try:
                item: dict[str, Any] | None = await asyncio.wait_for(
                    sub.queue.get(), HEARTBEAT_SECONDS
                )
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if item is None:
                reason = json.dumps({"error": "dropped", "reason": sub.dropped})
                yield f"event: dropped\ndata: {reason}\n\n"
                return
            if item["id"] > floor:
                yield _sse(item)
    finally:
        recorder.hub.unsubscribe(sub)


async def _ws_send(
    recorder: Recorder,
    websocket: WebSocket,
    sub: Subscriber,
    last: int | None,
    receiver: asyncio.Task[None],
) -> None:
    """Send ``sub``'s rows over ``websocket`` (stored ones after ``last`` first) until the
    client goes (``receiver`` ends) or the reader falls behind (closed with the reason)."""
    floor = 0  # as in the SSE stream: backfilled rows are not sent twice
    if last is not None:
        async for row in _backfill(recorder, sub, last):
            await websocket.send_text(json.dumps(to_public(row)))
        floor = sub.skip_upto
    while True:
        getter: asyncio.Task[dict[str, Any] | None] = asyncio.create_task(sub.queue.get())
        done, _ = await asyncio.wait({getter, receiver}, return_when=asyncio.FIRST_COMPLETED)
        if receiver in done:
            getter.cancel()
            return
        item = getter.result()
        if item is None:
            await websocket.close(code=1008, reason=(sub.dropped or "dropped")[:120])
            return
        if item["id"] > floor:
            await websocket.send_text(json.dumps(to_public(item)))


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, until it disconnects."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return


def _sse(row: dict[str, Any]) -> str:
    return f"id: {row['id']}\nevent: decision\ndata: {json.dumps(to_public(row))}\n\n"


class RequestContext:
    """Pure-ASGI: a request id (``X-Request-ID`` when well-formed, else a new one) in the
    log context and on the response, and the request's duration in the metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: frozenset[str]) -> None:
        """Wrap ``app``; durations are labelled by path only for the known ``routes``."""
        self.app = app
        self.metrics = metrics
        self.routes = routes
        self._timers: dict[tuple[str, str], Any] = {}  # each label pair's histogram child

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Set the request id, time the request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                given = value.decode("latin-1")
                break
        rid = self.request_id(given)
        token = request_id.set(rid)
        header = (b"x-request-id", rid.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        path = scope["path"]
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
            if path not in (STREAM_PATH, "/sse", "/mcp"):  # streams: duration means nothing
                self.timed(path, scope["method"], started)

    @staticmethod
    def request_id(given: str) -> str:
        """The request's id: ``given`` (its ``X-Request-ID``) when well-formed, else new."""
        # 16 random hex digits, as uuid4().hex[:16] gave, without building a UUID.
        return given if _REQUEST_ID.fullmatch(given) else os.urandom(8).hex()

    def timed(self, path: str, method: str, started: float) -> None:
        """Count a request's duration (since ``started``, ``perf_counter``)."""
        route = path if path in self.routes else "other"
        timer = self._timers.get((route, method))
        if timer is None:
            timer = self.metrics.http_seconds.labels(route, method)
            if len(self._timers) < _MAX_TIMERS:  # a client may send any method name
                self._timers[route, method] = timer
        timer.observe(time.perf_counter() - started)
