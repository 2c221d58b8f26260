"""Helpers for the other agents' hook tests: their fixtures, a policy, answer checks."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "agent_fixtures"

# Rules in our vocabulary (Bash, Write, mcp__*), plus one that names Gemini's own tool.
AGENT_POLICY = """\
version: 1
default: {action: ask, reason: "No rule covers this call."}
rules:
  - id: deny-gemini-curl
    action: deny
    reason: Gemini may not download
    conditions: {tool: run_shell_command, shell: {program: curl}}
  - id: deny-rm
    action: deny
    reason: no deleting in these tests
    conditions: {shell: {program: rm}}
  - id: allow-echo
    action: allow
    reason: printing is fine
    conditions: {shell: {program: echo}}
  - id: deny-ssh
    action: deny
    reason: keys are private
    conditions: {path: "~/.ssh/**"}
  - id: allow-read
    action: allow
    reason: reading is fine
    conditions: {tool: [Read, Glob, Grep]}
  - id: ask-etc
    action: ask
    reason: changes under /etc need a person
    conditions: {tool: [Write, Edit], path: "/etc/**"}
  - id: allow-tmp-writes
    action: allow
    reason: scratch files are fine
    conditions: {tool: [Write, Edit], path: "/tmp/**"}
  - id: deny-mcp-delete
    action: deny
    reason: no deleting through MCP
    conditions: {tool: "mcp__*__delete_*"}
  - id: deny-metadata
    action: deny
    reason: cloud metadata is off limits
    conditions: {tool: WebFetch, param: {url: {regex: '169\\.254\\.169\\.254'}}}
  - id: allow-fetch
    action: allow
    reason: fetching is fine
    conditions: {tool: WebFetch}
"""


def warmed(directory: Path, text: str = AGENT_POLICY) -> Path:
    """Write ``text`` as ``directory/rules.yaml`` and fill the hook's compiled-policy cache
    for it from this process, for the projects the tests' calls have (``/tmp``, where the
    recorded payloads run, and ``directory``); the hook_env fixture has set HOME and the
    cache directory here too, and run_hook runs in ``directory``. The hook under test is
    then a cache hit: a miss (pydantic, compiling) can outlast the hook's 5 s deadline on a
    loaded 2-core machine."""
    import os

    from superego_mcp.hook.cache import load

    path = directory / "rules.yaml"
    path.write_text(text)
    here = os.getcwd()
    try:
        os.chdir(directory)
        for project in ("/tmp", str(directory)):
            load(str(path), None, project)
    finally:
        os.chdir(here)
    return path


def fixture(name: str) -> dict[str, object]:
    """One recorded payload (see agent_fixtures/SOURCES.md)."""
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    assert isinstance(data, dict)
    return data


def verdict(agent: str, code: int, stdout: bytes) -> str:
    """What the agent does with this answer: ``block``, ``ask``, ``allow`` (the hook said
    go ahead) or ``none`` (no decision: the agent's own flow), checking the answer's exact
    shape for that agent (docs/agents.md)."""
    if code == 2:
        return "block"  # every agent blocks on exit 2
    assert code == 0, f"exit {code}: no agent may get another code"
    data = json.loads(stdout)
    assert isinstance(data, dict)
    if agent == "codex":
        if not data:
            return "none"
        assert set(data) == {"hookSpecificOutput"}
        out = data["hookSpecificOutput"]
        if out["hookEventName"] == "PermissionRequest":
            assert set(out) == {"hookEventName", "decision"}
            behavior = out["decision"]["behavior"]
            if behavior == "deny":
                assert out["decision"]["message"].strip()
                return "block"
            assert set(out["decision"]) == {"behavior"}
            return "allow"
        # Codex accepts only deny, with a non-empty reason, and nothing else in the object.
        assert set(out) == {"hookEventName", "permissionDecision", "permissionDecisionReason"}
        assert out["hookEventName"] == "PreToolUse"
        assert out["permissionDecision"] == "deny"
        assert out["permissionDecisionReason"].strip()
        return "block"
    if agent == "gemini":
        if not data:
            return "none"
        if data["decision"] == "allow":
            assert set(data) == {"decision"}
            return "allow"
        assert set(data) == {"decision", "reason", "systemMessage"}
        assert data["reason"].strip()
        return {"deny": "block", "ask": "ask"}[data["decision"]]
    if agent == "copilot":
        if not data:
            return "none"
        assert set(data) == {"permissionDecision", "permissionDecisionReason"}
        assert data["permissionDecisionReason"].strip()
        return {"deny": "block", "ask": "ask", "allow": "allow"}[data["permissionDecision"]]
    if agent == "cursor":
        if not data:
            return "none"  # an event that is not judged (observed only)
        if data["permission"] == "allow":
            assert set(data) == {"permission"}
            return "allow"
        assert data["permission"] == "deny"
        assert set(data) == {"permission", "user_message", "agent_message"}
        assert data["user_message"] == data["agent_message"]
        assert data["user_message"].strip()
        return "block"
    if agent == "opencode":
        assert set(data) == {"decision", "reason"}
        # The plugin returns on allow / defer and throws (blocks) on everything else.
        return {"allow": "allow", "defer": "none"}.get(data["decision"], "block")
    raise AssertionError(agent)


def reason(stdout: bytes) -> str:
    """The text the model would read, whatever the agent's shape."""
    data = json.loads(stdout)
    if "hookSpecificOutput" in data:
        out = data["hookSpecificOutput"]
        return str(out.get("permissionDecisionReason") or out.get("decision", {}).get("message"))
    for key in ("reason", "permissionDecisionReason", "agent_message"):
        if key in data:
            return str(data[key])
    return ""
