"""A real server records every entry point's decisions; /v1/audit, the SSE stream and the
WebSocket serve them (real uvicorn, real httpx SSE reading, a real `websockets` client)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from support.server import Server, clean_env, start_server

TOKEN = "t0ken-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """One server with a token, its audit in a SQLite file of its own."""
    db = tmp_path_factory.mktemp("audit") / "audit.db"
    env = clean_env(
        SUPEREGO_AUDIT=f"sqlite://{db}", SUPEREGO_API_TOKEN=TOKEN, SUPEREGO_STREAM_QUEUE_SIZE="5"
    )
    s = start_server(env=env)
    yield s, db
    s.stop()


def _evaluate(url: str, command: str, session: str = "rest-1") -> dict[str, Any]:
    body = {"tool_name": "Bash", "tool_input": {"command": command}, "cwd": "/tmp"}
    body["session_id"] = session
    r = httpx.post(f"{url}/v1/evaluate", json=body, headers=AUTH, timeout=10)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def _hook(url: str, tool: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    body = {
        "session_id": "hook-1",
        "cwd": "/tmp",
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
    }
    r = httpx.post(f"{url}/v1/hooks/claude-code", json=body, headers=AUTH, timeout=10)
    assert r.status_code == 200
    data: dict[str, Any] = r.json()
    return data


async def _over_mcp(url: str, tool: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    """Call evaluate_tool_call with a real MCP client, then read the recent-decisions
    resource."""
    client: Client[Any] = Client(StreamableHttpTransport(f"{url}/mcp", headers=AUTH))
    async with client:
        await client.call_tool(
            "evaluate_tool_call", {"tool_name": tool, "tool_input": tool_input, "cwd": "/tmp"}
        )
        recent = await client.read_resource("superego://decisions/recent")
    data: dict[str, Any] = json.loads(recent[0].text)  # type: ignore[union-attr]
    return data


def _burst(db: Path, session: str, count: int) -> None:
    """``count`` rows committed at once by another process's writer (as hooks do): the
    stream's next poll publishes them in one go."""
    from audit_helpers import row

    from superego_mcp.audit.store import open_store

    store = open_store(f"sqlite://{db}")
    store.append_many([row(f"echo burst {i} {'x' * 500}", session=session) for i in range(count)])
    store.close()


def _audit(url: str, **params: str) -> dict[str, Any]:
    r = httpx.get(f"{url}/v1/audit", params=params, headers=AUTH, timeout=10)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def test_every_server_entry_point_is_recorded_and_queryable(
    audited: tuple[Server, Path],
) -> None:
    server, _ = audited
    answer = _evaluate(server.url, "git status # token=ghp_" + "a" * 36, session="entry-test")
    _hook(server.url, "Read", {"file_path": "/etc/shadow"})
    recent = asyncio.run(_over_mcp(server.url, "Bash", {"command": "rm -rf /"}))
    assert recent["items"][0]["entry"] == "mcp"  # the MCP resource of recent decisions

    rows = _audit(server.url, session="entry-test")["items"]
    assert len(rows) == 1
    rest = rows[0]
    assert rest["entry"] == "rest"
    assert rest["decision"] == answer["decision"]
    assert rest["rule"] == answer["rule_id"]
    assert rest["input"] == {"command": "git status # token=[REDACTED]"}
    assert rest["time"].endswith("Z")
    assert len(rest["policy_digest"]) == 64
    assert rest["latency_ms"] >= 0

    hook = _audit(server.url, entry="http-hook", tool="Read")["items"][0]
    assert hook["decision"] == "deny"
    assert hook["event"] == "PreToolUse"
    assert hook["session_id"] == "hook-1"
    mcp = _audit(server.url, entry="mcp")["items"][0]
    assert mcp["decision"] == "deny"
    assert mcp["input"] == {"command": "rm -rf /"}
    assert _audit(server.url, text="RM -RF /")["items"][0]["id"] == mcp["id"]


def test_a_lone_surrogate_leaves_a_row_on_every_entry_point(
    audited: tuple[Server, Path],
) -> None:
    """ "\\ud800" is valid JSON but not UTF-8: REST, the HTTP hook and MCP all record the
    call (with the escape), and the API gives the input back as sent."""
    server, _ = audited
    odd = "ls -la # \ud800 surrogate"
    for path, body in (
        (
            "/v1/evaluate",
            {
                "tool_name": "Bash",
                "tool_input": {"command": odd},
                "cwd": "/tmp",
                "session_id": "surrogate-rest",
            },
        ),
        (
            "/v1/hooks/claude-code",
            {
                "session_id": "surrogate-hook",
                "cwd": "/tmp",
                "hook_event_name": "PreToolUse",
                "tool_name": "Bash",
                "tool_input": {"command": odd},
            },
        ),
    ):
        raw = json.dumps(body)  # ASCII: the surrogate travels as its \\ud800 escape
        r = httpx.post(
            f"{server.url}{path}",
            content=raw,
            headers={**AUTH, "content-type": "application/json"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
    for session in ("surrogate-rest", "surrogate-hook"):
        (item,) = _audit(server.url, session=session)["items"]
        assert item["input"] == {"command": odd}
    # MCP: raw JSON-RPC (the MCP client libraries refuse to encode a lone surrogate).
    mcp = {**AUTH, "accept": "application/json, text/event-stream"}
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"},
        },
    }
    r = httpx.post(f"{server.url}/mcp", json=init, headers=mcp, timeout=10)
    assert r.status_code == 200, r.text
    mcp["mcp-session-id"] = r.headers["mcp-session-id"]
    note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    httpx.post(f"{server.url}/mcp", json=note, headers=mcp, timeout=10)
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {
            "name": "evaluate_tool_call",
            "arguments": {"tool_name": "Bash", "tool_input": {"command": "echo mcp # \ud800"}},
        },
    }
    r = httpx.post(
        f"{server.url}/mcp",
        content=json.dumps(call),
        headers={**mcp, "content-type": "application/json"},
        timeout=10,
    )
    # The MCP SDK's parser refuses a lone surrogate outright (JSON-RPC parse error): no
    # decision is made, so there is no row to lose.
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == -32700
    assert _audit(server.url, entry="mcp", text="echo mcp")["items"] == []


def test_audit_pages_with_a_cursor_and_refuses_bad_filters(audited: tuple[Server, Path]) -> None:
    server, _ = audited
    for i in range(5):
        _evaluate(server.url, f"echo page-{i}", session="paging")
    seen: list[int] = []
    cursor = ""
    while True:
        params = {"session": "paging", "limit": "2"}
        if cursor:
            params["cursor"] = cursor
        page = _audit(server.url, **params)
        seen += [r["id"] for r in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert len(seen) == 5
    assert seen == sorted(seen, reverse=True)
    for bad, word in (
        ({"decision": "maybe"}, "decision"),
        ({"since": "yesterday"}, "since"),
        ({"limit": "0"}, "limit"),
        ({"colour": "red"}, "colour"),
    ):
        r = httpx.get(f"{server.url}/v1/audit", params=bad, headers=AUTH, timeout=10)
        assert r.status_code == 422
        assert word in r.json()["detail"]
    assert httpx.get(f"{server.url}/v1/audit", timeout=10).status_code == 401


def _read_sse(response: httpx.Response, count: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(event, id, data) of the next ``count`` events of an open SSE response."""
    events: list[tuple[str, str, dict[str, Any]]] = []
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if line.startswith(":"):
            continue
        if line == "":
            if "data" in fields:
                events.append(
                    (
                        fields.get("event", "message"),
                        fields.get("id", ""),
                        json.loads(fields["data"]),
                    )
                )
                if len(events) == count:
                    return events
            fields = {}
            continue
        name, _, value = line.partition(":")
        fields[name] = value.lstrip(" ")
    return events


def test_sse_stream_filters_and_resumes_from_the_last_id(audited: tuple[Server, Path]) -> None:
    server, _ = audited
    url = f"{server.url}/v1/decisions/stream"
    with httpx.Client(timeout=20, headers=AUTH) as client:
        with client.stream("GET", url, params={"session": "sse-1"}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            _evaluate(server.url, "echo other", session="not-me")
            _evaluate(server.url, "echo one", session="sse-1")
            _evaluate(server.url, "echo two", session="sse-1")
            events = _read_sse(response, 2)
        assert [e[0] for e in events] == ["decision", "decision"]
        assert [e[2]["input"]["command"] for e in events] == ["echo one", "echo two"]
        assert [int(e[1]) for e in events] == [e[2]["id"] for e in events]
        first_id = events[0][1]
        # Resume after the first: the second comes again (from the store), then live ones.
        headers = {"Last-Event-ID": first_id}
        with client.stream("GET", url, params={"session": "sse-1"}, headers=headers) as response:
            _evaluate(server.url, "echo three", session="sse-1")
            resumed = _read_sse(response, 2)
        assert [e[2]["input"]["command"] for e in resumed] == ["echo two", "echo three"]


def test_a_slow_sse_subscriber_is_dropped_with_a_reason(audited: tuple[Server, Path]) -> None:
    server, db = audited
    url = f"{server.url}/v1/decisions/stream"
    # Queue size is 5 for this server: 40 rows arriving at once overflow a reader's queue
    # before it can read; it must get the `dropped` event, and decisions go on.
    with (
        httpx.Client(timeout=20, headers=AUTH) as client,
        client.stream("GET", url, params={"session": "slow"}) as response,
    ):
        lines = response.iter_lines()
        assert next(lines).startswith(":")  # subscribed
        _burst(db, "slow", 40)
        rest = list(lines)  # the server ends the response after the dropped event
        assert _evaluate(server.url, "echo still deciding", session="slow")["decision"]
    text = "\n".join(rest)
    assert "event: dropped" in text
    assert "slow subscriber: more than 5 events behind" in text
    # Rows written by another process (a command hook, another replica) were streamed.
    assert text.count("event: decision") <= 5


def test_websocket_stream_with_filters_resume_and_auth(audited: tuple[Server, Path]) -> None:
    server, _ = audited
    ws_url = server.url.replace("http://", "ws://") + "/v1/decisions/ws"

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        async with websockets.connect(f"{ws_url}?decision=deny", additional_headers=AUTH) as ws:
            await asyncio.to_thread(_evaluate, server.url, "ls", "ws-1")
            await asyncio.to_thread(_hook, server.url, "Read", {"file_path": "/root/.ssh/id_rsa"})
            live = [json.loads(await asyncio.wait_for(ws.recv(), 10))]
        async with websockets.connect(
            f"{ws_url}?decision=deny&last_id={live[0]['id'] - 1}", additional_headers=AUTH
        ) as ws:
            resumed = [json.loads(await asyncio.wait_for(ws.recv(), 10))]
        return live, resumed

    live, resumed = asyncio.run(scenario())
    assert live[0]["tool"] == "Read"
    assert live[0]["decision"] == "deny"
    assert resumed[0]["id"] == live[0]["id"]

    async def unauthorised() -> None:
        async with websockets.connect(ws_url) as ws:
            await ws.recv()

    with pytest.raises(websockets.exceptions.InvalidStatus) as info:
        asyncio.run(unauthorised())
    assert info.value.response.status_code in (401, 403)


def test_a_slow_websocket_subscriber_is_closed_with_the_reason(
    audited: tuple[Server, Path],
) -> None:
    server, db = audited
    ws_url = server.url.replace("http://", "ws://") + "/v1/decisions/ws?session=ws-slow"

    async def scenario() -> websockets.exceptions.ConnectionClosed:
        async with websockets.connect(ws_url, additional_headers=AUTH) as ws:
            await asyncio.to_thread(_burst, db, "ws-slow", 40)
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 10)
            except websockets.exceptions.ConnectionClosed as closed:
                return closed
        raise AssertionError("not closed")

    closed = asyncio.run(scenario())
    assert closed.rcvd is not None
    assert closed.rcvd.code == 1008
    assert "slow subscriber: more than 5 events behind" in closed.rcvd.reason
