"""Every secret of the redaction corpus, sent through a real server by REST and the HTTP hook,
never appears in any place a decision goes: the SQLite file and its WAL, `audit export`,
`/v1/audit`, the SSE and WebSocket streams (replayed from the start), the explain and
dashboard JSON, the server's log (debug level, JSON lines), the metrics."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import httpx
import websockets
from test_redaction import CORPUS

import superego_mcp
from superego_mcp.redact import MASK
from support.server import clean_env, start_server

TOKEN = "t0ken-for-redaction-places"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _sse_all(url: str, count: int) -> str:
    lines: list[str] = []
    seen = 0
    with (
        httpx.Client(timeout=30, headers={**AUTH, "Last-Event-ID": "0"}) as client,
        client.stream("GET", f"{url}/v1/decisions/stream") as response,
    ):
        for line in response.iter_lines():
            lines.append(line)
            seen += line.startswith("event: decision")
            if seen == count:
                break
    return "\n".join(lines)


async def _ws_all(url: str, count: int) -> str:
    ws_url = url.replace("http://", "ws://") + "/v1/decisions/ws?last_id=0"
    got = []
    async with websockets.connect(ws_url, additional_headers=AUTH) as ws:
        for _ in range(count):
            got.append(await asyncio.wait_for(ws.recv(), 20))
    return "\n".join(str(m) for m in got)


def test_no_secret_reaches_any_store_stream_or_view(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    env = clean_env(
        SUPEREGO_AUDIT=f"sqlite://{db}",
        SUPEREGO_API_TOKEN=TOKEN,
        SUPEREGO_LOG_LEVEL="debug",
        SUPEREGO_LOG_FORMAT="json",
    )
    server = start_server(env=env)
    try:
        with httpx.Client(timeout=30, headers=AUTH) as client:
            for i, (text, _) in enumerate(CORPUS):
                body = {"tool_name": "Bash", "tool_input": {"command": text}, "cwd": "/tmp"}
                r = client.post(f"{server.url}/v1/evaluate", json={**body, "session_id": f"s{i}"})
                assert r.status_code == 200, r.text
                hook = {
                    "session_id": f"h{i}",
                    "cwd": "/tmp",
                    "hook_event_name": "PreToolUse",
                    "tool_name": "WebFetch",
                    "tool_input": {"url": "https://example.com/", "prompt": text},
                }
                r = client.post(f"{server.url}/v1/hooks/claude-code", json=hook)
                assert r.status_code == 200, r.text
            rows = client.get(f"{server.url}/v1/audit", params={"limit": "500"}).json()["items"]
            assert len(rows) == 2 * len(CORPUS)
            places = {"/v1/audit": json.dumps(rows)}
            places["explain"] = "\n".join(
                client.get(f"{server.url}/v1/audit/{row['id']}/explain").text for row in rows
            )
            for view in ("overview", "rules"):
                places[view] = client.get(f"{server.url}/v1/dashboard/{view}").text
            places["/metrics"] = client.get(f"{server.url}/metrics").text
        places["SSE"] = _sse_all(server.url, len(rows))
        places["WebSocket"] = asyncio.run(_ws_all(server.url, len(rows)))
        # Read while the server runs: the WAL still holds the latest pages.
        places["SQLite file"] = db.read_bytes().decode("latin-1")
        wal = db.with_name("audit.db-wal")
        places["SQLite WAL"] = wal.read_bytes().decode("latin-1") if wal.exists() else ""
        export = subprocess.run(
            [sys.executable, "-m", "superego_mcp", "audit", "export", "--format", "jsonl"],
            env=clean_env(SUPEREGO_AUDIT=f"sqlite://{db}"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert export.returncode == 0, export.stderr
        places["audit export"] = export.stdout
    finally:
        server.stop()
    places["server log"] = server.log.read_text(errors="replace")
    assert MASK in places["/v1/audit"]
    assert places["audit export"].count("\n") == 2 * len(CORPUS)
    # The rules view shows the policy itself, whose examples may quote a documented sample
    # key (AWS's AKIAIOSFODNN7EXAMPLE): that is the policy's text, not a call's.
    policy = (Path(superego_mcp.__file__).parent / "data" / "default_policy.yaml").read_text()
    for place, content in places.items():
        for text, secret in CORPUS:
            if place == "rules" and secret in policy:
                continue
            assert secret not in content, (place, text)
