"""The official MCP conformance suite's generic server scenarios against the real server.

The suite is a Node package (``@modelcontextprotocol/conformance``, which needs Node >= 22);
``tests/server/conformance.sh`` installs it from npm into ``.tools/conformance`` and runs this
module; once installed, a plain ``pytest`` runs it too (``SUPEREGO_CONFORMANCE`` may point
elsewhere). Without it the tests are skipped: the suite is not a Python dependency, and
tests never reach the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support.server import Server
from system_parts import find, skip_unless

# Scenarios any MCP server must pass. The suite's other server scenarios call tools,
# resources and prompts of its reference "everything" server by name (test_image_content,
# test://static-text, ...), which a policy server does not have.
GENERIC_SCENARIOS = [
    "server-initialize",
    "ping",
    "logging-set-level",
    "tools-list",
    "tools-call-error",
    "resources-list",
    "prompts-list",
    "server-sse-multiple-streams",
    "dns-rebinding-protection",
]

# Where conformance.sh installs Node 22 when the system Node is older.
_NODE22 = Path(__file__).resolve().parents[2] / ".tools/conformance/node22/node_modules/.bin/node"

SUITE = find("conformance") or ""
NODE = (
    os.environ.get("SUPEREGO_CONFORMANCE_NODE")
    or (str(_NODE22) if _NODE22.is_file() else None)
    or shutil.which("node")
    or "node"
)

# CI installs the suite first and sets SUPEREGO_REQUIRE_CONFORMANCE: missing, it fails there.
pytestmark = skip_unless("conformance")


@pytest.mark.parametrize("scenario", GENERIC_SCENARIOS)
def test_conformance_scenario(server: Server, scenario: str) -> None:
    r = subprocess.run(
        [
            NODE,
            SUITE,
            "server",
            "--url",
            f"http://localhost:{server.port}/mcp",
            "--scenario",
            scenario,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert " 0 failed" in r.stdout
