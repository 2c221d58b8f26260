"""A response's head and body leave in one write (server/coalesce.py), over a real socket;
nothing is lost, reordered or held past the loop's turn, and a real server answers through it."""

from __future__ import annotations

import asyncio
import json

import httpx

from superego_mcp.server.coalesce import GatheringTransport
from support.server import clean_env, start_server

HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n"


async def _pair() -> tuple[asyncio.Transport, list[bytes], asyncio.StreamReader, asyncio.Server]:
    """A real loopback connection: the client's transport, with each write it is given
    noted, and the server side's reader."""
    accepted: asyncio.Queue[asyncio.StreamReader] = asyncio.Queue()

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accepted.put(reader)

    server = await asyncio.start_server(on_client, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport, _ = await asyncio.get_running_loop().create_connection(
        asyncio.Protocol, "127.0.0.1", port
    )
    writes: list[bytes] = []
    real = transport.write

    def noted(data: bytes) -> None:
        writes.append(bytes(data))
        real(data)

    transport.write = noted  # type: ignore[method-assign]
    return transport, writes, await accepted.get(), server  # type: ignore[return-value]


def test_head_and_body_go_out_in_one_write() -> None:
    async def run() -> None:
        transport, writes, reader, server = await _pair()
        gathering = GatheringTransport(transport, asyncio.get_running_loop())
        gathering.write(HEAD)
        assert writes == []  # held for its body
        gathering.write(b"{}")
        assert writes == [HEAD + b"{}"]
        gathering.write(b"more")  # not a head: at once
        assert writes[-1] == b"more"
        assert await reader.readexactly(len(HEAD) + 6) == HEAD + b"{}more"
        gathering.close()
        server.close()

    asyncio.run(run())


def test_a_head_without_body_leaves_at_the_end_of_the_turn_and_close_sends_it() -> None:
    async def run() -> None:
        transport, writes, reader, server = await _pair()
        gathering = GatheringTransport(transport, asyncio.get_running_loop())
        gathering.write(HEAD)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert writes == [HEAD]
        gathering.write(HEAD)
        assert gathering.get_write_buffer_size() >= len(HEAD)
        gathering.close()  # what is held goes first
        assert writes == [HEAD, HEAD]
        assert await reader.read() == HEAD + HEAD
        server.close()

    asyncio.run(run())


def test_a_real_server_answers_through_it() -> None:
    server = start_server(env=clean_env(SUPEREGO_AUDIT="off"))
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            for command in ("ls", "rm -rf ~"):
                body = {
                    "session_id": "s",
                    "cwd": "/tmp",
                    "hook_event_name": "PreToolUse",
                    "tool_name": "Bash",
                    "tool_input": {"command": command},
                }
                r = http.post("/v1/hooks/claude-code", content=json.dumps(body))
                assert r.status_code == 200
                assert r.headers["content-length"] == str(len(r.content))
                json.loads(r.content)
            assert http.get("/healthz").json() == {"status": "ok"}
            assert http.head("/healthz").status_code in (200, 405)
    finally:
        server.stop()
