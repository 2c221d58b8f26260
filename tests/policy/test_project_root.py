"""The stable project root: what ``${project}`` means, found once per session.

Real directories and real ``.git`` entries; the bundled policy for what the root changes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from superego_mcp.model import ToolCall
from superego_mcp.policy import load_policy
from superego_mcp.project import (
    SessionFiles,
    SessionRoots,
    git_work_tree,
    given_project,
    project_root,
)

BUNDLED = load_policy(None)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git work tree with a ``src`` directory (a real ``git init``)."""
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_git_work_tree_is_found_from_below(repo: Path) -> None:
    assert git_work_tree(str(repo / "src")) == str(repo)
    assert project_root(str(repo / "src")) == str(repo)


def test_a_worktree_or_submodule_dot_git_file_counts(tmp_path: Path) -> None:
    tree = tmp_path / "wt"
    (tree / "pkg").mkdir(parents=True)
    (tree / ".git").write_text("gitdir: /elsewhere/.git/worktrees/wt\n")
    assert project_root(str(tree / "pkg")) == str(tree)


def test_without_git_the_cwd_is_the_project(tmp_path: Path) -> None:
    plain = tmp_path / "plain" / "sub"
    plain.mkdir(parents=True)
    assert project_root(str(plain)) == str(plain)


def test_a_dotfiles_repository_in_home_is_not_the_project(tmp_path: Path) -> None:
    home = tmp_path / "home"
    work = home / "notes"
    work.mkdir(parents=True)
    (home / ".git").mkdir()
    assert git_work_tree(str(work), str(home)) is None
    assert project_root(str(work), home=str(home)) == str(work)
    # Seen from a process whose home is elsewhere, it is an ordinary repository.
    assert project_root(str(work), home="/nonexistent") == str(home)


def test_the_agents_project_dir_wins(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    assert project_root(str(repo / "src"), given=str(other)) == str(other)
    assert project_root(str(repo), given=str(other) + "/x/..") == str(other)
    assert given_project({"CLAUDE_PROJECT_DIR": str(other)}) == str(other)
    assert given_project({"CLAUDE_PROJECT_DIR": "relative/dir"}) is None
    assert given_project({}) is None


def test_a_session_keeps_its_first_root_in_memory(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    sessions = SessionRoots()
    first = project_root(str(repo / "src"), session_id="s1", sessions=sessions)
    assert first == str(repo)
    # `cd ../../elsewhere` persisted between calls: the project stays.
    assert project_root(str(elsewhere), session_id="s1", sessions=sessions) == str(repo)
    # Another session starts where it starts.
    assert project_root(str(elsewhere), session_id="s2", sessions=sessions) == str(elsewhere)


def test_session_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import superego_mcp.project as project

    monkeypatch.setattr(project, "MAX_SESSIONS", 3)
    sessions = SessionRoots()
    for i in range(5):
        sessions.remember(f"s{i}", f"/p{i}")
    assert sessions.get("s0") is None
    assert sessions.get("s1") is None
    assert sessions.get("s4") == "/p4"


def test_session_files_first_writer_wins_and_odd_ids_are_not_stored(tmp_path: Path) -> None:
    store = SessionFiles(str(tmp_path / "sessions"))
    assert store.remember("abc-123", "/first") == "/first"
    assert store.remember("abc-123", "/second") == "/first"
    assert SessionFiles(str(tmp_path / "sessions")).get("abc-123") == "/first"
    for bad in ("../escape", "a/b", ".hidden", "", "x" * 200, "caf\u00e9"):
        assert store.remember(bad, "/root-of-" + str(len(bad))) == "/root-of-" + str(len(bad))
        assert store.get(bad) is None
    assert sorted(os.listdir(tmp_path / "sessions")) == ["abc-123"]
    assert not (tmp_path / "escape").exists()


def test_session_files_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import superego_mcp.project as project

    monkeypatch.setattr(project, "_MAX_SESSION_FILES", 4)
    store = SessionFiles(str(tmp_path))
    for i in range(7):
        store.remember(f"s{i}", f"/p{i}")
        os.utime(tmp_path / f"s{i}", (1000 + i, 1000 + i))
    assert len(os.listdir(tmp_path)) == 4
    assert store.get("s6") == "/p6"
    assert store.get("s0") is None


def test_session_files_on_a_read_only_directory_do_not_fail(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    store = SessionFiles(str(blocked / "sessions"))
    assert store.remember("s1", "/p") == "/p"
    assert store.get("s1") is None


# --- what the root changes in the bundled policy ----------------------------------------


def _decide(command: str, cwd: str, project: str | None) -> tuple[str, str | None]:
    call = ToolCall("Bash", {"command": command}, cwd, project=project)
    d = BUNDLED.evaluate(call, home="/home/user")
    return d.action, d.rule_id


def test_cd_into_src_does_not_shrink_the_project() -> None:
    # The old behaviour (project = cwd) denied this as "outside the project".
    action, rule = _decide("rm -rf ../dist", "/home/user/repo/src", "/home/user/repo")
    assert (action, rule) == ("allow", "allow-delete-build-output")
    action, rule = _decide("rm -rf ../dist", "/home/user/repo/src", "/home/user/repo/src")
    assert (action, rule) == ("deny", "deny-recursive-delete-outside-project")


def test_editing_the_projects_readme_from_a_subdirectory_is_allowed() -> None:
    call = ToolCall(
        "Edit",
        {"file_path": "../README.md", "old_string": "a", "new_string": "b"},
        "/home/user/repo/src",
        project="/home/user/repo",
    )
    assert BUNDLED.evaluate(call, home="/home/user").action == "allow"
    call.project = "/home/user/repo/src"
    assert BUNDLED.evaluate(call, home="/home/user").action == "ask"


def test_cd_inside_a_call_changes_paths_not_the_project() -> None:
    action, _ = _decide("cd src && rm -rf ../../other", "/home/user/repo", "/home/user/repo")
    assert action == "deny"
    action, _ = _decide("cd src && rm -rf ../build", "/home/user/repo", "/home/user/repo")
    assert action == "allow"


def test_the_engine_finds_the_git_root_when_the_call_names_none(repo: Path) -> None:
    call = ToolCall(
        "Write", {"file_path": str(repo / "README.md"), "content": "x"}, str(repo / "src")
    )
    assert BUNDLED.evaluate(call).action == "allow"


def test_explain_shows_and_uses_the_project(repo: Path) -> None:
    script = Path(sys.executable).parent / "superego-mcp"
    env = {k: v for k, v in os.environ.items() if k != "CLAUDE_PROJECT_DIR"}
    out = subprocess.run(
        [str(script), "explain", "--json", "rm -rf ../dist"],
        cwd=repo / "src",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    import json

    data = json.loads(out.stdout)
    assert data["call"]["project"] == str(repo)
    # inside the project: git says a missing ../dist loses nothing (policy/gitloss.py)
    assert data["decision"]["rule_id"] == "allow-delete-git-can-restore"
    out = subprocess.run(
        [str(script), "explain", "--project", "src", "rm -rf dist"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert f"(project {repo / 'src'})" in out.stdout
