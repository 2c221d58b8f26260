"""The dashboard: one page at ``/dashboard`` and the read-only JSON it needs.

The page itself is static (``superego_mcp/data/dashboard/``: HTML, CSS, JS, no build step, no
CDN); everything it shows comes from JSON routes of this server: the audit (``/v1/audit``),
the live stream (``/v1/decisions/stream``) and the three routes below, which summarise the
audit and the policy for the page's views:

- ``GET /v1/audit/{id}/explain``: one recorded call re-judged by the policy in force, with
  the analyzer's view (commands, paths, findings) and each unit's rule;
- ``GET /v1/dashboard/rules``: every rule with its hits over a window, and the reload status;
- ``GET /v1/dashboard/overview``: decisions over time, top rules, top denied programs,
  reviewer latency and cache hits, audit health.

Authentication: a browser cannot add a bearer header to a page load or an EventSource, so
``POST /dashboard/login`` trades the token (typed once into a form, never put in a URL) for
an ``HttpOnly; SameSite=Strict`` session cookie that :class:`~superego_mcp.server.auth.
BearerAuth` accepts on reads (GET/HEAD) only. The cookie is an HMAC of the token: changing the
token logs every browser out, and no server-side session state is needed across replicas.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import html
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from superego_mcp.audit.record import to_public
from superego_mcp.audit.store import Query
from superego_mcp.decide import judged
from superego_mcp.model import ToolCall
from superego_mcp.server.audit_routes import EscapedJSON
from superego_mcp.server.recorder import Recorder
from superego_mcp.server.reload import PolicyHolder
from superego_mcp.server.sessions import LoginLimiter, Sessions

COOKIE: Final = "superego_dashboard"
PAGE_PATH: Final = "/dashboard"
LOGIN_PATH: Final = "/dashboard/login"
LOGOUT_PATH: Final = "/dashboard/logout"
# The page's files, by the name the page asks for, and their media types.
ASSETS: Final[dict[str, str]] = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
# Only this server's own files and JSON: no inline script, no other origin.
CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_HEADERS: Final = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
# Windows the views offer, and the bucket of the Overview chart for each.
_BUCKETS: Final = {3600: 60, 6 * 3600: 600, 24 * 3600: 3600, 7 * 86400: 6 * 3600}
# How many of the newest denied shell calls are re-analysed for "top denied programs".
_DENIED_SAMPLE: Final = 200


_DIR: Final = Path(__file__).resolve().parent.parent / "data" / "dashboard"


@functools.cache
def _asset(name: str) -> bytes:
    """One of the page's files (a fixed set of names; read once)."""
    return (_DIR / name).read_bytes()


def login_page(error: str | None = None) -> bytes:
    """The sign-in form shown instead of the dashboard to a browser without the cookie."""
    page = _asset("login.html").decode()
    note = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    return page.replace("<!--error-->", note).encode()


def _window(request: Request) -> tuple[float, int, int]:
    """``(since, window_s, bucket_s)`` from ``?window=`` (seconds, one of the offered)."""
    raw = request.query_params.get("window", "86400")
    window = int(raw) if raw.isdigit() and int(raw) in _BUCKETS else 86400
    return time.time() - window, window, _BUCKETS[window]


def _json(data: Any, status: int = 200) -> JSONResponse:
    return EscapedJSON(data, status_code=status, headers={"cache-control": "no-store"})


def add_dashboard_routes(
    app: FastAPI,
    holder: PolicyHolder,
    recorder: Recorder,
    token: str | None,
    sessions: Sessions | None = None,
) -> None:
    """Mount the page, its sign-in and its JSON routes on ``app``. ``token`` is the API
    token (``None``: the server runs without one, and so does the page); ``sessions``
    issues and revokes the sign-in cookies (required with a token)."""
    _add_page_routes(app, token, sessions)
    _add_data_routes(app, holder, recorder)


def _add_page_routes(app: FastAPI, token: str | None, sessions: Sessions | None) -> None:
    """The page, its assets, and signing in and out (a cookie from ``sessions``)."""
    limiter = LoginLimiter()

    @app.get(PAGE_PATH, include_in_schema=False)
    async def page() -> Response:
        return Response(_asset("index.html"), media_type="text/html", headers=_HEADERS)

    @app.get(PAGE_PATH + "/assets/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        media = ASSETS.get(name)
        if media is None:
            return _json({"error": "not_found", "detail": "no such asset"}, 404)
        return Response(_asset(name), media_type=media, headers=_HEADERS)

    @app.post(LOGIN_PATH, include_in_schema=False)
    async def login(request: Request) -> Response:
        client = request.client.host if request.client else "?"
        wait = limiter.take(client)
        if wait > 0:
            return Response(
                login_page("Too many sign-in attempts; wait a moment and try again."),
                status_code=429,
                media_type="text/html",
                headers={**_HEADERS, "retry-after": str(max(1, round(wait)))},
            )
        given = _form_token(await request.body())
        if token is not None and not hmac.compare_digest(given.encode(), token.encode()):
            return Response(
                login_page("That token is not this server's."),
                status_code=401,
                media_type="text/html",
                headers=_HEADERS,
            )
        limiter.give_back(client)
        answer = RedirectResponse(PAGE_PATH, status_code=303)
        if token is not None:
            assert sessions is not None, "a server with a token has dashboard sessions"
            answer.set_cookie(
                COOKIE,
                sessions.issue(),
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
                path="/",
            )  # a browser-session cookie; its value is signed with an expiry (MAX_AGE) too
        return answer

    @app.post(LOGOUT_PATH, include_in_schema=False)
    async def logout(request: Request) -> Response:
        # Revoked on the server, not only deleted in this browser: a copy of the cookie
        # stops working too.
        value = request.cookies.get(COOKIE)
        if value and sessions is not None:
            sessions.revoke(value)
        answer = RedirectResponse(PAGE_PATH, status_code=303)
        answer.delete_cookie(COOKIE, path="/")
        return answer


def _add_data_routes(app: FastAPI, holder: PolicyHolder, recorder: Recorder) -> None:
    """The page's JSON: one decision explained, the rules with their hits, the overview."""

    @app.get("/v1/audit/{row_id}/explain", tags=["dashboard"])
    async def explain_row(row_id: int) -> Response:
        """One recorded decision and how the policy in force judges its (redacted) input
        now: the analyzer's commands, paths and findings, and each unit's rule."""
        if recorder.store is None:
            return _json({"error": "audit_off", "detail": "the audit is off"}, 503)
        rows = await asyncio.to_thread(recorder.store.query, Query(before=row_id + 1, limit=1))
        if not rows or rows[0]["id"] != row_id:
            return _json({"error": "not_found", "detail": f"no decision {row_id}"}, 404)
        row = to_public(rows[0])
        tool_input = row["input"] if isinstance(row["input"], dict) else {}
        call = ToolCall(
            row["tool"], tool_input, row["cwd"] or "/", row["session_id"], row["agent_id"]
        )
        return _json({"row": row, "now": await _explain(holder, call)})

    @app.get("/v1/dashboard/rules", tags=["dashboard"])
    async def rules(request: Request) -> Response:
        """Every rule of the policy in force, in the order tried, with its hits over
        ``?window=`` seconds (3600, 21600, 86400, 604800) and the last reload's status."""
        since, window, _ = _window(request)
        hits: dict[str, dict[str, Any]] = {}
        if recorder.store is not None:
            hits = await asyncio.to_thread(recorder.store.rule_hits, Query(since=since))
        return _json(_rules_document(holder, hits, window))

    @app.get("/v1/dashboard/overview", tags=["dashboard"])
    async def overview(request: Request) -> Response:
        """Decisions over time by outcome, top rules, top denied programs, reviewer
        latency and cache hits, and the audit's health, over ``?window=`` seconds."""
        return _json(await _overview(holder, recorder, request))


def _form_token(body: bytes) -> str:
    """The ``token`` field of the sign-in form (parsed by hand: a form of one field needs
    no multipart dependency); ``""`` when absent."""
    given = ""
    for pair in body.decode("utf-8", "replace").split("&"):
        key, _, value = pair.partition("=")
        if key == "token":
            from urllib.parse import unquote_plus

            given = unquote_plus(value)
    return given


async def _overview(holder: PolicyHolder, recorder: Recorder, request: Request) -> dict[str, Any]:
    """The overview document (see the ``overview`` route)."""
    since, window, bucket = _window(request)
    health = {
        "audit": recorder.where,
        "write_errors": recorder.metrics.registry.get_sample_value(
            "superego_audit_write_errors_total"
        )
        or 0,
        "policy": holder.status(),
    }
    if recorder.store is None:
        return {"window": window, "bucket": bucket, "health": health, "audit": False}
    store = recorder.store
    q = Query(since=since)
    stats, timeline, reviews, denied = await asyncio.gather(
        asyncio.to_thread(store.stats, q),
        asyncio.to_thread(store.timeline, bucket, q),
        asyncio.to_thread(store.reviews, q, 1000),
        asyncio.to_thread(store.query, Query(since=since, decision="deny", limit=_DENIED_SAMPLE)),
    )
    return {
        "window": window,
        "bucket": bucket,
        "audit": True,
        "health": health,
        "total": stats["total"],
        "by_decision": stats["by_decision"],
        "top_rules": stats["top_rules"],
        "top_denied_programs": await _denied_programs(holder, [to_public(r) for r in denied]),
        "latency": {"avg_ms": stats["avg_latency_ms"], "max_ms": stats["max_latency_ms"]},
        "review": _review_summary(reviews),
        "timeline": timeline,
    }


def _rules_document(
    holder: PolicyHolder, hits: dict[str, dict[str, Any]], window: int
) -> dict[str, Any]:
    """The rules view: every rule of the policy in force in the order tried, with its
    ``hits`` (rule id -> count, last time) over ``window`` seconds, and the reload status."""
    policy = holder.policy
    listed = [
        {
            "id": r.id,
            "priority": r.priority,
            "action": r.action,
            "enabled": r.enabled,
            "description": r.description,
            "reason": r.reason,
            "where": f"{policy.source}:{r.line}" if r.line else policy.source,
            "examples": {
                "match": [e.describe() for e in r.match_examples],
                "no_match": [e.describe() for e in r.no_match],
            },
            "hits": hits.get(r.id, {}).get("count", 0),
            "last_hit": hits.get(r.id, {}).get("last_ts"),
        }
        for r in policy.rules
    ]
    default = hits.get("(default)", {})
    return {
        "window": window,
        "status": holder.status(),
        "default": {
            "action": policy.default_action,
            "reason": policy.default_reason,
            "hits": default.get("count", 0),
            "last_hit": default.get("last_ts"),
        },
        "rules": listed,
    }


async def _explain(holder: PolicyHolder, call: ToolCall) -> dict[str, Any]:
    """The ``explain`` data for ``call`` under the policy in force. The session's remembered
    project root is not consulted (nor changed): an old call is judged from its own cwd
    (git, when the rules ask it, off the event loop: ``decide.judged``)."""
    from superego_mcp.explain import explanation

    policy = holder.policy
    try:
        judgement = await judged(lambda: policy.judge(call, **holder.limits))
    except Exception as exc:  # the page shows why; nothing is decided here
        return {"error": f"could not analyse the call: {type(exc).__name__}: {exc}"}
    return explanation(policy, call, judgement)


async def _denied_programs(holder: PolicyHolder, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Which programs the denied shell calls among ``rows`` were denied for: each call is
    re-analysed and the programs of its denied units counted (top 10)."""
    counts: Counter[str] = Counter()
    policy = holder.policy
    for row in rows:
        command = row["input"].get("command") if isinstance(row["input"], dict) else None
        if not isinstance(command, str):
            continue
        call = ToolCall(row["tool"], {"command": command}, row["cwd"] or "/")
        try:
            judge = functools.partial(policy.judge, call, **holder.limits)
            units = (await judged(judge)).units
        except Exception:  # noqa: S112 - an unanalysable old row is simply not counted
            continue
        for unit in units:
            if unit.action == "deny" and unit.unit.command is not None:
                counts[unit.unit.command.program or "?"] += 1
    return dict(counts.most_common(10))


def _review_summary(reviews: list[str]) -> dict[str, Any]:
    """Count, cache-hit rate, latency and outcomes of the reviews (newest 1,000)."""
    latencies: list[float] = []
    hits = 0
    outcomes: Counter[str] = Counter()
    for text in reviews:
        try:
            review = json.loads(text)
        except ValueError:
            continue
        if not isinstance(review, dict):
            continue
        if review.get("cache_hit"):
            hits += 1
        latency = review.get("latency_ms")
        if isinstance(latency, int | float):
            latencies.append(float(latency))
        outcomes[str(review.get("outcome", "?"))] += 1
    latencies.sort()
    count = len(reviews)
    return {
        "count": count,
        "cache_hit_rate": round(hits / count, 3) if count else None,
        "median_ms": latencies[len(latencies) // 2] if latencies else None,
        "p95_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
        if latencies
        else None,
        "outcomes": dict(outcomes),
    }
