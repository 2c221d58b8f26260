"""Run the image's command line from nix/runtime-contract.json against the installed wheel.

The process gets the contract's environment and command (wildcard bind included, so the
token the docs tell users to pass is set), with a temp directory as the state volume and a
free port set the way a user overrides it: `SUPEREGO_PORT` in the environment, the one
source the server and the healthcheck both read. As root, it runs as the contract's
uid/gid, like the image.
It must answer the contract's healthcheck and stop cleanly on SIGTERM within the contract's
stop timeout.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging_helpers import contract

HEALTHY_WITHIN = 60.0  # seconds; server start-up on a loaded 2-core machine


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _program_argv() -> list[str]:
    """What tini runs: the entrypoint after ``--``, then the command."""
    c = contract()
    entrypoint: list[str] = c["entrypoint"]
    return [*entrypoint[entrypoint.index("--") + 1 :], *c["command"]]


@pytest.fixture
def state_dir() -> Iterator[Path]:
    """Stands in for the state volume: owned by the contract's uid when we can arrange it."""
    base = Path(tempfile.mkdtemp(prefix="superego-state-", dir="/tmp"))
    try:
        base.chmod(0o755)
        state = base / "state"
        state.mkdir(mode=0o750)
        if os.geteuid() == 0:
            user = contract()["user"]
            os.chown(state, user["uid"], user["gid"])
        yield state
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _environment(venv: Path, state: Path, port: int) -> dict[str, str]:
    c = contract()
    env: dict[str, str] = dict(c["environment"])
    state_volume = c["state_volume"]
    # Paths inside the image map onto the venv and the temp state directory.
    env = {k: v.replace(state_volume, str(state)) for k, v in env.items()}
    env["PATH"] = f"{venv / 'bin'}:/usr/bin:/bin"
    env["SUPEREGO_PORT"] = str(port)
    # SSL_CERT_FILE stays the image's path: tests/container checks that the bundle is there.
    # docs/nix.md: a wildcard bind needs a token (`-e SUPEREGO_API_TOKEN=...`).
    env["SUPEREGO_API_TOKEN"] = secrets.token_urlsafe(24)
    return env


def _as_contract_user() -> dict[str, Any]:
    if os.geteuid() != 0:
        return {}
    user = contract()["user"]
    return {"user": user["uid"], "group": user["gid"], "extra_groups": []}


def _healthcheck(argv: list[str], env: dict[str, str], cwd: Path) -> int:
    # The HEALTHCHECK's CMD form: argv after "CMD", same environment and user as the server.
    assert argv[0] == "CMD"
    return subprocess.run(
        argv[1:],
        env=env,
        cwd=cwd,
        capture_output=True,
        timeout=contract()["healthcheck"]["timeout_seconds"] + 5,
        check=False,
        **_as_contract_user(),
    ).returncode


def test_the_command_leaves_transport_host_and_port_to_the_environment() -> None:
    c = contract()
    argv = _program_argv()
    assert argv[0] == "superego-mcp"
    for option in ("--transport", "--host", "--port"):
        assert not any(a == option or a.startswith(f"{option}=") for a in argv), argv
    env = c["environment"]
    assert env["SUPEREGO_PORT"] == str(c["port"])
    assert {"SUPEREGO_TRANSPORT", "SUPEREGO_HOST"} <= set(env)


def test_contract_command_serves_answers_healthcheck_and_stops_on_sigterm(
    installed_venv: Path, state_dir: Path
) -> None:
    c = contract()
    port = _free_port()
    env = _environment(installed_venv, state_dir, port)
    health = c["healthcheck"]["test"]
    # Before the server runs, the healthcheck must say unhealthy (it is not a constant 0).
    assert _healthcheck(health, env, state_dir) != 0

    log = state_dir.parent / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            _program_argv(),
            env=env,
            cwd=state_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
            **_as_contract_user(),
        )
    try:
        deadline = time.monotonic() + HEALTHY_WITHIN
        healthy = False
        while time.monotonic() < deadline and proc.poll() is None:
            if _healthcheck(health, env, state_dir) == 0:
                healthy = True
                break
            time.sleep(0.5)
        assert healthy, f"not healthy (exit {proc.poll()}):\n{log.read_text(errors='replace')}"

        # Stop the way the container runtime does (tini forwards SIGTERM to the server).
        assert c["stop_signal"] == "SIGTERM"
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=c["stop_timeout_seconds"] + 5)
        took = time.monotonic() - started
        assert code == 0, log.read_text(errors="replace")
        assert took <= c["stop_timeout_seconds"], f"stopped after {took:.1f}s"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    # After the stop the healthcheck reports unhealthy again.
    assert _healthcheck(health, env, state_dir) != 0


def test_wildcard_bind_without_token_is_refused(installed_venv: Path, state_dir: Path) -> None:
    env = _environment(installed_venv, state_dir, _free_port())
    del env["SUPEREGO_API_TOKEN"]
    result = subprocess.run(
        _program_argv(),
        env=env,
        cwd=state_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        **_as_contract_user(),
    )
    assert result.returncode != 0
    assert "SUPEREGO_API_TOKEN" in result.stderr
