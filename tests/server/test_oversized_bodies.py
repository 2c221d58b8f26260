"""Every entry answers, whatever the size (issue 22.1). An oversized body is read to its end
and thrown away before the answer goes out, so the client reads the answer instead of a
connection reset: the agents' HTTP hooks (Node's fetch) get their fail-closed JSON with 200
on every hook route, REST and MCP get 413 with their error shape. Real server, real Node."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from superego_mcp.hook.agents import AGENTS, ROUTES
from support.server import Server, clean_env, start_server
from system_parts import require

MIB = 1024 * 1024
SIZES = {"1.5MiB": 3 * MIB // 2, "8MiB": 8 * MIB, "64MiB": 64 * MIB}

# Node's fetch, as the agents' HTTP hooks use it: a Write of `size` bytes to ~/.bashrc.
NODE_CLIENT = r"""
const [url, size, tries] = process.argv.slice(2);
const body = JSON.stringify({
  session_id: "s", transcript_path: "/tmp/t", cwd: "/tmp", hook_event_name: "PreToolUse",
  tool_name: "Write",
  tool_input: { file_path: "/root/.bashrc", content: "x".repeat(Number(size)) },
});
(async () => {
  const out = [];
  for (let i = 0; i < Number(tries); i++) {
    try {
      const headers = { "content-type": "application/json" };
      const r = await fetch(url, { method: "POST", body, headers });
      out.push({ status: r.status, body: await r.text() });
    } catch (e) {
      out.push({ error: String(e.cause || e) });
    }
  }
  console.log(JSON.stringify(out));
})();
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = clean_env(SUPEREGO_AUDIT="off")
    srv = start_server(env=env)
    yield srv
    srv.stop()


def _node(url: str, size: int, tries: int, tmp_path: Path) -> list[dict[str, object]]:
    node = require("node")
    script = tmp_path / "client.mjs"
    script.write_text(NODE_CLIENT)
    proc = subprocess.run(
        [node, str(script), url, str(size), str(tries)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    answers: list[dict[str, object]] = json.loads(proc.stdout)
    return answers


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_node_fetch_always_gets_the_fail_closed_answer(
    server: Server, size: int, tmp_path: Path
) -> None:
    answers = _node(f"{server.url}/v1/hooks/claude-code", size, 5, tmp_path)
    for answer in answers:
        assert answer.get("status") == 200, answer  # never a connection error
        output = json.loads(str(answer["body"]))["hookSpecificOutput"]
        assert output["permissionDecision"] in ("deny", "ask"), output
        assert "too large" in output["permissionDecisionReason"]


@pytest.mark.parametrize("agent", sorted(AGENTS))
def test_every_agent_route_answers_its_fail_closed_json(
    server: Server, agent: str, tmp_path: Path
) -> None:
    (answer,) = _node(f"{server.url}{ROUTES[agent]}", 2 * MIB, 1, tmp_path)
    assert answer.get("status") == 200, answer
    body = str(answer["body"])
    assert "too large" in body, body


def test_python_client_streaming_a_chunked_body_gets_the_answer(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"tool_name": "Write", "tool_input": {"content": "'
        for _ in range(16):
            yield b"x" * MIB
        yield b'"}}'

    answer = httpx.post(f"{server.url}/v1/hooks/claude-code", content=chunks(), timeout=120)
    assert answer.status_code == 200
    assert answer.json()["hookSpecificOutput"]["permissionDecision"] in ("deny", "ask")


@pytest.mark.parametrize("path", ["/v1/evaluate", "/mcp"])
def test_rest_and_mcp_get_413_with_their_error_shape(server: Server, path: str) -> None:
    big = json.dumps({"tool_name": "Bash", "tool_input": {"command": "x" * (8 * MIB)}})
    answer = httpx.post(
        f"{server.url}{path}",
        content=big,
        headers={
            "content-type": "application/json",
            "accept": "application/json, text/event-stream",
        },
        timeout=120,
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "payload_too_large"
