"""Hot reload with real file writes, SIGHUP, and graceful SIGTERM/SIGINT shutdown."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from support.server import READ_DENY_POLICY, clean_env, start_server

READ_ALLOW_POLICY = READ_DENY_POLICY.replace("action: deny", "action: allow").replace(
    "id: no-read", "id: read-ok"
)
BROKEN_POLICY = READ_DENY_POLICY.replace("    action: ask\n", "    action: sometimes\n")
BROKEN_LINE = BROKEN_POLICY.splitlines().index("    action: sometimes") + 1


def _read_decision(url: str) -> str:
    body = {"tool_name": "Read", "tool_input": {"file_path": "/x"}, "cwd": "/tmp"}
    decision: str = httpx.post(f"{url}/v1/evaluate", json=body).json()["decision"]
    return decision


def _within(seconds: float, check: Callable[[], bool]) -> float:
    """Poll ``check`` until true; the time it took. Fails after ``seconds``."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():
            return time.monotonic() - start
        time.sleep(0.02)
    raise AssertionError(f"not true within {seconds}s")


def _write(path: Path, text: str) -> None:
    # Editors often write a new file and rename it over the old one; do that.
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def test_reload_valid_broken_valid(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(READ_DENY_POLICY)
    server = start_server("--rules", str(rules))
    try:
        url = server.url
        assert _read_decision(url) == "deny"

        _write(rules, READ_ALLOW_POLICY)
        # In force within a second.
        _within(1.0, lambda: _read_decision(url) == "allow")
        assert httpx.get(f"{url}/readyz").status_code == 200

        rules.write_text(BROKEN_POLICY)  # in place this time
        _within(1.0, lambda: httpx.get(f"{url}/readyz").status_code == 503)
        ready = httpx.get(f"{url}/readyz").json()
        assert ready["status"] == "degraded"
        assert f"{rules}:{BROKEN_LINE}" in ready["error"]
        # The last good policy still decides.
        assert _read_decision(url) == "allow"
        assert f"{rules}:{BROKEN_LINE}" in server.output()  # logged with file and line

        _write(rules, READ_DENY_POLICY)
        _within(1.0, lambda: httpx.get(f"{url}/readyz").status_code == 200)
        assert _read_decision(url) == "deny"
        assert httpx.get(f"{url}/readyz").json()["error"] is None

        rules.unlink()  # a missing file is a failed reload too, not a crash
        _within(1.0, lambda: httpx.get(f"{url}/readyz").status_code == 503)
        assert _read_decision(url) == "deny"
    finally:
        assert server.stop() == 0


def test_sighup_reloads_without_polling(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(READ_DENY_POLICY)
    server = start_server("--rules", str(rules), env=clean_env(SUPEREGO_RELOAD="false"))
    try:
        _write(rules, READ_ALLOW_POLICY)
        time.sleep(0.8)  # several poll periods: with polling off nothing may change
        assert _read_decision(server.url) == "deny"
        server.proc.send_signal(signal.SIGHUP)
        _within(2.0, lambda: _read_decision(server.url) == "allow")
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_graceful_shutdown_finishes_in_flight_request(sig: signal.Signals) -> None:
    server = start_server()
    body = b'{"tool_name": "Glob", "tool_input": {"pattern": "*"}, "cwd": "/tmp"}'
    head = (
        f"POST /v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        # The request is in flight: headers and half the body are sent, the rest is not.
        conn.sendall(head + body[:20])
        time.sleep(0.3)
        signalled = time.monotonic()
        os.kill(server.proc.pid, sig)
        time.sleep(0.3)
        # A new connection is no longer accepted once shutdown has begun.
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
        conn.sendall(body[20:])
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer
    assert b'"decision":"allow"' in answer
    code = server.proc.wait(5)
    assert time.monotonic() - signalled < 5
    assert code == 0, server.output()
    server.stop()


def test_sigterm_with_an_open_sse_stream_exits_0_within_5s() -> None:
    server = start_server()
    with httpx.stream("GET", f"{server.url}/sse", timeout=10) as stream:
        lines = stream.iter_lines()
        assert next(lines).startswith("event: endpoint")
        signalled = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        code = server.proc.wait(5)
    assert time.monotonic() - signalled < 5
    assert code == 0, server.output()
    server.stop()


def test_reload_watches_every_layer_and_a_broken_one_keeps_the_last_good(
    tmp_path: Path,
) -> None:
    # A team file extends a shared file: both are layers in effect; the user layer does not
    # exist yet and is watched too.
    config = tmp_path / "config"
    user = config / "superego" / "policy.yaml"
    shared = tmp_path / "shared.yaml"
    shared.write_text(READ_DENY_POLICY)
    team = tmp_path / "team.yaml"
    team.write_text("version: 1\nextends: shared.yaml\n")
    env = clean_env(XDG_CONFIG_HOME=str(config))
    server = start_server("--rules", str(team), env=env)
    try:
        url = server.url
        assert _read_decision(url) == "deny"
        watching = httpx.get(f"{url}/readyz").json()["watching"]
        assert {str(shared), str(team), str(user)} <= set(watching)

        _write(shared, READ_ALLOW_POLICY)  # the extended file, not the one named
        _within(2.0, lambda: _read_decision(url) == "allow")

        # A user layer appears: its rule (tried first: priority 1) applies at once.
        user.parent.mkdir(parents=True)
        _write(
            user,
            "version: 1\nextends: none\nrules:\n  - {id: user-no-read, priority: 1, "
            "action: deny, reason: user says no, conditions: {tool: Read}}\n",
        )
        _within(2.0, lambda: _read_decision(url) == "deny")

        # A broken layer never replaces working rules; the error names its file and line.
        user.write_text("version: 1\nextends: nowhere.yaml\n")
        _within(2.0, lambda: httpx.get(f"{url}/readyz").status_code == 503)
        assert f"{user}:2" in httpx.get(f"{url}/readyz").json()["error"]
        assert _read_decision(url) == "deny"
    finally:
        assert server.stop() == 0
