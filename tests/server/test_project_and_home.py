"""The server's project root and home: a session's first root, ``project``/``home`` fields,
any user's credentials; over real HTTP and a real MCP client, on the bundled policy."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from support.server import Server

HOOK = "/v1/hooks/claude-code"


def _hook(server: Server, session: str, cwd: str, tool: str, **tool_input: object) -> str:
    payload = {
        "session_id": session,
        "cwd": cwd,
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
    }
    r = httpx.post(server.url + HOOK, json=payload, timeout=10)
    assert r.status_code == 200
    decision: str = r.json()["hookSpecificOutput"]["permissionDecision"]
    return decision


def _evaluate(server: Server, **body: Any) -> dict[str, Any]:
    r = httpx.post(server.url + "/v1/evaluate", json=body, timeout=10)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def test_http_hook_keeps_a_sessions_first_root(server: Server) -> None:
    edit = {"old_string": "a", "new_string": "b"}
    repo = "/home/alice/repo-proj-1"
    assert _hook(server, "proj-1", repo, "Edit", file_path=f"{repo}/a.md", **edit) == "allow"
    # `cd src` persisted: the project is still the first call's.
    assert _hook(server, "proj-1", f"{repo}/src", "Edit", file_path="../README.md", **edit) == (
        "allow"
    )
    # A session that starts in src: README is outside its project.
    assert _hook(server, "proj-2", f"{repo}/src", "Edit", file_path="../README.md", **edit) == (
        "ask"
    )


def test_rest_takes_project_and_home(server: Server) -> None:
    command = {"command": "rm -rf ../dist"}
    base = {"tool_name": "Bash", "tool_input": command, "cwd": "/home/alice/repo/src"}
    assert _evaluate(server, **base)["decision"] == "deny"
    assert _evaluate(server, **base, project="/home/alice/repo")["decision"] == "allow"
    write = {
        "tool_name": "Write",
        "tool_input": {"file_path": "~/repo/x.md", "content": "x"},
        "cwd": "/home/alice/repo",
    }
    assert _evaluate(server, **write)["decision"] == "ask"  # ~ is the server's home
    assert _evaluate(server, **write, home="/home/alice")["decision"] == "allow"
    r = httpx.post(server.url + "/v1/evaluate", json={**base, "project": "relative"}, timeout=10)
    assert r.status_code == 422
    assert "project" in r.text


def test_any_users_credentials_are_denied_whatever_user_the_server_runs_as(
    server: Server,
) -> None:
    for path in ("/home/alice/.aws/credentials", "/Users/bob/.ssh/id_rsa"):
        body = {"tool_name": "Read", "tool_input": {"file_path": path}, "cwd": "/home/alice/p"}
        assert _evaluate(server, **body)["decision"] == "deny"
        assert _hook(server, "cred-1", "/home/alice/p", "Read", file_path=path) == "deny"


async def _mcp(url: str) -> tuple[str, str, str]:
    args = {
        "tool_name": "Bash",
        "tool_input": {"command": "rm -rf ../dist"},
        "cwd": "/home/alice/repo/src",
    }
    async with Client(StreamableHttpTransport(url)) as client:
        bare = await client.call_tool("evaluate_tool_call", args)
        given = await client.call_tool(
            "evaluate_tool_call", {**args, "project": "/home/alice/repo"}
        )
        explained = await client.call_tool(
            "explain_tool_call", {**args, "project": "/home/alice/repo"}
        )
    assert bare.structured_content is not None
    assert given.structured_content is not None
    assert explained.structured_content is not None
    return (
        bare.structured_content["decision"],
        given.structured_content["decision"],
        explained.structured_content["decision"],
    )


def test_mcp_tools_take_a_project(server: Server) -> None:
    assert anyio.run(_mcp, server.url + "/mcp") == ("deny", "allow", "allow")
