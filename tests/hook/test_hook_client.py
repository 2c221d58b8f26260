"""`superego-mcp hook --server URL` against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from support.hook import POLICY, SCRIPT, read, write_policy

ROUTE = "/v1/hooks/claude-code"
DENY = {
    "hookSpecificOutput": {
        "hookEventName": "PreToolUse",
        "permissionDecision": "deny",
        "permissionDecisionReason": "the server says no",
    }
}


class FakeSuperego:
    """A tiny server speaking the hook route's JSON; ``reply`` says how to answer."""

    def __init__(self) -> None:
        self.reply: tuple[int, bytes] | str = (200, json.dumps(DENY).encode())
        self.seen: list[tuple[str, dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.seen.append((self.path, dict(self.headers), body))
                if outer.reply == "hang":
                    time.sleep(4)
                    return
                if outer.reply == "redirect":
                    self.send_response(307)
                    self.send_header("Location", ROUTE + "/elsewhere")
                    self.end_headers()
                    return
                assert not isinstance(outer.reply, str)
                status, data = outer.reply
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def server() -> Iterator[FakeSuperego]:
    fake = FakeSuperego()
    thread = threading.Thread(target=fake.httpd.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.httpd.shutdown()
    fake.httpd.server_close()


def test_the_server_answer_is_used_and_the_token_sent_never_shown(
    run_hook, server: FakeSuperego, tmp_path: Path
) -> None:
    payload = read()
    token = "tok-" + "x" * 20
    r = run_hook(
        payload,
        "--server",
        server.url,
        "--rules",
        str(write_policy(tmp_path)),
        env={"SUPEREGO_API_TOKEN": token},
    )
    # the local policy would allow this Read: the deny can only come from the server
    assert r.pre_tool_use() == ("deny", "the server says no")
    [(path, headers, body)] = server.seen
    assert path == ROUTE
    assert headers["Authorization"] == f"Bearer {token}"
    # Forwarded as received, plus what only the hook process knows: the project and home.
    assert json.loads(body) == {**payload, "project_dir": "/tmp", "home": str(tmp_path / "home")}
    assert token not in r.stdout.decode() + r.stderr


def test_the_agents_project_dir_and_home_reach_the_server(
    run_hook, server: FakeSuperego, tmp_path: Path
) -> None:
    project = tmp_path / "home" / "repo"
    run_hook(
        read(cwd=str(project / "src")),
        "--server",
        server.url,
        env={"CLAUDE_PROJECT_DIR": str(project), "HOME": "/home/alice"},
    )
    [(_, _, body)] = server.seen
    sent = json.loads(body)
    assert (sent["project_dir"], sent["home"]) == (str(project), "/home/alice")
    # Fields the input already has are left as they are.
    server.seen.clear()
    run_hook(read(project_dir="/srv/app", home="/home/bob"), "--server", server.url)
    [(_, _, body)] = server.seen
    sent = json.loads(body)
    assert (sent["project_dir"], sent["home"]) == ("/srv/app", "/home/bob")


@pytest.mark.parametrize(
    "reply",
    [
        (500, b'{"detail": "boom"}'),
        (401, b'{"detail": "no token"}'),
        (200, b"not json"),
        (
            200,
            b'{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "yes"}}',
        ),
        (200, b"[]"),
        "redirect",
    ],
)
def test_a_bad_answer_falls_back_to_local_or_denies(
    run_hook, server: FakeSuperego, tmp_path: Path, reply: object
) -> None:
    server.reply = reply  # type: ignore[assignment]
    rules = str(write_policy(tmp_path))
    local = run_hook(read(), "--server", server.url, "--rules", rules)
    assert local.pre_tool_use()[0] == "allow", local.pre_tool_use()  # the local policy decided
    assert "server" in local.stderr
    strict = run_hook(read(), "--server", server.url, "--rules", rules, "--on-server-error", "deny")
    decision, reason = strict.pre_tool_use()
    assert decision == "deny"
    assert server.url in reason


def test_a_deferring_server_is_passed_through(
    run_hook, server: FakeSuperego, tmp_path: Path
) -> None:
    # `{}` is how the server renders defer (no rule has an opinion): Claude Code's own
    # permission settings decide, even where the local policy would have allowed.
    server.reply = (200, b"{}")
    rules = str(write_policy(tmp_path))
    r = run_hook(read(), "--server", server.url, "--rules", rules, "--on-server-error", "deny")
    assert r.code == 0, r.stderr
    assert r.json() == {}


def test_an_unreachable_server(run_hook, tmp_path: Path, server: FakeSuperego) -> None:
    url = server.url
    server.httpd.shutdown()
    server.httpd.server_close()
    rules = str(write_policy(tmp_path))
    assert run_hook(read(), "--server", url, "--rules", rules).pre_tool_use()[0] == "allow"
    r = run_hook(read(), "--server", url, "--rules", rules, "--on-server-error", "deny")
    assert r.pre_tool_use()[0] == "deny"


def test_a_server_that_hangs_times_out(run_hook, server: FakeSuperego, tmp_path: Path) -> None:
    server.reply = "hang"
    r = run_hook(
        read(),
        "--server",
        server.url,
        "--rules",
        str(write_policy(tmp_path)),
        "--on-server-error",
        "deny",
    )
    assert r.pre_tool_use()[0] == "deny"


def test_proxy_settings_are_ignored(run_hook, server: FakeSuperego, tmp_path: Path) -> None:
    proxy = {"http_proxy": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "no_proxy": ""}
    r = run_hook(read(), "--server", server.url, "--rules", str(write_policy(tmp_path)), env=proxy)
    assert r.pre_tool_use()[0] == "deny"
    assert len(server.seen) == 1


def test_a_bad_url_is_a_server_error(run_hook, tmp_path: Path) -> None:
    r = run_hook(
        read(),
        "--server",
        "file:///etc/passwd",
        "--rules",
        str(write_policy(tmp_path)),
        "--on-server-error",
        "deny",
    )
    assert r.pre_tool_use()[0] == "deny"


def test_permission_request_no_decision_from_the_server_is_passed_on(
    run_hook, server: FakeSuperego, tmp_path: Path
) -> None:
    server.reply = (200, b"{}")
    r = run_hook(
        {**read(), "hook_event_name": "PermissionRequest"},
        "--server",
        server.url,
        "--rules",
        str(write_policy(tmp_path)),
    )
    assert r.code == 0
    assert r.json() == {}
    assert len(server.seen) == 1


def test_credentials_in_the_server_url_are_never_shown(run_hook, tmp_path: Path) -> None:
    url = "http://user:hunter2@127.0.0.1:9/base?key=hunter2"
    r = run_hook(
        read(), "--server", url, "--rules", str(write_policy(tmp_path)), "--on-server-error", "deny"
    )
    decision, reason = r.pre_tool_use()
    assert decision == "deny"
    assert "http://127.0.0.1:9" in reason
    assert "hunter2" not in r.stdout.decode() + r.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_against_the_real_superego_server(
    run_hook, hook_env: dict[str, str], tmp_path: Path
) -> None:
    assert SCRIPT is not None
    served = tmp_path / "served"
    served.mkdir()
    server_rules = write_policy(served)  # Read: allow
    local_rules = write_policy(tmp_path, POLICY.replace("action: allow", "action: deny", 1))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    token = "real-server-token-0123456789"
    env = {**hook_env, "SUPEREGO_API_TOKEN": token}
    proc = subprocess.Popen(
        [
            SCRIPT,
            "serve",
            "--transport",
            "http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--rules",
            str(server_rules),
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1):
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        r = run_hook(
            read(), "--server", url, "--rules", str(local_rules), env={"SUPEREGO_API_TOKEN": token}
        )
        assert r.pre_tool_use()[0] == "allow"  # the server's policy, with the token accepted
        r = run_hook(
            read(),
            "--server",
            url,
            "--rules",
            str(local_rules),
            env={"SUPEREGO_API_TOKEN": "wrong"},
        )
        assert r.pre_tool_use()[0] == "deny"  # refused by the server: the local policy decided
        assert "401" in r.stderr or "403" in r.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=30)
