"""Deletions inside the project judged by what git says would be lost (policy/gitloss.py):
real repositories made by `git` in tmp_path, judged by the bundled policy with the call's cwd
and project in them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from superego_mcp import observe
from superego_mcp.model import Decision, ToolCall
from superego_mcp.policy import Policy, conditions, gitloss, judgecache, load_policy
from superego_mcp.shell import analyze
from superego_mcp.shell.simple_command import FIND_FOLLOWS
from support.gitrepo import git

ASK, ALLOW = "ask", "allow"
ALLOWED = (ALLOW, "allow-delete-git-can-restore")
LOSES = "ask-delete-loses-work"


def write(path: Path, text: str = "x\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A project with one commit: tracked sources under src/ and tests/data/, an ignored
    site/ (fastapi's docs output) holding files, a .gitignore."""
    root = tmp_path / "project"
    write(root / ".gitignore", "site/\n*.log\n")
    write(root / "src" / "app.py", "print('app')\n")
    write(root / "src" / "pkg" / "mod.py", "x = 1\n")
    write(root / "tests" / "data" / "a.c", "int a;\n")
    write(root / "README.md", "# project\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    write(root / "site" / "index.html", "<html></html>\n")
    write(root / "src" / "debug.log", "ignored\n")
    return root


def judge(policy: Policy, command: str, cwd: Path, project: Path | None = None) -> ToolCall:
    return ToolCall("Bash", {"command": command}, str(cwd), project=str(project or cwd))


def answer(policy: Policy, command: str, cwd: Path, project: Path | None = None) -> tuple[str, str]:
    call = judge(policy, command, cwd, project)
    d = policy.evaluate(call, home=str(cwd.parent.parent))
    return d.action, d.reason if d.action != ALLOW else (d.rule_id or "")


def rule_of(policy: Policy, command: str, cwd: Path) -> tuple[str, str | None]:
    d = policy.evaluate(judge(policy, command, cwd), home=str(cwd.parent.parent))
    return d.action, d.rule_id


@pytest.mark.parametrize(
    "command",
    [
        "rm -rf ./site",  # ignored: git can rebuild nothing, but nothing of git's is lost
        "rm -rf site/",
        "rm -rf src",  # tracked, no change (an ignored log inside)
        "rm -r src/pkg tests",
        "find tests/data -name '*.c' -delete",
        "find src -name '*.pyc' -exec rm -f {} +",
        "rm -rf build",  # does not exist: nothing to lose
        "rm -rf src/*",  # the glob as the shell expands it
        "git checkout README.md",
        "git checkout -- src",
        "git restore src/app.py",
        "git checkout main -- src/app.py",
    ],
)
def test_what_git_can_give_back_is_allowed(bundled: Policy, repo: Path, command: str) -> None:
    judgement = bundled.judge(judge(bundled, command, repo), home=str(repo.parent.parent))
    assert judgement.decision.action == ALLOW
    # git was asked, and said nothing would be lost (the allow may be an earlier rule's:
    # git restore is everyday git, rm of files found by find is file housekeeping)
    deleting = [u.unit for u in judgement.units if u.unit.command is not None]
    losses = [u.git_loss for u in deleting if gitloss.candidate(u.command)]  # type: ignore[arg-type]
    assert losses
    assert all(loss == "" for loss in losses)


def test_an_untracked_file_is_named(bundled: Policy, repo: Path) -> None:
    write(repo / "src" / "new.py")
    action, reason = answer(bundled, "rm -rf src", repo)
    assert action == ASK
    assert "src/new.py is untracked and not ignored" in reason
    # a new directory of untracked work is named as git lists it
    write(repo / "notes" / "todo.txt")
    action, reason = answer(bundled, "rm -rf notes", repo)
    assert (action, reason) == (
        ASK,
        "This deletes or overwrites work git cannot give back: "
        "notes/ is untracked and not ignored.",
    )
    # the same from below the top of the work tree, the path as git names it
    action, reason = answer(bundled, "rm -rf pkg ../notes", repo / "src", repo)
    assert action == ASK
    assert "notes/ is untracked" in reason


def test_a_clone_kept_in_an_ignored_directory_is_named(
    bundled: Policy, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # git status does not look inside site/ (ignored): a clone there has commits of its own
    clone = repo / "site" / "vendor" / "lib"
    write(clone / "lib.py")
    git(clone, "init", "-q")
    action, reason = answer(bundled, "rm -rf site", repo)
    assert action == ASK
    assert "site/vendor/lib is a repository of its own" in reason
    assert answer(bundled, "rm -rf site/index.html", repo)[0] == ALLOW  # not below the clone
    # more entries than the search looks at: not known, the answer without git (asked)
    monkeypatch.setattr(gitloss, "_SCAN_LIMIT", 2)
    (clone / ".git").rename(clone / "not-git")
    assert answer(bundled, "rm -rf site", repo)[0] == ASK


@pytest.mark.parametrize(
    "command", ["rm -rf src", "git checkout -- src/app.py", "git restore src", "rm -rf src/*"]
)
def test_a_modified_tracked_file_asks(bundled: Policy, repo: Path, command: str) -> None:
    write(repo / "src" / "app.py", "print('changed')\n")
    action, reason = answer(bundled, command, repo)
    assert action == ASK
    assert "src/app.py has uncommitted changes" in reason


def test_a_staged_change_counts_for_a_deletion(bundled: Policy, repo: Path) -> None:
    write(repo / "src" / "app.py", "print('staged')\n")
    git(repo, "add", "src/app.py")
    action, reason = answer(bundled, "rm -rf src", repo)
    assert action == ASK
    assert "src/app.py has uncommitted changes" in reason
    # a put-back from the index keeps what is staged: nothing of it is lost
    assert rule_of(bundled, "git checkout -- src/app.py", repo) == ALLOWED
    # from a commit it is overwritten
    action, reason = answer(bundled, "git checkout HEAD -- src/app.py", repo)
    assert action == ASK
    assert "src/app.py has uncommitted changes" in reason


def test_a_put_back_from_the_index_leaves_untracked_files(bundled: Policy, repo: Path) -> None:
    write(repo / "src" / "new.py")
    assert rule_of(bundled, "git checkout -- src", repo) == ALLOWED
    assert rule_of(bundled, "git restore --source=HEAD src", repo)[0] == ASK


@pytest.mark.parametrize(
    "command",
    [
        "rm -rf .git",
        "rm -rf .git/objects",
        "rm -rf .GIT",  # the same directory on a case-insensitive file system
        "rm -rf '.git\u200c'",  # ... and with a character HFS+ ignores
        "rm -rf .git.",  # NTFS drops the trailing dot
        "rm -rf src/.git",  # a nested repository's store
        "rm -rf .",  # the tree that holds .git
        "find . -name '*.pack' -delete",
        "git clean -fdx",  # it exists to delete untracked work
    ],
)
def test_git_itself_is_never_judged_by_git(bundled: Policy, repo: Path, command: str) -> None:
    action, rule = rule_of(bundled, command, repo)
    assert action == ASK
    assert rule not in (LOSES, ALLOWED[1])


def test_a_symlink_out_of_the_project_is_not_allowed(
    bundled: Policy, repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    write(outside / "precious.txt")
    (repo / "docs").symlink_to(outside)
    (repo / ".gitignore").write_text("site/\n*.log\ndocs\n")  # even ignored
    git(repo, "commit", "-qam", "ignore docs")
    for command in ("rm -rf docs/", "rm -rf docs", "find docs/ -delete", "rm -rf docs/*"):
        action, rule = rule_of(bundled, command, repo)
        assert action in (ASK, "deny"), command  # denied: the home holds tmp_path here
        assert rule != ALLOWED[1], command
    # find following symlinks reaches what it cannot see
    (repo / "src" / "out").symlink_to(outside)
    git(repo, "add", "src/out")
    git(repo, "commit", "-qm", "link")
    for command in ("find -L src -delete", "find src -follow -delete", "find -L src -exec rm {} +"):
        assert rule_of(bundled, command, repo)[1] != ALLOWED[1], command


def test_paths_outside_the_project_are_not_judged_by_git(bundled: Policy, repo: Path) -> None:
    # the project is src/: the repository's other directories are outside it
    action, rule = rule_of(bundled, "rm -rf ../tests", repo / "src")
    assert action in (ASK, "deny")
    assert rule != ALLOWED[1]
    call = ToolCall(
        "Bash", {"command": "rm -rf ../tests"}, str(repo / "src"), project=str(repo / "src")
    )
    assert bundled.evaluate(call, home=str(repo.parent)).rule_id != ALLOWED[1]


def test_not_a_repository_keeps_the_answer_without_git(bundled: Policy, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    write(plain / "site" / "index.html")
    write(plain / "build" / "out.o")
    write(plain / "src" / "a.py")
    assert rule_of(bundled, "rm -rf site", plain) == (ASK, "ask-recursive-delete-in-project")
    assert rule_of(bundled, "rm -rf build", plain) == (ALLOW, "allow-delete-build-output")
    assert rule_of(bundled, "git checkout -- src/a.py", plain) == (ASK, "ask-git-discard-work")
    # an empty .git is no repository either, even for a path that is not there
    (plain / ".git").mkdir()
    assert rule_of(bundled, "rm -rf gone", plain) == (ASK, "ask-recursive-delete-in-project")
    assert rule_of(bundled, "rm -rf site", plain) == (ASK, "ask-recursive-delete-in-project")


def test_git_missing_keeps_the_answer_without_git(
    bundled: Policy, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(repo / "nowhere"))
    assert rule_of(bundled, "rm -rf site", repo) == (ASK, "ask-recursive-delete-in-project")
    assert rule_of(bundled, "rm -rf nothere", repo) == ALLOWED  # no git needed: nothing there


def test_a_malicious_config_runs_no_code(bundled: Policy, repo: Path, tmp_path: Path) -> None:
    # fsmonitor and a clean filter are commands git runs while it reports a status (a
    # touched file is hashed through its filter); neither may run while a call is judged.
    ran = tmp_path / "ran"
    with (repo / ".git" / "config").open("a") as config:
        config.write(
            f'[core]\n\tfsmonitor = "touch {ran}-fsmonitor; false"\n'
            f'[filter "Evil"]\n\tclean = touch {ran}-clean; cat\n\tprocess = touch {ran}-process\n'
            "\trequired = true\n"
            f"[core]\n\thooksPath = {tmp_path / 'hooks'}\n"
        )
    write(tmp_path / "hooks" / "post-index-change", f"#!/bin/sh\ntouch {ran}-hook\n").chmod(0o755)
    write(repo / ".git" / "info" / "attributes", "* filter=Evil\n")
    os.utime(repo / "src" / "app.py", (1_000_000_000, 1_000_000_000))  # stat-dirty: hashed
    action, _ = answer(bundled, "rm -rf src", repo)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("ran")) == []
    assert action == ALLOW  # the content is what was committed, read without the filter
    # the same repository makes plain git run them: the test would see it
    subprocess.run(["git", "status"], cwd=repo, capture_output=True, check=False)
    assert any(p.name.startswith("ran") for p in tmp_path.iterdir())


def test_submodules_and_unchecked_files_are_named(
    bundled: Policy, repo: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    write(other / "lib.py")
    git(other, "init", "-q")
    git(other, "add", "-A")
    git(other, "commit", "-qm", "lib")
    git(
        repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(other), "vendor/lib"
    )
    git(repo, "commit", "-qm", "submodule")
    action, reason = answer(bundled, "rm -rf vendor", repo)
    assert action == ASK
    assert "vendor/lib is a submodule" in reason
    # inside it, the submodule's own repository answers
    assert rule_of(bundled, "rm -rf vendor/lib/lib.py", repo) == ALLOWED
    git(repo, "update-index", "--assume-unchanged", "src/app.py")
    write(repo / "src" / "app.py", "print('hidden change')\n")
    action, reason = answer(bundled, "rm -rf src", repo)
    assert action == ASK
    assert "src/app.py is marked for git not to check it" in reason


def test_a_dynamic_or_unknown_path_keeps_the_answer(bundled: Policy, repo: Path) -> None:
    for command in (
        'rm -rf "$DIR"',
        "git -C src checkout -- app.py",
        "GIT_DIR=x git checkout -- README.md",
    ):
        assert rule_of(bundled, command, repo)[1] != ALLOWED[1], command
    # git pathspec patterns and magic are git's to expand
    for command in ("git checkout -- 'src/*.py'", "git checkout -- ':/src'"):
        assert rule_of(bundled, command, repo)[1] != ALLOWED[1], command


def test_a_cached_allow_is_judged_again(repo: Path) -> None:
    # The server's decision cache keeps no answer that read git: an untracked file appearing
    # in build/ (not ignored) turns the allow into a question.
    policy = load_policy(None)
    cache = judgecache.JudgeCache()
    write(repo / "build" / "out.txt")
    git(repo, "add", "build")
    git(repo, "commit", "-qm", "build")
    call = ToolCall("Bash", {"command": "rm -rf build"}, str(repo), project=str(repo))
    assert cache.judge(policy, call, home=str(repo.parent)).decision.action == ALLOW
    assert cache.judge(policy, call, home=str(repo.parent)).decision.action == ALLOW
    write(repo / "build" / "new.txt")
    again = cache.judge(policy, call, home=str(repo.parent)).decision
    assert again.action == ASK
    assert "build/new.txt is untracked" in again.reason
    # a judgement that only looked at a missing path is kept, and checked
    recording = observe.start()
    try:
        policy.judge(ToolCall("Bash", {"command": "rm -rf gone"}, str(repo), project=str(repo)))
    finally:
        observe.stop()
    assert recording.stable
    assert recording.checks
    write(repo / "gone" / "x")
    assert not recording.still_true()


def test_tables_agree() -> None:
    assert conditions.GIT_PROGRAMS == gitloss.PROGRAMS
    assert frozenset({gitloss.FIND_FOLLOWS}) == FIND_FOLLOWS
    flagged = analyze("find -L src -exec rm {} +", cwd="/p", home="/h").commands
    assert all(gitloss.FIND_FOLLOWS in c.flags for c in flagged if c.program == "rm")


def test_other_commands_do_not_load_git_judging(tmp_path: Path) -> None:
    # `git status`, `rm file`: the cheap test in policy/conditions.py agrees with
    # gitloss.candidate and keeps the module (and subprocess) unloaded.
    script = (
        "import sys\n"
        "from superego_mcp.model import ToolCall\n"
        "from superego_mcp.policy import load_policy\n"
        "p = load_policy(None)\n"
        "for c in ('git status && ls -la | head -5', 'rm a.txt', 'git diff', 'find . -name x'):\n"
        f"    p.evaluate(ToolCall('Bash', {{'command': c}}, {str(tmp_path)!r}))\n"
        "print('superego_mcp.policy.gitloss' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
    for line in (
        "rm -rf a",
        "find . -exec rm {} +",
        "find a -delete",
        "git restore a",
        "git checkout a",
    ):
        for cmd in analyze(line, cwd="/p", home="/h").commands:
            assert conditions._may_lose(cmd) == gitloss.candidate(cmd), (line, cmd)


@pytest.mark.parametrize(
    ("line", "starts", "links"),
    [
        ("find -L /etc -name x -exec rm {} +", ("/etc",), True),
        ("find -H -L src -delete", ("/p/src",), True),
        ("find -O3 -D tree src -delete", ("/p/src",), False),
        ("find -P src -delete", ("/p/src",), False),
        ("find -f src -name x -delete", ("/p/src",), False),
        ("find src -follow -delete", ("/p/src",), True),
    ],
)
def test_find_options_before_the_start_paths(
    line: str, starts: tuple[str, ...], links: bool
) -> None:
    # the start paths after -H/-L/-P/-D X/-O3 (BSD -f PATH) are what find walks, and what
    # it deletes or hands over when it follows symlinks is marked
    commands = analyze(line, cwd="/p", home="/h").commands
    assert commands[0].paths == starts
    found = [c for c in commands if c.program == "rm"]
    assert found
    assert all(c.paths == starts for c in found)
    assert all((gitloss.FIND_FOLLOWS in c.flags) == links for c in found)


def test_a_git_inside_the_project_is_not_run(
    bundled: Policy, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a `git` the project holds, first on PATH: Superego passes it over (the real one
    # answers), and with no other git it cannot tell
    ran = tmp_path / "ran-fake-git"
    fake = write(repo / "bin" / "git", f"#!/bin/sh\ntouch {ran}\nexit 0\n")
    fake.chmod(0o755)
    real = os.environ.get("PATH", "")
    monkeypatch.setenv("PATH", f"{repo / 'bin'}{os.pathsep}{real}")
    write(repo / "src" / "new.py")
    action, reason = answer(bundled, "rm -rf src", repo)
    assert action == ASK
    assert "src/new.py is untracked" in reason
    monkeypatch.setenv("PATH", str(repo / "bin"))
    assert rule_of(bundled, "rm -rf src", repo) == (ASK, "ask-recursive-delete-in-project")
    assert not ran.exists()


@pytest.mark.parametrize(
    "line",
    [
        "mv notes.txt src/ && rm -rf src",  # untracked work moved into the target first
        "cp notes.txt src/pkg/ && rm -rf src",
        "echo draft > src/new.py; rm -rf src",
        "git stash pop && rm -rf src",  # uncommitted work brought back, then deleted
        "git checkout stash@{0} -- src && rm -rf src",
    ],
)
def test_a_line_that_changes_the_tree_first_is_not_judged_by_git(
    bundled: Policy, repo: Path, line: str
) -> None:
    # git's answer is for the tree as it is now, not as the line leaves it for the deletion
    write(repo / "notes.txt")
    assert rule_of(bundled, "rm -rf src", repo) == ALLOWED
    judgement = bundled.judge(judge(bundled, line, repo), home=str(repo.parent.parent))
    assert judgement.decision.action == ASK
    deletion = [u for u in judgement.units if u.unit.command and u.unit.command.program == "rm"]
    assert deletion
    assert all(u.rule is None or u.rule.id != ALLOWED[1] for u in deletion)


def test_a_put_back_in_another_tree_is_not_judged_by_git(
    bundled: Policy, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # git pointed at another repository or work tree (the line, the environment, the
    # repository's own configuration) would put back other files than git was asked about
    mine = (ALLOW, "allow-git-everyday")
    assert rule_of(bundled, "git checkout -- .", repo) == ALLOWED
    assert rule_of(bundled, "git restore src/app.py", repo) == mine
    elsewhere = tmp_path / "elsewhere"
    for line in (
        f"export GIT_WORK_TREE={elsewhere}; git checkout -- .",
        "GIT_DIR=x; git restore src",
    ):
        assert rule_of(bundled, line, repo)[0] == ASK, line
    monkeypatch.setenv("GIT_WORK_TREE", str(elsewhere))
    assert rule_of(bundled, "git checkout -- .", repo)[0] == ASK
    assert rule_of(bundled, "rm -rf src", repo) == ALLOWED  # rm deletes these files whatever git
    monkeypatch.delenv("GIT_WORK_TREE")
    git(repo, "config", "core.worktree", str(elsewhere))
    assert rule_of(bundled, "git checkout -- gone", repo)[0] == ASK
    assert rule_of(bundled, "git checkout -- src/app.py", repo)[0] == ASK


def test_on_an_event_loop_git_runs_in_a_worker_thread_with_the_same_answers(
    bundled: Policy, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's ``adecide`` does not run git on its event loop: the judgement asks for
    it (``observe.blocking``), a worker thread runs it, and the rules run again with git's
    answer; the answers are the blocking ``decide``'s."""
    import asyncio
    import threading

    from superego_mcp import decide as deciding

    write(repo / "src" / "new.py", "print(2)\n")
    home = str(repo.parent.parent)
    ran: list[threading.Thread] = []
    real = gitloss._ask_git

    def noted(*args: Any) -> str | None:  # the real git, noting the thread it runs on
        ran.append(threading.current_thread())
        return real(*args)

    monkeypatch.setattr(gitloss, "_ask_git", noted)

    async def on_loop(command: str) -> tuple[Decision, threading.Thread]:
        decided = await deciding.adecide(bundled, judge(bundled, command, repo), home=home)
        return decided, threading.current_thread()

    for command, expected in [("rm -rf src", "ask"), ("rm -rf tests", "allow")]:
        blocking = deciding.decide(bundled, judge(bundled, command, repo), home=home)
        assert blocking.action == expected, blocking.reason
        assert ran == [threading.current_thread()]  # the blocking path runs git in place
        ran.clear()
        looped, loop_thread = asyncio.run(on_loop(command))
        assert (looped.action, looped.rule_id, looped.reason) == (
            blocking.action,
            blocking.rule_id,
            blocking.reason,
        )
        assert len(ran) == 1
        assert ran[0] is not loop_thread, "git ran on the event loop"
        ran.clear()
