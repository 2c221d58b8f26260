"""Smoke checks of an installed ``superego-mcp``: the command hook, the HTTP server (health,
REST, MCP over streamable HTTP) and MCP over stdio, each through a real subprocess and a
real client. Used for the lowest-direct install, where the installed program runs on the
oldest dependency versions pyproject.toml allows."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
from fastmcp import Client
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

STARTUP_SECONDS = 60.0  # a cold venv on a loaded 2-core machine


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    env.update(extra)
    return env


def _bash(command: str) -> bytes:
    return json.dumps(
        {
            "session_id": "s1",
            "transcript_path": "/tmp/t.jsonl",
            "cwd": "/tmp",
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": command},
            "tool_use_id": "toolu_1",
        }
    ).encode()


def hook_decision(program: Path, command: str, home: Path) -> str:
    """The command hook's permissionDecision for a Bash call (``{}`` answers are ``""``)."""
    proc = subprocess.run(
        [str(program), "hook"],
        input=_bash(command),
        capture_output=True,
        timeout=120,
        env=_env(home),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    out: dict[str, Any] = json.loads(proc.stdout or b"{}")
    decision: str = out.get("hookSpecificOutput", {}).get("permissionDecision", "")
    return decision


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_and_check(program: Path, home: Path) -> dict[str, Any]:
    """Start ``serve`` on a free 127.0.0.1 port, check /healthz, a REST hook decision and an
    MCP tool call over streamable HTTP, stop it with SIGTERM; what was seen."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = home / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(program), "serve", "--port", str(port)],
            env=_env(home),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        rest = httpx.post(
            f"{url}/v1/hooks/claude-code", content=_bash("rm -rf ~"), timeout=30
        ).json()

        async def mcp_call() -> Any:
            with anyio.fail_after(60):
                async with Client(f"{url}/mcp") as client:
                    args = {"tool_name": "Bash", "tool_input": {"command": "ls"}, "cwd": "/tmp"}
                    return (await client.call_tool("evaluate_tool_call", args)).structured_content

        mcp = anyio.run(mcp_call)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    return {"rest": rest, "mcp": mcp, "exit": code, "log": log.read_text(errors="replace")}


def stdio_tools(program: Path, home: Path) -> tuple[list[str], dict[str, Any]]:
    """The tool names and one evaluation from ``--transport stdio`` through the MCP SDK."""
    params = StdioServerParameters(
        command=str(program), args=["--transport", "stdio"], env=_env(home)
    )

    async def run() -> tuple[list[str], dict[str, Any]]:
        with anyio.fail_after(60):
            async with stdio_client(params) as (read, write), ClientSession(read, write) as s:
                await s.initialize()
                tools = sorted(t.name for t in (await s.list_tools()).tools)
                args = {"tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}, "cwd": "/"}
                result = await s.call_tool("evaluate_tool_call", args)
                return tools, dict(result.structured_content or {})

    return anyio.run(run)
