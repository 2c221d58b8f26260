"""The official MCP conformance suite's generic server scenarios against the real server.

The suite is a Node package (``@modelcontextprotocol/conformance``, which needs Node >= 22);
``tests/server/conformance.sh`` installs it from npm into ``.tools/`` and runs this module
with ``SUPEREGO_CONFORMANCE`` pointing at it. Without that variable the tests are skipped:
the suite is not a Python dependency and tests never reach the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from server_helpers import Server

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

SUITE = os.environ.get("SUPEREGO_CONFORMANCE", "")
NODE = os.environ.get("SUPEREGO_CONFORMANCE_NODE") or shutil.which("node") or "node"

pytestmark = pytest.mark.skipif(
    not SUITE,
    reason="SUPEREGO_CONFORMANCE is not set (run tests/server/conformance.sh to install the "
    "npm suite and run these)",
)


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
