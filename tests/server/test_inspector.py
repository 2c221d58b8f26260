"""The MCP Inspector recipe of docs/server.md, run for real: the Inspector's CLI starts
``superego-mcp stdio`` (and ``superego-mcp serve`` with ``SUPEREGO_TRANSPORT=stdio``) as its
stdio server and calls the tools.

The Inspector is a Node package; ``tests/server/inspector.sh`` installs it from npm into
``.tools/inspector`` (CI does, and sets ``SUPEREGO_REQUIRE_INSPECTOR`` so that a missing
install fails instead of skipping). Tests never reach the network themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from support.server import clean_env
from system_parts import skip_unless

_TOOLS = Path(__file__).resolve().parents[2] / ".tools" / "inspector"
LAUNCHER = _TOOLS / "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"
NODE = _TOOLS / "node"  # a link to Node >= 22, made by inspector.sh
# CI installs it first and sets SUPEREGO_REQUIRE_INSPECTOR: missing, it fails there.
pytestmark = skip_unless("inspector")


def _inspector(*args: str, **env: str) -> dict[str, Any]:
    # `superego-mcp` by name, as the recipe writes it: the test environment's scripts first.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    r = subprocess.run(
        # A slow, loaded machine can take longer than the Inspector's default 15 s to start a
        # Python server; that is not what this tests.
        [str(NODE), str(LAUNCHER), "--cli", "--connect-timeout", "120000", *args],
        capture_output=True,
        text=True,
        env=clean_env(PATH=path, **env),
        timeout=300,
        check=False,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    data: dict[str, Any] = json.loads(r.stdout)
    return data


def test_the_stdio_subcommand_under_the_inspector() -> None:
    listed = _inspector("superego-mcp", "stdio", "--method", "tools/list")
    assert {t["name"] for t in listed["tools"]} == {"evaluate_tool_call", "explain_tool_call"}
    called = _inspector(
        "superego-mcp",
        "stdio",
        "--method",
        "tools/call",
        "--tool-name",
        "evaluate_tool_call",
        "--tool-arg",
        "tool_name=Bash",
        'tool_input={"command": "rm -rf ~"}',
        "cwd=/tmp",
    )
    assert called["structuredContent"]["decision"] == "deny"
    assert called["structuredContent"]["rule_id"] == "deny-recursive-delete-home-or-root"


def test_serve_with_the_transport_from_the_environment_under_the_inspector() -> None:
    listed = _inspector(
        "-e", "SUPEREGO_TRANSPORT=stdio", "superego-mcp", "serve", "--method", "tools/list"
    )
    assert {t["name"] for t in listed["tools"]} == {"evaluate_tool_call", "explain_tool_call"}
