"""``POST /v1/replay`` and ``GET /v1/replay/policies``: ``superego-mcp replay`` over HTTP.

A replay judges recorded calls again and changes nothing, so, like every read, it may be run
with the dashboard's session cookie as well as with the bearer token (the cookie is
``SameSite=Strict`` and the body must be JSON: another site cannot send it). What judges:

- nothing named: the policy in force;
- ``file``: one of the files :func:`policy_files` offers (the bundled policy, and the YAML
  files directly in the directories of the policy in force's user, project and ``--rules``
  layers), as the ``--rules`` layer. No other path is read: a name not on that list is
  refused before anything is opened;
- ``yaml``: pasted policy text, as the ``--rules`` layer, checked first (size, depth, alias
  expansion, and ``extends`` only ``bundled`` or ``packs/NAME``:
  :func:`superego_mcp.server.replay_worker.check_pasted`); errors name ``<pasted>:LINE``.
  With ``add: true`` its rules are added to the policy in force instead
  (:func:`superego_mcp.server.replay_worker.add_rules`).

The rows are chosen with ``GET /v1/audit``'s filters plus ``until``. The work runs in a child
process (:mod:`superego_mcp.server.replay_worker`) at a lower priority, one at a time, killed
after :data:`REPLAY_SECONDS`; the answer is ``superego-mcp replay --format json``'s report.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import SecretStr

from superego_mcp.audit.store import parse_since
from superego_mcp.policy.loader import BUNDLED_POLICY
from superego_mcp.server.audit_routes import BadQuery, EscapedJSON, parse_query
from superego_mcp.server.replay_worker import MAX_PASTED_BYTES, Job

if TYPE_CHECKING:
    from superego_mcp.config import Settings
    from superego_mcp.policy.engine import Policy
    from superego_mcp.server.recorder import Recorder
    from superego_mcp.server.reload import PolicyHolder

REPLAY_PATH: Final = "/v1/replay"
# A replay that takes longer is stopped (narrow it with since/until and the filters).
REPLAY_SECONDS: Final = 120.0
# Changed calls listed at most (the counts always cover every row).
MAX_LIMIT: Final = 1000
# Files offered per directory, and the largest one read.
MAX_FILES: Final = 100
_FILTERS: Final = ("since", "decision", "tool", "rule", "session", "text", "entry")
_KEYS: Final = frozenset({*_FILTERS, "until", "limit", "file", "yaml", "add"})


class BadReplay(ValueError):
    """A replay request that cannot be run; ``status`` is the HTTP status to answer."""

    def __init__(self, error: str, detail: str, status: int = 422) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail
        self.status = status


def policy_files(policy: Policy) -> list[dict[str, Any]]:
    """The policy files a replay may be asked to use: the bundled policy, and every
    ``.yaml``/``.yml`` regular file directly in the directory of the user, project or
    ``--rules`` layer of ``policy`` (at most :data:`MAX_FILES` each), with the layer whose
    directory it is in and whether it is in force now."""
    in_force = {os.path.realpath(layer.path) for layer in policy.layers if layer.exists}
    found: list[dict[str, Any]] = [
        {"path": BUNDLED_POLICY, "layer": "bundled", "in_force": BUNDLED_POLICY in in_force}
    ]
    seen = {os.path.realpath(BUNDLED_POLICY)}
    for layer in policy.layers:
        if layer.name not in ("user", "project", "rules") or layer.extended_by is not None:
            continue
        if layer.path.startswith("<"):  # a pasted policy has no directory
            continue
        directory = Path(layer.path).absolute().parent
        try:
            entries = sorted(directory.iterdir())
        except OSError:
            continue
        real_dir = directory.resolve()
        listed = 0
        for entry in entries:
            if entry.suffix not in (".yaml", ".yml") or listed >= MAX_FILES:
                continue
            real = entry.resolve()
            # A symbolic link out of the directory is not offered.
            if real.parent != real_dir or not real.is_file() or str(real) in seen:
                continue
            seen.add(str(real))
            listed += 1
            found.append(
                {"path": str(entry), "layer": layer.name, "in_force": str(real) in in_force}
            )
    return found


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise BadReplay("bad_request", f"'{name}' must be a string")
    return value


def job_of(body: object, settings: Settings, holder: PolicyHolder) -> Job:
    """The :class:`Job` a request body asks for; :class:`BadReplay` names what is wrong."""
    if not isinstance(body, dict):
        raise BadReplay("bad_request", "the body must be a JSON object")
    unknown = set(body) - _KEYS
    if unknown:
        raise BadReplay(
            "bad_request",
            f"unknown field(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(_KEYS))})",
        )
    if "file" in body and "yaml" in body:
        raise BadReplay("bad_request", "give 'file' or 'yaml', not both")
    add = body.get("add", False)
    if not isinstance(add, bool) or (add and "yaml" not in body):
        raise BadReplay("bad_request", "'add' is true or false, and true only with 'yaml'")
    filters = {k: _text(body[k], k) for k in _FILTERS if body.get(k) not in (None, "")}
    try:
        query = parse_query(filters, cursor=False)
        until = parse_since(_text(body["until"], "until")) if body.get("until") else None
    except (BadQuery, ValueError) as exc:
        raise BadReplay("bad_query", str(exc)) from None
    limit = body.get("limit", 50)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_LIMIT:
        raise BadReplay("bad_request", f"'limit' must be a whole number from 0 to {MAX_LIMIT}")
    # No secret goes to the child: it needs neither the token nor a reviewer's key.
    secrets = {name: None for name, value in settings if isinstance(value, SecretStr)}
    quiet = settings.model_copy(update=secrets)
    job = Job(quiet, query=query, until=until, limit=limit)
    if "yaml" in body:
        text = _text(body["yaml"], "yaml")
        if len(text.encode("utf-8", "surrogatepass")) > MAX_PASTED_BYTES:
            raise BadReplay(
                "too_large", f"the pasted policy is over {MAX_PASTED_BYTES} bytes", status=413
            )
        job.text = text
        if add:
            job.add, job.in_force = True, holder.policy
    elif "file" in body:
        path = _text(body["file"], "file")
        offered = {f["path"] for f in policy_files(holder.policy)}
        if path not in offered:
            raise BadReplay(
                "not_offered",
                "'file' must be one of the paths GET /v1/replay/policies lists (the bundled "
                "policy and the YAML files beside the policy in force); no other file is read",
            )
        job.file = path
    else:
        job.in_force = holder.policy
    return job


# Environment variables the replay process does without: credentials (it calls no reviewer
# and gets its settings, token-less, through the job).
_SECRET_WORDS: Final = ("TOKEN", "KEY", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL")


def child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` without anything that looks like a credential (a name holding TOKEN, KEY,
    SECRET, PASSWORD, CREDENTIAL) and without ``SUPEREGO_AUDIT`` (a DSN may hold a
    password): the replay process gets the audit target and settings through its job."""
    return {
        name: value
        for name, value in environ.items()
        if name != "SUPEREGO_AUDIT" and not any(w in name.upper() for w in _SECRET_WORDS)
    }


async def run_job(job: Job, timeout: float = REPLAY_SECONDS) -> dict[str, Any]:
    """Run ``job`` in a child process and return its answer; the child is killed after
    ``timeout`` seconds (:class:`BadReplay`, 504)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "superego_mcp.server.replay_worker",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=child_environment(os.environ),
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(pickle.dumps(job)), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise BadReplay(
            "timeout",
            f"the replay took longer than {timeout:g} s and was stopped: narrow it with "
            "since/until or the filters",
            status=504,
        ) from None
    finally:
        if proc.returncode is None:  # cancelled (the client went away): stop the work too
            proc.kill()
            await proc.wait()
    try:
        answer: dict[str, Any] = json.loads(out)
    except ValueError:
        problem = err.decode("utf-8", "replace").strip().splitlines()
        raise BadReplay(
            "replay_failed",
            f"the replay process ended with status {proc.returncode}"
            + (f": {problem[-1]}" if problem else ""),
            status=500,
        ) from None
    return answer


def add_replay_routes(
    app: FastAPI, settings: Settings, holder: PolicyHolder, recorder: Recorder
) -> None:
    """Mount ``POST /v1/replay`` and ``GET /v1/replay/policies`` on ``app``."""
    busy = asyncio.Lock()

    @app.get(REPLAY_PATH + "/policies", tags=["replay"])
    async def replay_policies() -> Response:
        """The policy files ``POST /v1/replay`` may be asked to use (``file``), and the
        largest pasted policy it takes (``yaml``)."""
        files = await asyncio.to_thread(policy_files, holder.policy)
        return EscapedJSON({"files": files, "max_yaml_bytes": MAX_PASTED_BYTES})

    @app.post(
        REPLAY_PATH,
        tags=["replay"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    )
    async def replay(request: Request) -> Response:
        """Judge recorded calls again with another policy (``file``, pasted ``yaml``, or
        the policy in force) and report what would change: ``superego-mcp replay --format
        json``'s report. Filters as ``GET /v1/audit`` plus ``until``; ``limit`` caps the
        changed calls listed (50; at most 1000)."""
        if recorder.store is None:
            return _error("audit_off", "the audit is off (SUPEREGO_AUDIT=off)", 503)
        if "application/json" not in request.headers.get("content-type", ""):
            return _error("bad_request", "send the request as application/json", 415)
        try:
            body = json.loads(await request.body())
        except ValueError as exc:
            return _error("bad_request", f"the body is not JSON: {exc}", 422)
        try:
            job = job_of(body, settings, holder)
            if busy.locked():
                return _error(
                    "busy", "another replay is running; try again when it ends", 429, retry=5
                )
            async with busy:
                answer = await run_job(job)
        except BadReplay as exc:
            return _error(exc.error, exc.detail, exc.status)
        if "report" in answer:
            return EscapedJSON(answer["report"])
        status = 422 if answer.get("error") == "bad_policy" else 500
        return _error(str(answer.get("error")), str(answer.get("detail")), status)


def _error(error: str, detail: str, status: int, retry: int | None = None) -> Response:
    headers = {"retry-after": str(retry)} if retry else None
    return EscapedJSON({"error": error, "detail": detail}, status_code=status, headers=headers)
