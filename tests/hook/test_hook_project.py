"""The command hook's project root: CLAUDE_PROJECT_DIR, the payload, the session's first root.

Real hook processes on the bundled policy; each test's directories are real.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from support.hook import Result, call

RunHook = Callable[..., Result]


def _repo(tmp_path: Path, run_hook: RunHook) -> Path:
    """The test's project directory (not created), after warming the hook's policy cache: a
    cold cache compiles the policy, which on a loaded machine can outlast the hook's own
    5 s deadline and turn every answer here into the fail mode."""
    for _ in range(3):
        _, reason = run_hook(call("Read", {"file_path": "/etc/hostname"})).pre_tool_use()
        if "no decision within" not in reason:
            break
    # Inside the hook's HOME (tmp_path / "home"): a home under /tmp is not scratch space, so
    # files there outside the project are not waved through as temp files.
    return tmp_path / "home" / "repo"


def _edit(path: Path, cwd: Path, **extra: object) -> dict[str, object]:
    return call(
        "Edit",
        {"file_path": str(path), "old_string": "a", "new_string": "b"},
        cwd=str(cwd),
        **extra,
    )


def test_claude_project_dir_is_the_project(run_hook: RunHook, tmp_path: Path) -> None:
    repo = _repo(tmp_path, run_hook)
    (repo / "src").mkdir(parents=True)
    payload = _edit(repo / "README.md", repo / "src", session_id="env-1")
    assert run_hook(payload, env={"CLAUDE_PROJECT_DIR": str(repo)}).pre_tool_use()[0] == "allow"
    # The same call in a fresh session without the variable: the project is the cwd.
    payload["session_id"] = "env-2"
    assert run_hook(payload).pre_tool_use()[0] == "ask"


def test_payload_project_dir_wins_over_the_environment(run_hook: RunHook, tmp_path: Path) -> None:
    repo = _repo(tmp_path, run_hook)
    (repo / "src").mkdir(parents=True)
    payload = _edit(repo / "README.md", repo / "src", session_id="p-1", project_dir=str(repo))
    decision = run_hook(payload, env={"CLAUDE_PROJECT_DIR": str(repo / "src")}).pre_tool_use()
    assert decision[0] == "allow"


def test_git_work_tree_of_the_cwd(run_hook: RunHook, tmp_path: Path) -> None:
    repo = _repo(tmp_path, run_hook)
    (repo / "src").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    payload = _edit(repo / "README.md", repo / "src", session_id="git-1")
    assert run_hook(payload).pre_tool_use()[0] == "allow"


def test_a_session_keeps_the_root_of_its_first_call(run_hook: RunHook, tmp_path: Path) -> None:
    repo = _repo(tmp_path, run_hook)
    (repo / "src").mkdir(parents=True)
    # First call of the session, made in the project (no git, no variable).
    first = _edit(repo / "notes.md", repo, session_id="first-cwd-1")
    assert run_hook(first).pre_tool_use()[0] == "allow"
    # `cd src` persisted: the next call's cwd is src, the project stays repo.
    later = _edit(repo / "README.md", repo / "src", session_id="first-cwd-1")
    assert run_hook(later).pre_tool_use()[0] == "allow"
    # A session that starts in src has src as its project.
    other = _edit(repo / "README.md", repo / "src", session_id="first-cwd-2")
    assert run_hook(other).pre_tool_use()[0] == "ask"
    sessions = tmp_path / "cache" / "sessions"
    assert (sessions / "first-cwd-1").read_text() == str(repo)
    assert (sessions / "first-cwd-2").read_text() == str(repo / "src")
