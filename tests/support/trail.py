"""Recorded trails for the replay and suggest tests: real calls judged by the real hook
process (:class:`HookProcesses`) or by a real server's Claude Code HTTP hook
(:class:`HttpHook`), each recorded in the audit store the way an agent's would be, and the
policies those tests replay or learn against."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import httpx

from support.hook import bash, call, run_hook, warm

# Replay: the bundled policy made stricter (every git command asks) and looser (a force push
# is allowed).
TIGHTER = """\
version: 1
extends: bundled
rules:
  - id: ask-git-here
    priority: 5
    action: ask
    reason: "Git needs a person here."
    conditions:
      shell: {program: git}
"""

LOOSER = """\
version: 1
extends: bundled
overrides:
  ask-force-push: {action: allow, reason: "Force pushes are fine here."}
"""

# Suggest: only these rules (extends none), so that what people approved is asked first.
LEARNING_POLICY = """\
version: 1
extends: none
default: {action: ask, reason: "No rule covers this call."}
rules:
  - id: ask-force-push
    final: true
    priority: 30
    action: ask
    reason: a force push rewrites shared history
    conditions:
      shell: {program: git, subcommand: push, any_flags: [--force, -f]}
  - id: deny-privileged-containers
    priority: 40
    action: deny
    reason: a privileged container owns the machine
    conditions:
      shell: {program: docker, subcommand: run, flags: [--privileged]}
  - id: deny-cat-secrets
    priority: 50
    action: deny
    reason: secrets stay unread
    conditions:
      shell: {program: cat}
      path: ["**/secret*"]
  - id: ask-containers
    priority: 200
    action: ask
    reason: containers change the machine
    conditions:
      shell: {program: docker}
"""

# The sessions that approved the learned command (suggest needs at least 3).
SESSIONS = [f"sess-{i}" for i in range(5)]


def decision_of(answer: dict[str, object]) -> str:
    """The decision in a Claude Code ``PreToolUse`` answer (``{}``: ``defer``)."""
    out = answer.get("hookSpecificOutput")
    return str(out["permissionDecision"]) if isinstance(out, dict) else "defer"


class Judge(Protocol):
    """Where a trail's calls are judged and recorded, as made in ``cwd``."""

    cwd: Path

    def judge(self, payload: dict[str, object], *, ran: bool = False) -> str:
        """``payload`` judged (``PreToolUse``, recorded); when ``ran``, its ``PostToolUse``
        too (the call ran: an outcome row). Returns the decision."""
        ...


class HookProcesses:
    """Calls judged by real ``superego-mcp hook [ARGS]`` processes in ``cwd`` with ``env``;
    the parent hook process records each in the audit store ``env`` names. The policy is
    compiled and cached in this process first (:func:`support.hook.warm`)."""

    def __init__(self, env: dict[str, str], cwd: Path, *args: str) -> None:
        self.env = env
        self.cwd = cwd
        self.args = args
        self.n = 0
        rules = args[args.index("--rules") + 1] if "--rules" in args else None
        warm(env, cwd, bash("echo warm", cwd=str(cwd)), rules)

    def answer(self, payload: dict[str, object]) -> dict[str, object]:
        proc = run_hook(payload, *self.args, env=self.env, cwd=self.cwd)
        assert proc.code == 0, proc.stderr
        assert "audit" not in proc.stderr, proc.stderr  # recorded, or the test says why not
        return proc.json()

    def judge(self, payload: dict[str, object], *, ran: bool = False) -> str:
        self.n += 1
        payload = {**payload, "tool_use_id": f"toolu_{self.n}", "cwd": str(self.cwd)}
        decision = decision_of(self.answer(payload))
        if ran:
            after = {**payload, "hook_event_name": "PostToolUse", "tool_response": {}}
            assert self.answer(after) == {}
        return decision


class HttpHook:
    """Calls judged by a real server's Claude Code HTTP hook (``/v1/hooks/claude-code``) as
    if made in ``cwd``; the server records each in its audit store."""

    def __init__(self, url: str, cwd: Path, headers: dict[str, str] | None = None) -> None:
        self.route = f"{url}/v1/hooks/claude-code"
        self.cwd = cwd
        self.headers = headers or {}
        self.n = 0

    def judge(self, payload: dict[str, object], *, ran: bool = False) -> str:
        self.n += 1
        payload = {**payload, "tool_use_id": f"toolu_{self.n}", "cwd": str(self.cwd)}
        answer = httpx.post(self.route, json=payload, headers=self.headers, timeout=60)
        answer.raise_for_status()
        if ran:
            after = {**payload, "hook_event_name": "PostToolUse", "tool_response": {}}
            httpx.post(self.route, json=after, headers=self.headers, timeout=60).raise_for_status()
        return decision_of(answer.json())


def record(where: Judge, calls: Sequence[tuple[str, str]], *, sessions: int = 3) -> None:
    """Each ``(command, expected decision)`` as a Bash call, spread over ``sessions``
    sessions, judged and recorded; each must get its expected decision."""
    for i, (command, expected) in enumerate(calls):
        got = where.judge(bash(command, session_id=f"s{i % sessions}"))
        assert got == expected, (command, got)


def record_approvals(where: Judge, secret: str, *, below_threshold: bool = True) -> None:
    """What ``suggest`` learns from, under :data:`LEARNING_POLICY`: people approved (the call
    ran) `docker compose up -d` in all :data:`SESSIONS`, and a final rule's force push as
    often; `docker compose logs` in 2 sessions only (``below_threshold``); they refused
    `docker compose down -v`; a privileged container was denied; and one session, denied
    `cat SECRET` (a file name in the calls' directory), read it with the Read tool (an
    evasion)."""
    for s in SESSIONS:
        assert where.judge(bash("docker compose up -d", session_id=s), ran=True) == "ask"
        assert where.judge(bash("git push --force origin main", session_id=s), ran=True) == "ask"
    if below_threshold:
        for s in SESSIONS[:2]:
            assert where.judge(bash("docker compose logs", session_id=s), ran=True) == "ask"
    down = bash("docker compose down -v", session_id="sess-1")
    assert where.judge(down) == "ask"
    privileged = bash("docker run --privileged alpine", session_id="sess-2")
    assert where.judge(privileged) == "deny"
    assert where.judge(bash(f"cat {shlex.quote(secret)}", session_id="sess-3")) == "deny"
    read = call("Read", {"file_path": str(where.cwd / secret)}, session_id="sess-3")
    assert where.judge(read, ran=True) == "ask"
