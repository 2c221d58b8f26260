"""Duplicate JSON keys are refused on every entry point with one message: REST, MCP over
streamable HTTP and stdio, the HTTP hook and the command hook. Which value of a repeated key
counts depends on the reader, so the guard could judge one command and the agent run the
other (`{"command": "rm -rf ~", "command": "ls"}` was allowed by REST as `ls`)."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx

from support.server import Server, clean_env

MESSAGE = "duplicate key 'command' in JSON input"
DUPLICATED = '{"command": "rm -rf ~", "command": "ls"}'
JSON = {"content-type": "application/json"}


def test_rest_refuses_a_repeated_key(server: Server) -> None:
    body = '{"tool_name": "Bash", "tool_input": ' + DUPLICATED + ', "cwd": "/tmp"}'
    r = httpx.post(f"{server.url}/v1/evaluate", content=body, headers=JSON, timeout=30)
    assert r.status_code == 422
    assert r.json() == {"detail": MESSAGE}
    plain = body.replace('"command": "rm -rf ~", ', "")
    ok = httpx.post(f"{server.url}/v1/evaluate", content=plain, headers=JSON, timeout=30)
    assert ok.status_code == 200, ok.text


def test_mcp_over_http_refuses_a_repeated_key(server: Server) -> None:
    body = (
        '{"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": '
        '"evaluate_tool_call", "arguments": {"tool_name": "Bash", "tool_input": '
        + DUPLICATED
        + "}}}"
    )
    headers = {**JSON, "accept": "application/json, text/event-stream"}
    r = httpx.post(f"{server.url}/mcp", content=body, headers=headers, timeout=30)
    assert r.status_code == 400
    assert r.json() == {"jsonrpc": "2.0", "id": 7, "error": {"code": -32600, "message": MESSAGE}}


def test_the_http_hook_refuses_a_repeated_key(server: Server) -> None:
    body = (
        '{"session_id": "s", "cwd": "/tmp", "hook_event_name": "PreToolUse", '
        '"tool_name": "Bash", "tool_input": ' + DUPLICATED + "}"
    )
    r = httpx.post(f"{server.url}/v1/hooks/claude-code", content=body, headers=JSON, timeout=30)
    out = r.json()["hookSpecificOutput"]
    assert out["permissionDecision"] in ("deny", "ask")
    assert MESSAGE in out["permissionDecisionReason"]


def test_the_command_hook_refuses_a_repeated_key() -> None:
    body = (
        '{"session_id": "s", "cwd": "/tmp", "hook_event_name": "PreToolUse", '
        '"tool_name": "Bash", "tool_input": ' + DUPLICATED + "}"
    )
    r = subprocess.run(
        [sys.executable, "-m", "superego_mcp", "hook"],
        input=body,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=False,
    )
    out = json.loads(r.stdout)["hookSpecificOutput"]
    assert out["permissionDecision"] in ("deny", "ask")
    assert MESSAGE in out["permissionDecisionReason"]


def test_mcp_over_stdio_refuses_a_repeated_key() -> None:
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "test", "version": "0"},
        },
    }
    call = (
        '{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": '
        '"evaluate_tool_call", "arguments": {"tool_name": "Bash", "tool_input": '
        + DUPLICATED
        + "}}}"
    )
    stdin = (
        json.dumps(initialize)
        + "\n"
        + '{"jsonrpc": "2.0", "method": "notifications/initialized"}\n'
    )
    r = subprocess.run(
        [sys.executable, "-m", "superego_mcp", "stdio"],
        input=stdin + call + "\n",
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=False,
    )
    answers = {m.get("id"): m for m in map(json.loads, r.stdout.splitlines())}
    assert "result" in answers[1]
    assert answers[2] == {"jsonrpc": "2.0", "id": 2, "error": {"code": -32600, "message": MESSAGE}}
