"""Bearer-token auth on every route but /healthz; start-up refusals; healthcheck; config."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import SSETransport, StreamableHttpTransport

from support.server import Server, clean_env, free_port, start_server

TOKEN = "s3cret-token-for-tests"
APP_ORIGIN = "https://app.example"

PROTECTED = [
    ("GET", "/readyz"),
    ("GET", "/docs"),
    ("GET", "/openapi.json"),
    ("GET", "/v1/rules"),
    ("POST", "/v1/evaluate"),
    ("POST", "/v1/hooks/claude-code"),
    ("POST", "/v1/hooks/codex"),
    ("POST", "/v1/hooks/gemini"),
    ("POST", "/v1/hooks/copilot"),
    ("POST", "/v1/hooks/cursor"),
    ("POST", "/v1/hooks/opencode"),
    ("POST", "/mcp"),
    ("GET", "/sse"),
    ("POST", "/messages/"),
]


@pytest.fixture(scope="module")
def token_server() -> Iterator[Server]:
    env = clean_env(
        SUPEREGO_API_TOKEN=TOKEN,
        SUPEREGO_CORS_ORIGINS=f'["{APP_ORIGIN}"]',
        SUPEREGO_ALLOWED_HOSTS='["superego.internal", "*.svc.local"]',
        SUPEREGO_SHELL_MAX_LENGTH="50",
    )
    s = start_server(env=env)
    yield s
    s.stop()


def _superego(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "superego_mcp", *args],
        capture_output=True,
        text=True,
        env=env or clean_env(),
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize("auth", [None, "Bearer wrong-token", f"Basic {TOKEN}", TOKEN])
def test_missing_or_wrong_token_is_401(
    token_server: Server, method: str, path: str, auth: str | None
) -> None:
    headers = {"authorization": auth} if auth else {}
    r = httpx.request(method, f"{token_server.url}{path}", headers=headers, json={})
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert TOKEN not in r.text


def test_healthz_needs_no_token(token_server: Server) -> None:
    assert httpx.get(f"{token_server.url}/healthz").status_code == 200


def test_right_token_is_let_in(token_server: Server) -> None:
    headers = {"authorization": f"Bearer {TOKEN}"}
    for path in ("/readyz", "/docs", "/openapi.json", "/v1/rules"):
        assert httpx.get(f"{token_server.url}{path}", headers=headers).status_code == 200
    body = {"tool_name": "Glob", "tool_input": {"pattern": "*"}, "cwd": "/tmp"}
    r = httpx.post(f"{token_server.url}/v1/evaluate", json=body, headers=headers)
    assert r.status_code == 200
    # The scheme is case-insensitive.
    r = httpx.get(f"{token_server.url}/v1/rules", headers={"authorization": f"bearer {TOKEN}"})
    assert r.status_code == 200


def test_mcp_clients_with_token(token_server: Server) -> None:
    async def run(transport: Any) -> list[str]:
        async with Client(transport) as client:
            return [t.name for t in await client.list_tools()]

    for transport in (
        StreamableHttpTransport(f"{token_server.url}/mcp", auth=TOKEN),
        SSETransport(f"{token_server.url}/sse", auth=TOKEN),
    ):
        assert "evaluate_tool_call" in anyio.run(run, transport)


def test_cors_only_when_configured(token_server: Server, server: Server) -> None:
    # A preflight carries no credentials; it is answered before the token check.
    preflight = {
        "origin": APP_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }
    r = httpx.options(f"{token_server.url}/v1/evaluate", headers=preflight)
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == APP_ORIGIN
    r = httpx.get(
        f"{token_server.url}/v1/rules",
        headers={"origin": APP_ORIGIN, "authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == APP_ORIGIN
    # An origin not on the list gets no CORS headers (and the Origin check refuses it).
    r = httpx.options(
        f"{token_server.url}/v1/evaluate", headers={**preflight, "origin": "https://other.example"}
    )
    assert "access-control-allow-origin" not in r.headers
    # Without cors_origins there is no CORS at all.
    r = httpx.get(f"{server.url}/v1/rules", headers={"origin": f"http://localhost:{server.port}"})
    assert "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("superego.internal", 200),
        ("api.svc.local:8642", 200),
        ("127.0.0.1", 200),
        ("evil.example", 421),
    ],
)
def test_allowed_hosts(token_server: Server, host: str, status: int) -> None:
    headers = {"host": host, "authorization": f"Bearer {TOKEN}"}
    assert httpx.get(f"{token_server.url}/v1/rules", headers=headers).status_code == status


@pytest.mark.parametrize(("command", "expected"), [("ls", "allow"), ("ls " + "a" * 60, "ask")])
def test_shell_limits_from_settings_reach_the_analyzer(
    token_server: Server, command: str, expected: str
) -> None:
    body = {"tool_name": "Bash", "tool_input": {"command": command}, "cwd": "/tmp"}
    headers = {"authorization": f"Bearer {TOKEN}"}
    r = httpx.post(f"{token_server.url}/v1/evaluate", json=body, headers=headers)
    assert r.json()["decision"] == expected


def test_token_is_never_logged(token_server: Server) -> None:
    httpx.get(f"{token_server.url}/v1/rules", headers={"authorization": "Bearer nope"})
    assert TOKEN not in token_server.output()


def test_non_loopback_bind_without_token_refuses_to_start() -> None:
    r = _superego("serve", "--transport", "http", "--host", "0.0.0.0", "--port", str(free_port()))
    assert r.returncode == 2
    assert "SUPEREGO_API_TOKEN" in r.stderr
    assert "Traceback" not in r.stderr


def test_bad_setting_is_a_clear_error(tmp_path: Path) -> None:
    cfg = tmp_path / "superego.yaml"
    cfg.write_text("port: 99999\n")
    r = _superego("serve", "--config", str(cfg))
    assert r.returncode == 2
    assert "port" in r.stderr
    assert str(cfg) in r.stderr
    assert "Traceback" not in r.stderr
    r = _superego("serve", env=clean_env(SUPEREGO_FAIL_MODE="allow"))
    assert r.returncode == 2
    assert "SUPEREGO_FAIL_MODE" in r.stderr


def test_a_bad_flag_is_blamed_not_the_environment(tmp_path: Path) -> None:
    r = _superego("serve", "--port", "99999")
    assert r.returncode == 2
    assert "port 99999 (from the --port flag)" in r.stderr
    assert "SUPEREGO_PORT" not in r.stderr
    # The same value from the environment names the variable, and a file names the file.
    r = _superego("serve", env=clean_env(SUPEREGO_PORT="99999"))
    assert "(from SUPEREGO_PORT)" in r.stderr
    cfg = tmp_path / "s.yaml"
    cfg.write_text("port: 99999\n")
    r = _superego("serve", "--config", str(cfg))
    assert f"(from {cfg})" in r.stderr


def test_broken_policy_at_startup_names_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nrules:\n  - id: x\n    action: maybe\n    reason: r\n    conditions: {}\n"
    )
    r = _superego("serve", "--rules", str(rules), "--port", str(free_port()))
    assert r.returncode == 2
    assert f"{rules}:4" in r.stderr
    assert "Traceback" not in r.stderr


def test_config_show_masks_the_token_and_layers_sources(tmp_path: Path) -> None:
    cfg = tmp_path / "superego.yaml"
    cfg.write_text(f"port: 9100\nhost: 127.0.0.1\napi_token: {TOKEN}\nfail_mode: deny\n")
    r = _superego("config", "show", "--config", str(cfg), env=clean_env(SUPEREGO_PORT="9200"))
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    assert shown["api_token"] == "********"
    assert TOKEN not in r.stdout
    assert shown["port"] == 9200  # the environment wins over the file
    assert shown["fail_mode"] == "deny"


def test_healthcheck(server: Server) -> None:
    assert _superego("healthcheck", "--url", server.url).returncode == 0
    env = clean_env(SUPEREGO_PORT=str(server.port), SUPEREGO_HOST="0.0.0.0")
    assert _superego("healthcheck", env=env).returncode == 0
    r = _superego("healthcheck", "--url", f"http://127.0.0.1:{free_port()}", "--timeout", "2")
    assert r.returncode == 1
    assert "healthz" in r.stderr


def test_global_port_and_host_reach_every_subcommand_that_uses_them(
    server: Server, tmp_path: Path
) -> None:
    # The environment names another port: the flags, before or after the subcommand, win.
    elsewhere = clean_env(SUPEREGO_PORT=str(free_port()))
    port = str(server.port)
    assert _superego("--port", port, "healthcheck", env=elsewhere).returncode == 0
    assert _superego("healthcheck", "--port", port, env=elsewhere).returncode == 0
    assert _superego("--host", "127.0.0.1", "--port", port, "healthcheck").returncode == 0
    # ... and a healthy server on another port is not taken for the one the flag names.
    assert (
        _superego(
            "--port", str(free_port()), "healthcheck", env=clean_env(SUPEREGO_PORT=port)
        ).returncode
        == 1
    )
    shown = _superego("--port", "9311", "--host", "127.0.0.2", "config", "show", env=elsewhere)
    assert shown.returncode == 0, shown.stderr
    assert (json.loads(shown.stdout)["port"], json.loads(shown.stdout)["host"]) == (
        9311,
        "127.0.0.2",
    )
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(HOME=str(home))
    r = _superego("--port", "9312", "hooks", "install", "--mode", "http", env=env)
    assert r.returncode == 0, r.stderr
    settings = json.loads((home / ".claude" / "settings.json").read_text())
    assert "http://127.0.0.1:9312/v1/hooks/claude-code" in json.dumps(settings)
