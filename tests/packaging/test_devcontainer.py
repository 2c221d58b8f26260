"""The dev container wraps the flake's dev shell, and .vscode/launch.json's configurations
work: the server starts under debugpy and a debugger attaches to it (a real DAP session).

What cannot run here: building the dev container (no registry for its base image, no Nix
builds); docs/development-setup.md says so.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from packaging_helpers import ROOT


def _json(path: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((ROOT / path).read_text())
    return data


def test_devcontainer_applies_the_dev_shell_to_the_whole_container() -> None:
    config = _json(".devcontainer/devcontainer.json")
    features = config["features"]
    assert isinstance(features, dict)
    nix = next(v for k, v in features.items() if "/features/nix:" in k)
    assert "flakes" in nix["extraNixConfig"]
    # The store survives container rebuilds.
    assert {"source": "superego-mcp-nix-store", "target": "/nix", "type": "volume"} in config[
        "mounts"
    ]  # type: ignore[operator]
    # The dev shell's environment reaches VS Code's extension host, not only terminals.
    assert config["userEnvProbe"] == "loginInteractiveShell"
    assert config["onCreateCommand"] == "bash .devcontainer/dev-env.sh"
    script = (ROOT / ".devcontainer" / "dev-env.sh").read_text()
    assert "nix print-dev-env > .devshell/env.sh" in script
    assert 'ln -sfn "$venv" .devshell/venv' in script
    settings = config["customizations"]["vscode"]["settings"]  # type: ignore[index]
    venv_bin = "${containerWorkspaceFolder}/.devshell/venv/bin"
    assert settings["python.defaultInterpreterPath"] == f"{venv_bin}/python"
    assert settings["ruff.path"] == [f"{venv_bin}/ruff"]
    assert settings["mypy-type-checker.path"] == [f"{venv_bin}/mypy"]
    assert 8642 in config["forwardPorts"]  # type: ignore[operator]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _dap(sock: socket.socket, seq: int, command: str, arguments: dict[str, object]) -> None:
    body = json.dumps(
        {"seq": seq, "type": "request", "command": command, "arguments": arguments}
    ).encode()
    sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)


def _dap_messages(sock: socket.socket, want: str, deadline: float) -> dict[str, object]:
    buffer = b""
    while time.monotonic() < deadline:
        while b"\r\n\r\n" in buffer:
            header, _, rest = buffer.partition(b"\r\n\r\n")
            length = int(header.split(b":")[1])
            if len(rest) < length:
                break
            message: dict[str, object] = json.loads(rest[:length])
            buffer = rest[length:]
            if message.get("command") == want and message.get("type") == "response":
                return message
        chunk = sock.recv(65536)
        if not chunk:
            break
        buffer += chunk
    raise AssertionError(f"no {want} response from debugpy")


@pytest.mark.timeout(600)
def test_launch_configurations_start_and_attach_to_the_server(tmp_path: Path) -> None:
    launch = _json(".vscode/launch.json")
    configs = {c["name"]: c for c in launch["configurations"]}  # type: ignore[attr-defined]
    serve = next(c for c in configs.values() if c["request"] == "launch" and "serve" in c["args"])
    attach = next(c for c in configs.values() if c["request"] == "attach")
    assert serve["module"] == "superego_mcp"
    assert attach["connect"]["host"] == "127.0.0.1"

    # What the attach configuration expects: the server started under debugpy. Same module
    # and arguments as the launch configuration; a free port instead of 8642 and 5678.
    debug_port, http_port = _free_port(), _free_port()
    argv = [*serve["args"]]
    argv[argv.index("--port") + 1] = str(http_port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEREGO_")}
    env.update(serve.get("env", {}), HOME=str(tmp_path))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "debugpy",
            "--listen",
            f"127.0.0.1:{debug_port}",
            "-m",
            serve["module"],
            *argv,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # debugpy listens before the program runs: attach, list threads, then the server
        # comes up under the debugger (slowly: the debugger traces every import).
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "the server under debugpy exited"
            try:
                sock = socket.create_connection(("127.0.0.1", debug_port), timeout=30)
                break
            except OSError:
                assert time.monotonic() < deadline, "debugpy is not listening"
                time.sleep(0.3)
        with sock:
            _dap(sock, 1, "initialize", {"adapterID": "debugpy", "clientID": "test"})
            reply = _dap_messages(sock, "initialize", time.monotonic() + 60)
            assert reply["success"] is True
            _dap(sock, 2, "attach", {"justMyCode": attach.get("justMyCode", True)})
            _dap(sock, 3, "configurationDone", {})
            _dap(sock, 4, "threads", {})
            threads = _dap_messages(sock, "threads", time.monotonic() + 60)
            assert threads["success"] is True
            assert threads["body"]["threads"]  # type: ignore[index]
            deadline = time.monotonic() + 240
            while True:
                assert proc.poll() is None, "the server under debugpy exited"
                assert time.monotonic() < deadline, "not healthy under debugpy"
                try:
                    if httpx.get(f"http://127.0.0.1:{http_port}/healthz", timeout=2).is_success:
                        break
                except httpx.TransportError:
                    time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
