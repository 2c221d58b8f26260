"""The HTTP app: FastAPI routes, both MCP HTTP transports, and the guards around them.

One process serves, on one port: MCP streamable HTTP at ``/mcp``, MCP over SSE at ``/sse``
(messages at ``/messages/``), the REST API under ``/v1``, the Claude Code HTTP hook, health
probes and the OpenAPI docs. Policy evaluation is fast and CPU-bound, so the routes run it
inline on the event loop: a thread hop would cost more than the evaluation.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from superego_mcp import __version__
from superego_mcp.audit.record import AFTER_EVENTS
from superego_mcp.config import Settings
from superego_mcp.hook.agents import AGENTS, ROUTES, adapter_for, wire
from superego_mcp.model import ToolCall
from superego_mcp.server.audit_routes import RequestContext, add_audit_routes
from superego_mcp.server.auth import BearerAuth, BodyLimit
from superego_mcp.server.dashboard import add_dashboard_routes
from superego_mcp.server.front import Fronted, HookFront, send_json, whole_body
from superego_mcp.server.hosts import HostOriginGuard
from superego_mcp.server.mcp import Evaluation, build_mcp
from superego_mcp.server.recorder import Recorder
from superego_mcp.server.reload import PolicyHolder, watching
from superego_mcp.server.replay import add_replay_routes
from superego_mcp.server.rules import policy_document
from superego_mcp.server.sessions import Sessions
from superego_mcp.server.strict import StrictJson
from superego_mcp.server.suggestions import add_suggestion_routes

if TYPE_CHECKING:
    from superego_mcp.hook.agents import AgentAdapter

log = logging.getLogger("superego_mcp.server")


class EvaluateRequest(BaseModel):
    """One tool call to judge."""

    tool_name: str = Field(min_length=1, description="The tool, e.g. Bash, Read, Write.")
    tool_input: dict[str, Any] = Field(description="The tool's arguments (untrusted data).")
    cwd: str = Field(pattern=r"^/", description="The agent's working directory (absolute).")
    agent_id: str | None = None
    session_id: str | None = None
    project: str | None = Field(
        default=None,
        pattern=r"^/",
        description=(
            "The project root (absolute). Default: the session's first one, else the git "
            "work tree of cwd, else cwd."
        ),
    )
    home: str | None = Field(
        default=None,
        pattern=r"^/",
        description="The agent's home directory (absolute). Default: the server's $HOME.",
    )
    tool_use_id: str | None = Field(
        default=None,
        max_length=256,
        description="The agent's id of the call; `POST /v1/outcomes` with the same id says it ran.",
    )


class OutcomeRequest(BaseModel):
    """A call that ran (an agent's after-tool event): for ``superego-mcp suggest``."""

    tool_name: str = Field(min_length=1, description="The tool, e.g. Bash, Read, Write.")
    tool_input: dict[str, Any] = Field(description="The tool's arguments (untrusted data).")
    cwd: str = Field(pattern=r"^/", description="The agent's working directory (absolute).")
    agent_id: str | None = None
    session_id: str | None = None
    tool_use_id: str | None = Field(
        default=None, max_length=256, description="The id sent with its `POST /v1/evaluate`."
    )


async def _hook_answer(
    body: bytes, holder: PolicyHolder, recorder: Recorder, agent: AgentAdapter
) -> bytes:
    """An agent's hook JSON in, its answer out; the same adapter as the command hook
    (``superego-mcp hook --agent NAME``), every decision recorded."""
    event: str | None = None
    try:
        request = agent.parse_hook_input(wire.decode_hook_input(body))
        event = request.event
        if not request.judged or request.call is None:
            if request.call is not None and event in AFTER_EVENTS:  # the call ran
                await recorder.observe(
                    request.call, entry="http-hook", event=event, tool_use_id=request.tool_use_id
                )
            return wire.dump({})
        # Several calls in one input (a patch over several files): one answer, one record.
        for other in request.more:  # the same session: its writes are remembered too
            other.session_id = other.session_id or request.call.session_id
        decision, call = await recorder.decide(
            request.call,
            entry="http-hook",
            event=event,
            more=request.more,
            tool_use_id=request.tool_use_id,
        )
        return wire.dump(agent.render_decision(event, decision, call))
    except wire.HookInputError as exc:
        return wire.dump(agent.render_failure(event, holder.fail_mode, str(exc)))
    except Exception as exc:  # a bug must still answer with a refusal, never an allow
        log.exception("hook request failed")
        problem = f"internal error ({type(exc).__name__})"
        return wire.dump(agent.render_failure(event, holder.fail_mode, problem))


class HookRoutes:
    """Pure ASGI: ``POST`` to an agent's hook route is answered here, inside the guards
    (Host/Origin, token, body size, request id) but before FastAPI's routing, exception and
    request layers, which cost more than judging a call. The routes stay declared on the
    app too (the OpenAPI document, other methods' 405); :func:`_hook_answer` never raises."""

    def __init__(self, app: ASGIApp, answers: Mapping[str, Callable[[bytes], Awaitable[bytes]]]):
        """Wrap ``app``; ``answers`` maps each hook path to its answer for a body."""
        self.app = app
        self.answers = dict(answers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a hook ``POST``; hand everything else to the app."""
        answer = self.answers.get(scope["path"]) if scope["type"] == "http" else None
        if answer is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = await whole_body(receive)
        if body is None:
            return  # the client went away: nobody to answer
        await send_json(send, await answer(body))


class _App(Fronted, FastAPI):
    """FastAPI with :class:`~superego_mcp.server.front.HookFront` in front of all of it."""


async def _never(scope: Scope, receive: Receive, send: Send) -> None:
    """The inner app of the guards :class:`HookFront` only asks (it never calls them)."""
    raise RuntimeError("not an app")


def _answers(
    holder: PolicyHolder, recorder: Recorder
) -> dict[str, Callable[[bytes], Awaitable[bytes]]]:
    """Each hook route's answer for a body."""
    return {
        ROUTES[name]: functools.partial(
            _hook_answer, holder=holder, recorder=recorder, agent=adapter_for(name)
        )
        for name in AGENTS
    }


def create_app(
    settings: Settings, holder: PolicyHolder, recorder: Recorder | None = None
) -> FastAPI:
    """The whole HTTP app for ``settings``, judging with the policy ``holder`` keeps and
    recording every decision through ``recorder`` (one is opened from ``settings`` when
    not given)."""
    if recorder is None:
        recorder = Recorder(settings, holder)
    mcp = build_mcp(holder, recorder)
    # The app-wide HostOriginGuard below protects these too; no second guard inside.
    mcp_http = mcp.http_app(path="/mcp", transport="http", host_origin_protection=False)
    mcp_sse = mcp.http_app(path="/sse", transport="sse", host_origin_protection=False)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Both MCP transports' lifespans (session manager, FastMCP's own), then the watcher.
        async with (
            mcp_http.router.lifespan_context(mcp_http),
            mcp_sse.router.lifespan_context(mcp_sse),
            watching(holder, poll=settings.reload),
            recorder.running(),
        ):
            try:
                yield
            finally:
                if holder.reviewer is not None:
                    await holder.reviewer.aclose()

    app = _App(
        title="Superego MCP",
        version=__version__,
        description="Reviews AI coding agents' tool calls before they run: allow, deny or ask.",
        lifespan=lifespan,
    )

    # Routes are matched in order: the hot path (one call per agent tool call) goes first.
    _add_hook_routes(app, holder, recorder)
    _add_core_routes(app, holder, recorder)
    add_audit_routes(app, recorder)
    add_replay_routes(app, settings, holder, recorder)
    token = settings.api_token.get_secret_value() if settings.api_token is not None else None
    add_suggestion_routes(app, settings, holder, recorder, token)
    # Dashboard sign-ins; signed-out ids in the state dir, shared by every worker here.
    sessions = (
        Sessions(token, Path(settings.state_dir) / "dashboard-signed-out")
        if token is not None
        else None
    )
    add_dashboard_routes(app, holder, recorder, token, sessions)

    # The MCP apps are mounted as plain ASGI endpoints at their own paths, so the paths the
    # transports announce (/mcp, /messages/?session_id=...) are the paths the client uses.
    app.router.routes.extend(
        [
            Route("/mcp", endpoint=mcp_http, include_in_schema=False),
            Route("/sse", endpoint=mcp_sse, methods=["GET"], include_in_schema=False),
            Route("/messages/", endpoint=mcp_sse, methods=["POST"], include_in_schema=False),
        ]
    )

    for middleware, options in _middleware(app, settings, holder, recorder, token, sessions):
        app.add_middleware(middleware, **options)
    # Outside all of it: the hook calls every guard lets through, answered in one step.
    known = frozenset(str(getattr(r, "path", "")) for r in app.router.routes)
    app.front = HookFront(
        app.whole,
        answers=_answers(holder, recorder),
        context=RequestContext(_never, recorder.metrics, known),
        hosts=HostOriginGuard(_never, settings.allowed_hosts, settings.cors_origins),
        auth=(
            BearerAuth(_never, token, sessions)
            if token is not None and sessions is not None
            else None
        ),
        max_bytes=settings.max_body_bytes,
    )
    return app


def _add_hook_routes(app: FastAPI, holder: PolicyHolder, recorder: Recorder) -> None:
    """Every agent's hook route (``ROUTES``). They are answered by :class:`HookRoutes`
    before routing; declared here for the OpenAPI document and the other methods' 405."""

    def _hook_route(name: str) -> None:
        module = adapter_for(name)

        async def agent_hook(request: Request) -> Response:
            answer = await _hook_answer(await request.body(), holder, recorder, module)
            return Response(answer, media_type="application/json")

        app.add_api_route(
            ROUTES[name],
            agent_hook,
            methods=["POST"],
            tags=["hooks"],
            name=f"{name}_hook",
            summary=f"{name} hook",
            description=(
                f'The hook of {name} (see docs/agents.md; Claude Code\'s is its `"type": '
                '"http"` hook): its hook JSON in, its answer out. Always 200 with an answer: '
                "the agent ignores other statuses, so bad input gets a fail-closed one."
            ),
            openapi_extra={
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        )

    for name in AGENTS:
        _hook_route(name)


def _add_core_routes(app: FastAPI, holder: PolicyHolder, recorder: Recorder) -> None:
    """Health, readiness, ``/v1/evaluate``, ``/v1/outcomes`` and ``/v1/rules``."""

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers. No authentication."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {"description": "reload failed"}})
    async def readyz() -> JSONResponse:
        """Readiness: 200 when the policy file in force is the one on disk; 503 (with the
        file:line error) while the last reload failed and the last good policy still rules."""
        status = holder.status()
        return JSONResponse(status, status_code=503 if status["error"] else 200)

    @app.post("/v1/evaluate", tags=["evaluate"])
    async def evaluate(body: EvaluateRequest) -> Evaluation:
        """Judge one tool call against the policy in force."""
        call = ToolCall(
            body.tool_name,
            body.tool_input,
            body.cwd,
            body.session_id,
            body.agent_id,
            project=body.project,
            home=body.home,
        )
        decision, _ = await recorder.decide(call, entry="rest", tool_use_id=body.tool_use_id)
        return Evaluation.of(decision)

    @app.post("/v1/outcomes", tags=["evaluate"])
    async def outcome(body: OutcomeRequest) -> dict[str, bool]:
        """Record that a call ran (after an `ask`, a person approved it): the evidence
        `superego-mcp suggest` learns from (docs/replay.md, "Approvals")."""
        call = ToolCall(body.tool_name, body.tool_input, body.cwd, body.session_id, body.agent_id)
        stored = await recorder.observe(
            call, entry="rest", event="ran", tool_use_id=body.tool_use_id
        )
        return {"recorded": stored}

    @app.get("/v1/rules", tags=["policy"])
    async def rules() -> dict[str, Any]:
        """The policy in force: source, digest, default and rules in the order tried."""
        return policy_document(holder.policy)


def _middleware(
    app: FastAPI,
    settings: Settings,
    holder: PolicyHolder,
    recorder: Recorder,
    token: str | None,
    sessions: Sessions | None,
) -> list[tuple[Any, dict[str, Any]]]:
    """The middleware, innermost first, with their options (added in this order after
    every route is declared: the request context learns the app's paths)."""
    # The middleware, innermost first (each one added wraps the ones before it): duplicate
    # JSON keys (REST, MCP) < hook routes < body size < token < Host/Origin < CORS (answers
    # preflights) < request context (request id, metrics; sees every request, even refused).
    too_large = "the hook input is too large to judge"
    layers: list[tuple[Any, dict[str, Any]]] = [
        (StrictJson, {}),
        (
            HookRoutes,
            {"answers": _answers(holder, recorder)},
        ),
        (
            BodyLimit,
            {
                "max_bytes": settings.max_body_bytes,
                "fail_closed": {
                    ROUTES[name]: wire.dump(
                        adapter_for(name).render_failure(None, holder.fail_mode, too_large)
                    )
                    for name in AGENTS
                },
            },
        ),
    ]
    if token is not None and sessions is not None:
        layers.append((BearerAuth, {"token": token, "sessions": sessions}))
    layers.append(
        (
            HostOriginGuard,
            {"allowed_hosts": settings.allowed_hosts, "allowed_origins": settings.cors_origins},
        )
    )
    if settings.cors_origins:
        layers.append(
            (
                CORSMiddleware,
                {
                    "allow_origins": settings.cors_origins,
                    "allow_methods": ["GET", "POST", "DELETE"],
                    "allow_headers": [
                        "authorization",
                        "content-type",
                        "mcp-session-id",
                        "mcp-protocol-version",
                    ],
                    "expose_headers": ["mcp-session-id"],
                },
            )
        )
    known = frozenset(str(getattr(r, "path", "")) for r in app.router.routes)
    layers.append((RequestContext, {"metrics": recorder.metrics, "routes": known}))
    return layers
