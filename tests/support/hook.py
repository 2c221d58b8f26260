"""Hook inputs as Claude Code sends them, and the real ``superego-mcp hook`` process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

# The console script installed by `uv sync`, next to the interpreter running the tests.
SCRIPT = shutil.which("superego-mcp", path=str(Path(sys.executable).parent))


class Result:
    """One finished hook process."""

    def __init__(self, proc: subprocess.CompletedProcess[bytes]) -> None:
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr.decode("utf-8", "replace")

    def json(self) -> dict[str, object]:
        data = json.loads(self.stdout)
        assert isinstance(data, dict)
        return data

    def pre_tool_use(self) -> tuple[str, str]:
        """(permissionDecision, reason) of a PreToolUse answer, checking its shape."""
        assert self.code == 0, self.stderr
        out = self.json()["hookSpecificOutput"]
        assert isinstance(out, dict)
        assert out["hookEventName"] == "PreToolUse"
        assert set(out) == {"hookEventName", "permissionDecision", "permissionDecisionReason"}
        assert out["permissionDecision"] in ("allow", "deny", "ask")
        assert len(out["permissionDecisionReason"]) <= 10_000
        return out["permissionDecision"], out["permissionDecisionReason"]


def call(tool: str, tool_input: dict[str, object], **extra: object) -> dict[str, object]:
    """A PreToolUse hook input as Claude Code sends it."""
    data: dict[str, object] = {
        "session_id": "s1",
        "transcript_path": "/tmp/t.jsonl",
        "cwd": "/tmp",
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
        "tool_use_id": "toolu_1",
    }
    data.update(extra)
    return data


def bash(command: str, **extra: object) -> dict[str, object]:
    """A PreToolUse Bash call."""
    return call("Bash", {"command": command, "description": "x"}, **extra)


def run_hook(
    payload: bytes | dict[str, object],
    *args: str,
    env: dict[str, str],
    cwd: str | Path | None = None,
    timeout: float = 60,
    module: bool = False,
) -> Result:
    """Run the real ``superego-mcp hook ARGS`` (``module``: as ``python -m superego_mcp``)
    with ``payload`` on stdin (a dict is sent as JSON)."""
    data = json.dumps(payload).encode() if isinstance(payload, dict) else payload
    assert SCRIPT is not None, "run `uv sync` first: the superego-mcp script is missing"
    argv = [sys.executable, "-m", "superego_mcp"] if module else [SCRIPT]
    proc = subprocess.run(
        [*argv, "hook", *args],
        input=data,
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    return Result(proc)


def warm(
    env: dict[str, str],
    cwd: str | Path,
    payload: dict[str, object],
    rules: str | None = None,
    config: str | None = None,
) -> None:
    """Fill the hook's compiled-policy cache for ``payload`` as ``superego-mcp hook [--rules
    RULES] [--config CONFIG]`` would see it from ``env`` and ``cwd``, in this process: a cache
    miss (pydantic, the whole bundled policy) can outlast the hook's own 5 s deadline on a
    loaded 2-core machine, so the hook under test should be a cache hit."""
    from superego_mcp.hook.agents.claude import parse_hook_input
    from superego_mcp.hook.cache import load
    from superego_mcp.hook.runner import _place

    saved, here = dict(os.environ), os.getcwd()
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        call = parse_hook_input(payload, default_cwd=str(cwd)).call
        assert call is not None
        _place(call)  # the project root is part of the cache key
        load(rules, config, call.project)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        os.chdir(here)


# A small policy of our own, so that these tests do not depend on the bundled one's rules.
POLICY = """\
version: 1
default: {action: ask, reason: "No rule covers this call."}
rules:
  - id: read-ok
    action: allow
    reason: reading files is fine
    conditions: {tool: Read}
  - id: no-write-etc
    action: deny
    reason: writing under /etc changes the system
    conditions: {tool: Write, path: "/etc/**"}
"""


def write_policy(directory: Path, text: str = POLICY) -> Path:
    """Write ``text`` as a policy file in ``directory``; return its path."""
    path = directory / "rules.yaml"
    path.write_text(text)
    return path


def read(path: str = "/tmp/notes.txt", **extra: object) -> dict[str, object]:
    """A PreToolUse Read call."""
    return call("Read", {"file_path": path}, **extra)
