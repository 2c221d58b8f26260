"""The hook path: importing the policy package and evaluating a cached (unpickled) policy
loads neither PyYAML nor pydantic, dataclasses, pathlib, typing or contextlib, nor what only
some commands need (scripts, code given as text, SQL)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

from superego_mcp.policy import load_policy

FORBIDDEN = (
    "yaml",
    "pydantic",
    "dataclasses",
    "pathlib",
    "superego_mcp.policy.loader",
    # Milliseconds each on every call: type names are for the type checker only
    # (TYPE_CHECKING = False, docs/architecture.md), tree_sitter's package imports typing.
    "typing",
    "contextlib",
    "importlib.util",
    "tree_sitter",
    # Scripts, tasks and their project-file parsers: only for a command that runs one.
    "superego_mcp.shell.scripts",
    "superego_mcp.shell.taskfiles",
    "superego_mcp.shell.runners",
    "superego_mcp.shell.runnerfiles",
    "tomllib",
    # Code given as text (interpreters, eval, git -c, downloads), SQL (clients, --sql
    # options), xargs' word splitting: only for a command that has some.
    "superego_mcp.shell.code_text",
    "superego_mcp.policy.sql",
    "shlex",
    # The hook's alarms use _signal: signal.py builds enums of every signal on import.
    "signal",
)

PROBE = """
import json, pickle, sys
import superego_mcp.policy
from superego_mcp.model import ToolCall
after_import = sorted(m for m in {forbidden!r} if m in sys.modules)
with open(sys.argv[1], "rb") as fh:
    policy = pickle.load(fh)
d = policy.evaluate(ToolCall("Read", {{"file_path": "/home/user/.ssh/id_rsa"}}, "/home/user/p"),
                    home="/home/user")
after_tool = sorted(m for m in {forbidden!r} if m in sys.modules)
b = policy.evaluate(ToolCall("Bash", {{"command": "ls && rm -rf ~"}}, "/home/user/p"),
                    home="/home/user")
chain = "cd src && git status && ls -la | grep x && cargo build"
c = policy.evaluate(ToolCall("Bash", {{"command": chain}}, "/home/user/p"), home="/home/user")
after_shell = sorted(m for m in {forbidden!r} if m in sys.modules)
print(json.dumps([after_import, after_tool, after_shell, d.action, b.action, c.action]))
"""


def test_unpickled_policy_evaluates_without_heavy_imports(tmp_path: Path) -> None:
    cached = tmp_path / "policy.pickle"
    cached.write_bytes(pickle.dumps(load_policy(None)))
    probe = PROBE.format(forbidden=FORBIDDEN)
    r = subprocess.run(
        [sys.executable, "-c", probe, str(cached)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    after_import, after_tool, after_shell, *actions = json.loads(r.stdout)
    assert actions == ["deny", "deny", "allow"]
    assert after_import == [], after_import
    assert after_tool == [], after_tool
    assert after_shell == [], after_shell
