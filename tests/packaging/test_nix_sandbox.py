"""`nix flake check`'s pytest in a simulated build sandbox (tests/packaging/nix_sandbox.py):
no PostgreSQL or chromium but what the check's inputs provide, no network, no HOME, only a
Nix build's programs. The check once failed there (the audit and dashboard fixtures raised
instead of skipping), and CI's Nix job stopped before building the image.

Running the whole check here would double the suite's time, so this runs its command on the
modules that depend on the machine: the audit store (PostgreSQL from the check's inputs,
found on PATH), the OpenCode plugin (node: absent, skipped), the MCP conformance and
Inspector suites (absent, skipped), project roots (git from the inputs), the docs' examples
and settings table (docs/ and scripts/ in the check's source) and the deployment files.
`python tests/packaging/nix_sandbox.py` runs the whole check the same way by hand.
"""

from __future__ import annotations

import os
import re
import shutil

import nix_sandbox
import pytest

MODULES = [
    "tests/audit/test_store.py",
    "tests/hook/test_agents_install.py",
    "tests/server/test_conformance.py",
    "tests/server/test_inspector.py",
    "tests/policy/test_project_root.py",
    "tests/docs",
    "tests/deploy",
]
# What may be missing in the sandbox, each skipping with its one line (tests/system_parts.py).
MAY_SKIP = ("node is not installed", "npm is not installed", "conformance", "inspector")

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("dpkg") is None,
    reason="the sandbox simulation needs root, unshare and dpkg (Debian; CI runs as root)",
)


def test_the_check_reads_its_command_inputs_and_source_from_checks_nix() -> None:
    command = nix_sandbox.check_command()
    assert command[0] == "pytest"
    assert "--ignore=tests/dashboard" in command  # chromium cannot run there: left out by name
    assert {"git", "postgresql"} <= set(nix_sandbox.check_inputs())
    assert {"src", "tests", "docs", "scripts", "deploy"} <= set(nix_sandbox.source_files())


@pytest.mark.timeout(1800)
def test_the_checks_pytest_passes_without_the_machines_parts() -> None:
    result = nix_sandbox.run(["-rs", "-p", "no:randomly", *MODULES], timeout=1500)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-6000:]
    summary = out.strip().splitlines()[-1]
    assert " error" not in summary, summary
    skips = re.findall(r"^SKIPPED \[\d+\] [^:]+:\d+: (.*)$", out, re.M)
    unexpected = [s for s in skips if not any(part in s for part in MAY_SKIP)]
    assert unexpected == [], unexpected
    # PostgreSQL came from the check's inputs (found on PATH) and its tests ran.
    assert re.search(r"\d+ passed", summary), summary
    assert not any("postgresql is not installed" in s for s in skips)
