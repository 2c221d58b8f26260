"""MCP over stdio when the client closes stdin right after its last request: every request
read is still answered (the SDK alone cancels requests in flight at end of input, which lost
the last answer of most piped runs). Real server processes, raw JSON-RPC over pipes."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from support.server import clean_env

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "pipe", "version": "1"},
    },
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def _evaluate(request_id: int | str, command: str) -> dict[str, object]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {
            "name": "evaluate_tool_call",
            "arguments": {"tool_name": "Bash", "tool_input": {"command": command}, "cwd": "/tmp"},
        },
    }


def _start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "superego_mcp", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )


def _answers(
    proc: subprocess.Popen[bytes], messages: list[dict[str, object]]
) -> dict[object, dict[str, Any]]:
    out, err = proc.communicate(b"".join(json.dumps(m).encode() + b"\n" for m in messages), 180)
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    found: dict[object, dict[str, Any]] = {}
    for line in out.splitlines():
        message = json.loads(line)  # stdout carries JSON-RPC and nothing else
        found[message.get("id")] = message
    return found


def test_every_request_read_before_end_of_input_is_answered() -> None:
    # Several processes at once: the race is between the answer and the end of input.
    runs = [
        (_start("stdio"), [INIT, INITIALIZED, _evaluate(2, "ls"), _evaluate("x3", "rm -rf ~")]),
        (_start("serve", "--transport", "stdio"), [INIT, INITIALIZED, _evaluate(2, "ls")]),
        (_start("stdio"), [INIT, INITIALIZED, *(_evaluate(i, "git status") for i in range(2, 8))]),
    ]
    for proc, messages in runs:
        answers = _answers(proc, messages)
        wanted = {m["id"] for m in messages if "id" in m}
        assert set(answers) == wanted
        for request_id in wanted - {1}:
            result = answers[request_id]["result"]
            assert result["structuredContent"]["decision"] in ("allow", "deny", "ask", "defer")
    first = _answers(_start("stdio"), [INIT, INITIALIZED, _evaluate("x3", "rm -rf ~")])
    assert first["x3"]["result"]["structuredContent"]["decision"] == "deny"
