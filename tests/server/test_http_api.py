"""REST, hook, health and OpenAPI routes, body limits and Host/Origin checks, over real HTTP."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from support.hook import call
from support.server import READ_DENY_POLICY, Server, clean_env

HOOK = "/v1/hooks/claude-code"


def _hook_input(
    tool: str, tool_input: dict[str, object], event: str = "PreToolUse"
) -> dict[str, object]:
    return call(tool, tool_input, cwd="/home/user/project", hook_event_name=event)


def test_healthz_and_readyz(read_policy_server: Server) -> None:
    r = httpx.get(f"{read_policy_server.url}/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    r = httpx.get(f"{read_policy_server.url}/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["error"] is None
    assert body["policy"]["rules"] == 2


@pytest.mark.parametrize(
    ("tool", "expected", "rule"),
    [("Read", "deny", "no-read"), ("Write", "ask", "ask-write"), ("Glob", "allow", None)],
)
def test_evaluate(read_policy_server: Server, tool: str, expected: str, rule: str | None) -> None:
    r = httpx.post(
        f"{read_policy_server.url}/v1/evaluate",
        json={
            "tool_name": tool,
            "tool_input": {"file_path": "/etc/hosts"},
            "cwd": "/tmp",
            "agent_id": "a1",
            "session_id": "s1",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["decision"] == expected
    assert r.json()["rule_id"] == rule
    assert r.json()["reason"]


@pytest.mark.parametrize(("command", "expected"), [("rm -rf ~", "deny"), ("ls", "allow")])
def test_evaluate_bundled_policy(server: Server, command: str, expected: str) -> None:
    r = httpx.post(
        f"{server.url}/v1/evaluate",
        json={"tool_name": "Bash", "tool_input": {"command": command}, "cwd": "/tmp"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["decision"] == expected, r.json()


def test_evaluate_reports_defer_with_its_reason(server: Server) -> None:
    # No rule has an opinion: REST says so (a REST caller treats it as "ask your user"),
    # and the HTTP hook answers no decision, so Claude Code's own settings decide.
    call = {"tool_name": "Bash", "tool_input": {"command": "frobnicate --x"}, "cwd": "/tmp"}
    r = httpx.post(f"{server.url}/v1/evaluate", json=call)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "decision": "defer",
        "reason": "No rule covers this call; the agent's own permission settings decide. "
        "No rule has an opinion on `frobnicate`.",
        "rule_id": None,
        "review": None,  # no reviewer was consulted
    }
    hook = {**call, "hook_event_name": "PreToolUse", "session_id": "s"}
    r = httpx.post(f"{server.url}{HOOK}", json=hook)
    assert r.status_code == 200
    assert r.json() == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tool_input": {}, "cwd": "/"}, "tool_name"),
        ({"tool_name": "Read", "tool_input": "x", "cwd": "/"}, "tool_input"),
        ({"tool_name": "Read", "tool_input": {}, "cwd": "relative"}, "cwd"),
    ],
)
def test_evaluate_rejects_bad_input_naming_the_field(
    read_policy_server: Server, body: dict[str, object], field: str
) -> None:
    r = httpx.post(f"{read_policy_server.url}/v1/evaluate", json=body)
    assert r.status_code == 422
    assert field in json.dumps(r.json()["detail"])


def test_hook_pre_tool_use(read_policy_server: Server) -> None:
    r = httpx.post(f"{read_policy_server.url}{HOOK}", json=_hook_input("Read", {"file_path": "/x"}))
    assert r.status_code == 200
    out = r.json()["hookSpecificOutput"]
    assert out["hookEventName"] == "PreToolUse"
    assert out["permissionDecision"] == "deny"
    assert "no-read" in out["permissionDecisionReason"]
    r = httpx.post(f"{read_policy_server.url}{HOOK}", json=_hook_input("Glob", {"pattern": "*"}))
    assert r.json()["hookSpecificOutput"]["permissionDecision"] == "allow"


def test_hook_permission_request_and_observed_events(read_policy_server: Server) -> None:
    r = httpx.post(
        f"{read_policy_server.url}{HOOK}",
        json=_hook_input("Read", {"file_path": "/x"}, event="PermissionRequest"),
    )
    assert r.json()["hookSpecificOutput"]["decision"]["behavior"] == "deny"
    r = httpx.post(
        f"{read_policy_server.url}{HOOK}", json=_hook_input("Read", {}, event="PostToolUse")
    )
    assert r.status_code == 200
    assert r.json() == {}


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (
            b'{"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": "ls"}',
            "tool_input",
        ),
        (b"", "empty"),
    ],
)
def test_hook_bad_input_fails_closed_with_200(
    read_policy_server: Server, raw: bytes, problem: str
) -> None:
    # Claude Code ignores non-2xx answers from an HTTP hook, so a refusal must be a 200.
    r = httpx.post(
        f"{read_policy_server.url}{HOOK}", content=raw, headers={"content-type": "application/json"}
    )
    assert r.status_code == 200
    out = r.json()["hookSpecificOutput"]
    assert out["permissionDecision"] == "ask"
    assert problem in out["permissionDecisionReason"]


def test_hook_endpoint_answers_like_the_command_hook(
    read_policy_server: Server, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("same") / "rules.yaml"
    path.write_text(READ_DENY_POLICY)
    for tool in ("Read", "Write", "Glob"):
        raw = json.dumps(_hook_input(tool, {"file_path": "/x"})).encode()
        local = subprocess.run(
            [sys.executable, "-m", "superego_mcp", "hook", "--rules", str(path)],
            input=raw,
            capture_output=True,
            env=clean_env(XDG_CACHE_HOME=str(path.parent)),
            timeout=30,
            check=False,
        )
        remote = httpx.post(f"{read_policy_server.url}{HOOK}", content=raw)
        assert json.loads(local.stdout) == remote.json(), local.stderr


def test_rules(read_policy_server: Server) -> None:
    r = httpx.get(f"{read_policy_server.url}/v1/rules")
    assert r.status_code == 200
    doc = r.json()
    assert [rule["id"] for rule in doc["rules"]] == ["no-read", "ask-write"]
    assert doc["digest"] == hashlib.sha256(READ_DENY_POLICY.encode()).hexdigest()
    assert doc["default"]["action"] == "allow"


def test_openapi_and_docs(read_policy_server: Server) -> None:
    spec = httpx.get(f"{read_policy_server.url}/openapi.json").json()
    for path in ("/v1/evaluate", HOOK, "/v1/rules", "/healthz", "/readyz"):
        assert path in spec["paths"]
    assert httpx.get(f"{read_policy_server.url}/docs").status_code == 200


def test_body_limit_declared_length(read_policy_server: Server) -> None:
    big = {"tool_name": "Write", "tool_input": {"content": "x" * 1_100_000}, "cwd": "/"}
    r = httpx.post(f"{read_policy_server.url}/v1/evaluate", json=big)
    assert r.status_code == 413


def _chunks(total: int, size: int = 65536) -> Iterator[bytes]:
    yield b'{"tool_name": "Write", "cwd": "/", "tool_input": {"content": "'
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size
    yield b'"}}'


def test_body_limit_chunked(read_policy_server: Server) -> None:
    # A generator body goes out chunked, without Content-Length.
    url = f"{read_policy_server.url}/v1/evaluate"
    headers = {"content-type": "application/json"}
    r = httpx.post(url, content=_chunks(1_100_000), headers=headers)
    assert r.status_code == 413
    r = httpx.post(url, content=_chunks(1000), headers=headers)
    assert r.status_code == 200
    assert r.json()["decision"] == "ask"


def test_oversized_hook_input_is_refused_not_waved_through(read_policy_server: Server) -> None:
    raw = json.dumps(_hook_input("Write", {"content": "x" * 1_100_000})).encode()
    r = httpx.post(f"{read_policy_server.url}{HOOK}", content=raw)
    assert r.status_code == 200
    assert r.json()["hookSpecificOutput"]["permissionDecision"] == "ask"
    assert "too large" in r.json()["hookSpecificOutput"]["permissionDecisionReason"]


@pytest.mark.parametrize("path", ["/mcp", "/sse", "/v1/rules", "/readyz"])
def test_foreign_host_is_refused(read_policy_server: Server, path: str) -> None:
    r = httpx.get(f"{read_policy_server.url}{path}", headers={"host": "evil.example"})
    assert r.status_code == 421


def test_foreign_origin_is_refused(read_policy_server: Server) -> None:
    init = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers = {"origin": "http://evil.example", "accept": "application/json, text/event-stream"}
    r = httpx.post(f"{read_policy_server.url}/mcp", json=init, headers=headers)
    assert r.status_code == 403
    r = httpx.get(f"{read_policy_server.url}/v1/rules", headers={"origin": "https://evil.example"})
    assert r.status_code == 403
    local = f"http://localhost:{read_policy_server.port}"
    assert (
        httpx.get(f"{read_policy_server.url}/v1/rules", headers={"origin": local}).status_code
        == 200
    )


def test_healthz_is_exempt_from_host_checks(read_policy_server: Server) -> None:
    r = httpx.get(f"{read_policy_server.url}/healthz", headers={"host": "superego:8642"})
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"host": "localhost.evil.example"}, 421),
        ({"host": "127.0.0.1.nip.io"}, 421),
        ({"host": "[::1]:8642"}, 200),
        ({"host": "LOCALHOST"}, 200),
        ({"origin": "null"}, 403),
        ({"origin": "file://"}, 403),
        # Another local port is another program's page (a dev server), not this server.
        ({"origin": "http://127.0.0.1:1"}, 403),
        ({"origin": "http://localhost:3000"}, 403),
        ({"origin": "https://127.0.0.1:SERVER_PORT"}, 403),
        ({"origin": "http://localhost:SERVER_PORT"}, 200),
        ({"origin": "http://127.0.0.1:SERVER_PORT"}, 200),
        ({"origin": "http://[::1]:SERVER_PORT"}, 200),
    ],
)
def test_host_and_origin_edge_cases(
    read_policy_server: Server, headers: dict[str, str], status: int
) -> None:
    port = str(read_policy_server.port)
    headers = {k: v.replace("SERVER_PORT", port) for k, v in headers.items()}
    r = httpx.get(f"{read_policy_server.url}/v1/rules", headers=headers)
    assert r.status_code == status
