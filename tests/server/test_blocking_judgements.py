"""A judgement that runs git (a deletion inside a project: policy/gitloss.py) does not hold
the server's event loop: while its git waits, /healthz and other calls are answered.

Real parts: the shared ``superego-mcp serve`` on 127.0.0.1, a real repository whose
``.git/config`` is a FIFO no one writes (git blocks opening it, as it would on a slow disk,
until gitloss's deadline kills it), the real ``git`` the server finds on PATH. The git the
server started is watched in /proc (its parent is the server, its cwd the repository): the
quick requests must be answered while it still runs. With the judgement on the event loop
they wait for git's deadline (2 s), and by then git has been killed.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastmcp import Client

from support.hook import call
from support.server import Server

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")

HOOK = "/v1/hooks/claude-code"


@pytest.fixture
def stuck_repo(tmp_path: Path) -> Path:
    """A committed project (src/app.py) whose ``.git/config`` is now a FIFO."""
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("print(1)\n", encoding="utf-8")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "first"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )
    config = root / ".git" / "config"
    config.unlink()
    os.mkfifo(config)
    return root


def _git_running(parent: int, cwd: Path) -> bool:
    """Whether a ``git`` child of ``parent`` runs in ``cwd``."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            if stat[stat.rindex(")") + 2 :].split()[1] != str(parent):
                continue
            if os.readlink(f"{entry.path}/cwd") == str(cwd) and "git" in stat.split()[1]:
                return True
        except (OSError, ValueError, IndexError):
            continue
    return False


def _hook(command: str, cwd: Path) -> dict[str, Any]:
    # a session of its own: a session's first call decides its project root
    return call("Bash", {"command": command}, cwd=str(cwd), session_id=f"s-{cwd}")


def _rest(command: str, cwd: Path) -> dict[str, Any]:
    return {"tool_name": "Bash", "tool_input": {"command": command}, "cwd": str(cwd)}


def _mcp(server: Server, tool: str, command: str, cwd: Path) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        async with Client(f"{server.url}/mcp") as client:
            args = {"tool_name": "Bash", "tool_input": {"command": command}, "cwd": str(cwd)}
            got = (await client.call_tool(tool, args)).structured_content
            assert got is not None
            return got

    return asyncio.run(run())


def _slow_hook(server: Server, repo: Path) -> str:
    r = httpx.post(f"{server.url}{HOOK}", json=_hook("rm -rf src", repo), timeout=60)
    assert r.status_code == 200, r.text
    return str(r.json()["hookSpecificOutput"]["permissionDecision"])


def _slow_rest(server: Server, repo: Path) -> str:
    r = httpx.post(f"{server.url}/v1/evaluate", json=_rest("rm -rf src", repo), timeout=60)
    assert r.status_code == 200, r.text
    return str(r.json()["decision"])


def _slow_mcp_explain(server: Server, repo: Path) -> str:
    return str(_mcp(server, "explain_tool_call", "rm -rf src", repo)["decision"])


@pytest.mark.parametrize("slow", [_slow_hook, _slow_rest, _slow_mcp_explain])
def test_other_requests_are_answered_while_git_runs(
    server: Server, stuck_repo: Path, tmp_path: Path, slow: Callable[[Server, Path], str]
) -> None:
    with ThreadPoolExecutor(1) as pool:
        pending: Future[str] = pool.submit(slow, server, stuck_repo)
        deadline = time.monotonic() + 60
        while not _git_running(server.proc.pid, stuck_repo):
            assert not pending.done(), f"answered before git ran: {pending.result()}"
            assert time.monotonic() < deadline, "the deletion's git never started"
            time.sleep(0.005)
        # git now waits on the FIFO (until gitloss's deadline): the loop must be free
        health = httpx.get(f"{server.url}/healthz", timeout=30)
        quick = httpx.post(f"{server.url}{HOOK}", json=_hook("ls", tmp_path), timeout=30)
        still = _git_running(server.proc.pid, stuck_repo)
        assert health.status_code == 200
        assert quick.json()["hookSpecificOutput"]["permissionDecision"] == "allow"
        assert still, "the quick requests were answered only once git had been stopped"
        assert not pending.done()
        # git could not tell (killed at its deadline): the deletion is asked, never allowed
        assert pending.result(timeout=60) == "ask"
