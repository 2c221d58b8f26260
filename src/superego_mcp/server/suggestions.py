"""``GET /v1/suggestions`` and ``POST /v1/suggestions/accept``: ``superego-mcp suggest`` over
HTTP, on the server's audit store and the policy in force (docs/replay.md, "Suggestions").

Reading suggestions is a read: the bearer token or the dashboard's session cookie. Accepting
writes a policy file, so it needs the bearer token, always: the cookie is never enough (the
auth layer lets it through for reads only), and a server without an API token refuses to
accept at all. A request never names a path: it names the ``user`` or ``project`` layer of
the policy in force, whose file is appended to once the new text loads and its examples pass
(:func:`superego_mcp.audit.suggest.write_rules`); the reload watcher then picks it up.

Suggestions are computed in a worker thread, one request at a time (another gets 429): the
work judges every approved call and replays the trail once per proposal.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from typing import TYPE_CHECKING, Any, Final

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from superego_mcp.audit import suggest as sg
from superego_mcp.audit.store import parse_since
from superego_mcp.server.audit_routes import EscapedJSON

if TYPE_CHECKING:
    from superego_mcp.config import Settings
    from superego_mcp.server.recorder import Recorder
    from superego_mcp.server.reload import PolicyHolder

SUGGESTIONS_PATH: Final = "/v1/suggestions"
ACCEPT_PATH: Final = "/v1/suggestions/accept"
MAX_LIMIT: Final = 1000
_QUERY: Final = frozenset({"since", "until", "min_sessions", "min_calls", "limit"})
_BODY: Final = frozenset({"ids", "file", "since", "until", "min_sessions", "min_calls"})


class BadRequest(ValueError):
    """A request that cannot be served; ``error`` and ``status`` say how to answer."""

    def __init__(self, error: str, detail: str, status: int = 422) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail
        self.status = status

    def response(self) -> JSONResponse:
        """The JSON error answer."""
        return JSONResponse({"error": self.error, "detail": self.detail}, status_code=self.status)


def _int(value: object, name: str, least: int, most: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise BadRequest("bad_query", f"{name} must be a whole number")
    try:
        number = int(value)
    except ValueError:
        raise BadRequest("bad_query", f"{name} must be a whole number") from None
    if number < least or (most is not None and number > most):
        upper = f" and at most {most}" if most is not None else ""
        raise BadRequest("bad_query", f"{name} must be at least {least}{upper}")
    return number


def _time(value: object, name: str) -> float | None:
    if value is None:
        return None
    try:
        return parse_since(str(value))
    except ValueError as exc:
        raise BadRequest("bad_query", f"{name}: {exc}") from None


class _Options:
    """What a request asks for: the period and thresholds (as ``suggest``'s options)."""

    def __init__(self, given: dict[str, Any]) -> None:
        self.since = _time(given.get("since"), "since")
        self.until = _time(given.get("until"), "until")
        self.min_sessions = _int(given.get("min_sessions", sg.MIN_SESSIONS), "min_sessions", 1)
        calls = given.get("min_calls")
        self.min_calls = None if calls is None else _int(calls, "min_calls", 1)


def add_suggestion_routes(
    app: FastAPI, settings: Settings, holder: PolicyHolder, recorder: Recorder, token: str | None
) -> None:
    """Declare both routes on ``app`` (``token``: the API token, ``None`` when unset)."""
    routes = SuggestionRoutes(settings, holder, recorder, token)
    app.add_api_route(
        SUGGESTIONS_PATH,
        routes.suggestions,
        methods=["GET"],
        tags=["audit"],
        responses={422: {"description": "bad query"}, 503: {"description": "audit off"}},
    )
    app.add_api_route(
        ACCEPT_PATH,
        routes.accept,
        methods=["POST"],
        tags=["audit"],
        responses={
            403: {"description": "no API token set, or no bearer token sent"},
            422: {"description": "bad body, unknown suggestion, or check fails"},
        },
    )


class SuggestionRoutes:
    """Both routes over the server's policy and audit store (mounted by
    :func:`add_suggestion_routes`; a method's name and docstring are its route's in the
    OpenAPI document). One computation at a time (``busy``)."""

    def __init__(
        self, settings: Settings, holder: PolicyHolder, recorder: Recorder, token: str | None
    ) -> None:
        self.settings = settings
        self.holder = holder
        self.recorder = recorder
        self.token = token
        self.busy = asyncio.Lock()

    def _compute(self, options: _Options) -> tuple[sg.Result, Any]:
        store = self.recorder.store
        assert store is not None
        policy = self.holder.policy
        evidence = sg.evidence_from(store, options.since, options.until)
        result = sg.suggest(
            policy,
            evidence,
            min_sessions=options.min_sessions,
            min_calls=options.min_calls,
            fail_mode=self.settings.fail_mode,
            **self.settings.shell_limits(),
        )
        return result, policy

    async def _run(self, options: _Options) -> tuple[sg.Result, Any]:
        if self.recorder.store is None:
            raise BadRequest("audit_off", "the audit is off: there is no trail to learn from", 503)
        if self.busy.locked():
            raise BadRequest("busy", "suggestions are being computed; try again shortly", 429)
        async with self.busy:
            return await asyncio.to_thread(self._compute, options)

    async def suggestions(self, request: Request) -> Response:
        """Allow rules learned from approved calls, each with the replay of the trail under
        it, what was not proposed and why, and possible evasions (docs/replay.md)."""
        try:
            params = dict(request.query_params)
            unknown = set(params) - _QUERY
            if unknown:
                raise BadRequest("bad_query", f"unknown parameter(s): {', '.join(sorted(unknown))}")
            limit = _int(params.get("limit", 20), "limit", 0, MAX_LIMIT)
            result, policy = await self._run(_Options(params))
        except BadRequest as exc:
            return exc.response()
        body = result.to_dict(limit)
        body["files"] = _files(policy)
        return EscapedJSON(body)

    async def accept(self, request: Request) -> Response:
        """Append the named suggestions to the ``user`` or ``project`` policy file (bearer
        token only); the file is written only if it loads and its examples pass."""
        holder = self.holder
        try:
            _check_token(request, self.token)
            options, ids, which = _accept_body(await request.body())
            result, policy = await self._run(options)
            chosen = sg.accepted(result, ids)
            path = sg.layer_file(policy, which)
            await asyncio.to_thread(
                sg.write_rules,
                path,
                [s.rule for s in chosen],
                extends=sg.new_file_extends(policy),
                verify=lambda: _reloaded(holder),
            )
        except BadRequest as exc:
            return exc.response()
        except sg.SuggestError as exc:
            await asyncio.to_thread(holder.reload)  # the file as it was, in force again
            return BadRequest("not_written", str(exc)).response()
        except Exception as exc:  # PolicyError (FILE:LINE), OSError: nothing was written
            return BadRequest("not_written", f"{type(exc).__name__}: {exc}").response()
        return EscapedJSON(
            {
                "written": path,
                "file": which,
                "accepted": [s.id for s in chosen],
                "policy_digest": holder.policy.digest,
            }
        )


def _files(policy: Any) -> dict[str, str | None]:
    """The policy file of each layer a suggestion may be written to (``None``: none)."""
    out: dict[str, str | None] = {}
    for which in ("user", "project"):
        try:
            out[which] = sg.layer_file(policy, which)
        except sg.SuggestError:
            out[which] = None
    return out


def _reloaded(holder: PolicyHolder) -> None:
    """Load the policy in force again; raise (so the file is put back) when it fails."""
    if not holder.reload():
        raise sg.SuggestError(f"the policy in force would not load: {holder.error}")


def _check_token(request: Request, token: str | None) -> None:
    """Only the bearer token may accept: not the dashboard cookie, not a server without one."""
    if token is None:
        raise BadRequest(
            "no_token",
            "accepting writes a policy file, which needs the API token: set api_token "
            "(SUPEREGO_API_TOKEN), or run `superego-mcp suggest --write`",
            403,
        )
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.encode(), token.encode()):
        raise BadRequest("token_required", "accepting needs the bearer token (not a cookie)", 403)


def _accept_body(raw: bytes) -> tuple[_Options, list[str], str]:
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise BadRequest("bad_body", "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise BadRequest("bad_body", "the body must be a JSON object")
    unknown = set(body) - _BODY
    if unknown:
        raise BadRequest("bad_body", f"unknown field(s): {', '.join(sorted(unknown))}")
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise BadRequest("bad_body", "ids must be a non-empty list of suggestion ids")
    which = body.get("file", "user")
    if which not in ("user", "project"):
        raise BadRequest("bad_body", "file must be 'user' or 'project' (no path is taken)")
    return _Options(body), ids, str(which)
