"""`POST /v1/hooks/<agent>` for the other agents, over real HTTP: the same answers as the
command hook (`superego-mcp hook --agent NAME`), always 200 with a fail-closed answer in
the agent's format for bad or oversized input, and `--server` forwarding to that route."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from support.server import READ_DENY_POLICY, Server, clean_env

FIXTURES = Path(__file__).parent.parent / "hook" / "agent_fixtures"

# Under READ_DENY_POLICY (Read denied, Write asks, everything else allowed).
CASES = [
    ("codex", "codex_pre_tool_use_bash"),
    ("codex", "codex_pre_tool_use_apply_patch"),
    ("gemini", "gemini_before_tool_read"),
    ("gemini", "gemini_before_tool_write"),
    ("copilot", "copilot_pre_tool_use_live"),
    ("cursor", "cursor_before_read_file"),
    ("cursor", "cursor_pre_tool_use_shell"),
    ("opencode", "opencode_read"),
]


def _raw(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def _command_hook(agent: str, rules: Path, raw: bytes, *extra: str) -> dict[str, object]:
    argv = [sys.executable, "-m", "superego_mcp", "hook", "--agent", agent, "--rules", str(rules)]
    proc = subprocess.run(
        [*argv, *extra],
        input=raw,
        capture_output=True,
        env=clean_env(SUPEREGO_CACHE_DIR=str(rules.parent / "cache")),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert isinstance(data, dict)
    return data


def _warm(rules: Path) -> None:
    """Fill the command hook's policy cache for ``rules`` from this process (same env and
    cwd as _command_hook): a cache miss can outlast the hook's 5 s deadline under load."""
    from superego_mcp.hook.cache import load

    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(clean_env(SUPEREGO_CACHE_DIR=str(rules.parent / "cache")))
        load(str(rules), None, "/tmp")  # the project of the recorded payloads (cwd /tmp)
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("agents") / "rules.yaml"
    path.write_text(READ_DENY_POLICY)
    _warm(path)
    return path


@pytest.mark.parametrize(("agent", "name"), CASES)
def test_route_answers_like_the_command_hook(
    read_policy_server: Server, rules: Path, agent: str, name: str
) -> None:
    r = httpx.post(f"{read_policy_server.url}/v1/hooks/{agent}", content=_raw(name))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == _command_hook(agent, rules, _raw(name))


def test_route_decisions(read_policy_server: Server) -> None:
    url = read_policy_server.url
    gemini = httpx.post(f"{url}/v1/hooks/gemini", content=_raw("gemini_before_tool_read")).json()
    assert gemini["decision"] == "deny"
    assert "(rule no-read)" in gemini["reason"]
    write = httpx.post(f"{url}/v1/hooks/gemini", content=_raw("gemini_before_tool_write")).json()
    assert write["decision"] == "ask"
    cursor = httpx.post(f"{url}/v1/hooks/cursor", content=_raw("cursor_pre_tool_use_shell")).json()
    assert cursor == {"permission": "allow"}
    codex = httpx.post(f"{url}/v1/hooks/codex", content=_raw("codex_pre_tool_use_bash")).json()
    assert codex == {}  # allow: Codex's own approval flow


@pytest.mark.parametrize(
    ("agent", "blocked"),
    [
        ("codex", lambda d: d["hookSpecificOutput"]["permissionDecision"] == "deny"),
        ("gemini", lambda d: d["decision"] == "ask"),
        ("copilot", lambda d: d["permissionDecision"] == "ask"),
        ("cursor", lambda d: d["permission"] == "deny"),
        ("opencode", lambda d: d["decision"] == "ask"),
    ],
)
@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'{"tool_name": 3}'])
def test_bad_input_is_a_200_refusal(
    read_policy_server: Server, agent: str, blocked: object, raw: bytes
) -> None:
    r = httpx.post(f"{read_policy_server.url}/v1/hooks/{agent}", content=raw)
    assert r.status_code == 200
    assert callable(blocked)
    assert blocked(r.json()), r.json()
    assert "fails closed" in r.text


@pytest.mark.parametrize("agent", ["codex", "gemini", "copilot", "cursor", "opencode"])
def test_oversized_input_is_refused_in_the_agents_format(
    read_policy_server: Server, agent: str
) -> None:
    raw = json.dumps({"tool_name": "Write", "tool_input": {"content": "x" * 1_100_000}}).encode()
    r = httpx.post(f"{read_policy_server.url}/v1/hooks/{agent}", content=raw)
    assert r.status_code == 200
    assert "too large" in r.text
    assert r.json() not in ({}, {"permission": "allow"}, {"decision": "allow"})


def test_unknown_agent_is_404(read_policy_server: Server) -> None:
    r = httpx.post(f"{read_policy_server.url}/v1/hooks/windsurf", content=b"{}")
    assert r.status_code == 404


def test_openapi_lists_every_agent_route(read_policy_server: Server) -> None:
    paths = httpx.get(f"{read_policy_server.url}/openapi.json").json()["paths"]
    for agent in ("claude-code", "codex", "gemini", "copilot", "cursor", "opencode"):
        assert f"/v1/hooks/{agent}" in paths


def test_command_hook_forwards_to_the_agents_route(
    read_policy_server: Server, tmp_path: Path
) -> None:
    # Locally everything is asked; the server denies Read: the answer must be the server's.
    local = tmp_path / "local.yaml"
    local.write_text("version: 1\ndefault: {action: ask, reason: local policy}\nrules: []\n")
    _warm(local)
    raw = _raw("gemini_before_tool_read")
    # The hook waits 2 s for the server: let the route's first-call costs happen before.
    httpx.post(f"{read_policy_server.url}/v1/hooks/gemini", content=raw, timeout=60)
    forwarded = _command_hook("gemini", local, raw, "--server", read_policy_server.url)
    assert forwarded["decision"] == "deny"
    assert "(rule no-read)" in str(forwarded["reason"])
    alone = _command_hook("gemini", local, raw)
    assert alone["decision"] == "ask"
    assert "local policy" in str(alone["reason"])
