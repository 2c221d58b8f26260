"""Session memory in the server: a file written in one call of a session and run in a later
one is asked about, over the real HTTP hook route and REST, and the memory is the one the
command hook keeps on this machine (same cache directory); docs/rules.md "Session memory"."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.server import Server, clean_env, start_server

HOOK = "/v1/hooks/claude-code"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("memory-cache")


@pytest.fixture(scope="module")
def server(cache: Path) -> Iterator[Server]:
    s = start_server(env=clean_env(SUPEREGO_CACHE_DIR=str(cache)))
    yield s
    s.stop()


def _hook(
    server: Server, session: str, cwd: Path, tool: str, **tool_input: object
) -> tuple[str, str]:
    payload = {
        "session_id": session,
        "cwd": str(cwd),
        "project_dir": str(cwd),
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
    }
    r = httpx.post(server.url + HOOK, json=payload, timeout=30)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()["hookSpecificOutput"]
    return out["permissionDecision"], out["permissionDecisionReason"]


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "job.rb").write_text("puts 1\n")
    return project


def test_write_then_run_over_the_http_hook(server: Server, tmp_path: Path) -> None:
    project = _project(tmp_path)
    script = project / "job.rb"
    assert _hook(server, "srv-1", project, "Bash", command="ruby job.rb")[0] == "allow"
    assert _hook(server, "srv-1", project, "Write", file_path=str(script), content="x")[0] == (
        "allow"
    )
    decision, why = _hook(server, "srv-1", project, "Bash", command="ruby job.rb")
    assert decision == "ask", why
    assert f"ruby runs {script}, written by Write at" in why
    assert _hook(server, "srv-2", project, "Bash", command="ruby job.rb")[0] == "allow"


def test_rest_with_a_session_id(server: Server, tmp_path: Path) -> None:
    project = _project(tmp_path)
    base = {"cwd": str(project), "project": str(project), "session_id": "rest-1"}
    write = {**base, "tool_name": "Bash", "tool_input": {"command": "echo 'puts 2' > job.rb"}}
    r = httpx.post(server.url + "/v1/evaluate", json=write, timeout=30)
    assert r.json()["decision"] == "allow", r.text
    run = {**base, "tool_name": "Bash", "tool_input": {"command": "ruby job.rb"}}
    r = httpx.post(server.url + "/v1/evaluate", json=run, timeout=30)
    assert r.json()["decision"] == "ask", r.text
    assert "written by echo (Bash)" in r.json()["reason"]


def test_the_command_hook_and_the_server_share_the_memory(
    server: Server, cache: Path, tmp_path: Path
) -> None:
    project = _project(tmp_path)
    script = project / "job.rb"
    # Written through the server, run through the command hook (the same cache directory).
    assert _hook(server, "shared-1", project, "Edit", file_path=str(script),
                 old_string="1", new_string="2")[0] == "allow"  # fmt: skip
    env = clean_env(SUPEREGO_CACHE_DIR=str(cache), HOME=str(tmp_path))

    def command_hook(tool: str, tool_input: dict[str, object]) -> tuple[str, str]:
        payload = {
            "session_id": "shared-1",
            "cwd": str(project),
            "project_dir": str(project),
            "hook_event_name": "PreToolUse",
            "tool_name": tool,
            "tool_input": tool_input,
        }
        proc = subprocess.run(
            [sys.executable, "-m", "superego_mcp", "hook"],
            input=json.dumps(payload).encode(),
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)["hookSpecificOutput"]
        return out["permissionDecision"], out["permissionDecisionReason"]

    for _ in range(3):  # a cold policy compile can outlast the hook's 5 s on a busy machine
        if "no decision within" not in command_hook("Read", {"file_path": str(script)})[1]:
            break
    decision, why = command_hook("Bash", {"command": "ruby job.rb"})
    assert decision == "ask", why
    assert "written by Edit at" in why
