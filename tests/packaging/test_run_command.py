"""The run command of the README and docs/development-setup.md installs the runtime
dependencies only, in an environment of its own: the development `.venv` (the test
command's) keeps its tools."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import importlib.util, json, sys; "
    "print(json.dumps([sys.prefix] + [m for m in sys.argv[1:] if importlib.util.find_spec(m)]))"
)
DEV_TOOLS = ["pytest", "mypy", "ruff", "playwright", "hypothesis", "kubernetes_validate"]


def _run_commands() -> list[list[str]]:
    """Every way the README and docs/development-setup.md run Superego from a checkout."""
    found = []
    for doc in ("README.md", "docs/development-setup.md"):
        text = (ROOT / doc).read_text()
        pattern = r"python3 scripts/uv\.py run [^`\n]*?superego-mcp (?:serve|--version)"
        found += [m.split() for m in re.findall(pattern, text)]
    return found


def test_the_readme_run_command_has_no_dev_tools_and_spares_the_dev_venv() -> None:
    commands = _run_commands()
    assert commands, "no run command found in the README or docs/development-setup.md"
    for argv in commands:  # every one of them: runtime dependencies only, the .venv spared
        assert {"--no-dev", "--isolated"} <= set(argv), argv
    argv = commands[0]
    # The same command, with a probe in place of the server: what its environment holds.
    probe = [sys.executable, *argv[1:-2], "python", "-c", PROBE, "superego_mcp", *DEV_TOOLS]
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="never")
    env.pop("VIRTUAL_ENV", None)
    r = subprocess.run(
        probe, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert r.returncode == 0, r.stderr
    prefix, *found = json.loads(r.stdout.strip().splitlines()[-1])
    assert found == ["superego_mcp"]
    assert Path(prefix).resolve() != (ROOT / ".venv").resolve()
    # The development environment still has its tools.
    for tool in ("pytest", "mypy", "playwright"):
        assert any((ROOT / ".venv" / "lib").glob(f"python3*/site-packages/{tool}")), tool
