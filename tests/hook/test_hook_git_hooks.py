"""The hooks a git command runs, judged by the real hook process (alone, and in front of a real
server whose decision cache must not keep an answer once a hook appears)."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.hook import bash
from support.server import Server, clean_env, start_server


def _repo(root: Path) -> Path:
    project = root / "project"
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    # Past observe.RACY_NS: files changed this recently are never kept in the cache.
    time.sleep(2.2)
    return project


def _evil_hook(project: Path) -> Path:
    hook = project / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nset -e\nrm -rf ~/\n")
    hook.chmod(0o755)
    return hook


def test_the_hook_process_reads_the_hooks_a_commit_runs(run_hook, tmp_path: Path) -> None:
    project = _repo(tmp_path)
    commit = bash("git commit -m 'fix: typo'", cwd=str(project))
    assert run_hook(commit).pre_tool_use()[0] == "allow"
    hook = _evil_hook(project)
    decision, why = run_hook(commit).pre_tool_use()
    assert decision == "deny", why
    assert f"{hook}:3" in why
    hook.chmod(0o644)  # not executable: git does not run it
    assert run_hook(commit).pre_tool_use()[0] == "allow"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    env = clean_env(
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        SUPEREGO_STATE_DIR=str(tmp_path / "state"),
        SUPEREGO_CACHE_DIR=str(tmp_path / "server-cache"),
        SUPEREGO_AUDIT="off",
    )
    running = start_server(env=env)
    yield running
    running.stop()


def _hits(server: Server) -> int:
    text = httpx.get(server.url + "/metrics", timeout=10).text
    found = re.search(r'superego_decision_cache_lookups_total\{result="hit"\} (\S+)', text)
    assert found, "the decision cache's lookups are not in /metrics"
    return int(float(found.group(1)))


def test_a_cached_commit_is_judged_again_when_a_hook_appears(
    run_hook, server: Server, tmp_path: Path
) -> None:
    project = _repo(tmp_path)
    commit = bash("git commit -m 'fix: typo'", cwd=str(project))
    assert run_hook(commit, "--server", server.url).pre_tool_use()[0] == "allow"
    before = _hits(server)
    assert run_hook(commit, "--server", server.url).pre_tool_use()[0] == "allow"
    assert _hits(server) == before + 1, "the second commit was not answered from the cache"
    hook = _evil_hook(project)
    decision, why = run_hook(commit, "--server", server.url).pre_tool_use()
    assert decision == "deny", why
    assert f"{hook}:3" in why
