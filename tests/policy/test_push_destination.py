"""Where a `git push` lands, read from the repository (issue 26: none of the peers' `confirm`
pushes to a shared branch allowed): real repositories made by `git`, worktrees included,
judged by the bundled policy with the call's cwd in them (shell/gitpush.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from superego_mcp import observe
from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy
from superego_mcp.shell import analyze
from support.gitrepo import git

ASK, ALLOW, DEFER = "ask", "allow", "defer"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository on `main` with one commit, a `feature/x` branch and a `topic` branch."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "commit", "-q", "--allow-empty", "-m", "first")
    git(root, "branch", "feature/x")
    git(root, "branch", "topic")
    return root


def judge(policy: Policy, command: str, cwd: Path) -> tuple[str, str | None]:
    call = ToolCall("Bash", {"command": command}, str(cwd), project=str(cwd))
    d = policy.evaluate(call, home=str(cwd.parent))
    return d.action, d.rule_id


BARE = ["git push", "git push origin", "git push origin HEAD", "git push -u origin HEAD"]


@pytest.mark.parametrize("command", BARE)
def test_a_bare_push_on_main_asks(bundled: Policy, repo: Path, command: str) -> None:
    assert judge(bundled, command, repo) == (ASK, "ask-push-shared-branch")
    (repo / "src").mkdir()  # also from below the top of the work tree
    assert judge(bundled, command, repo / "src") == (ASK, "ask-push-shared-branch")


@pytest.mark.parametrize("command", [*BARE, "git push -u origin feature/x"])
def test_a_push_of_a_feature_branch_is_allowed(bundled: Policy, repo: Path, command: str) -> None:
    git(repo, "switch", "-q", "feature/x")
    assert judge(bundled, command, repo) == (ALLOW, "allow-git-everyday")


@pytest.mark.parametrize("branch", ["master", "develop", "release/2.0", "production"])
def test_every_shared_name_checked_out_asks(bundled: Policy, repo: Path, branch: str) -> None:
    git(repo, "switch", "-q", "-c", branch)
    assert judge(bundled, "git push", repo)[0] == ASK


def test_worktrees_are_read_through_their_dot_git_file(
    bundled: Policy, repo: Path, tmp_path: Path
) -> None:
    git(repo, "switch", "-q", "topic")  # the main checkout on a feature branch
    feature, shared = tmp_path / "wt-feature", tmp_path / "wt-release"
    git(repo, "worktree", "add", "-q", str(feature), "feature/x")
    git(repo, "worktree", "add", "-q", "-b", "release/1.2", str(shared))
    assert (feature / ".git").is_file()
    assert judge(bundled, "git push", feature) == (ALLOW, "allow-git-everyday")
    assert judge(bundled, "git push", shared) == (ASK, "ask-push-shared-branch")
    assert judge(bundled, "git push", repo) == (ALLOW, "allow-git-everyday")
    # the directory a push runs in follows `cd` and `git -C`
    assert judge(bundled, f"cd {shared} && git push", feature)[0] == ASK
    assert judge(bundled, f"git -C {shared} push origin HEAD", feature)[0] == ASK
    assert judge(bundled, f"git -C {feature} push", shared) == (ALLOW, "allow-git-everyday")


def test_the_remotes_default_branch_is_shared_whatever_its_name(
    bundled: Policy, repo: Path
) -> None:
    git(repo, "switch", "-q", "-c", "trunk-next")
    assert judge(bundled, "git push", repo)[0] == ALLOW
    git(repo, "update-ref", "refs/remotes/origin/trunk-next", "HEAD")
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk-next")
    assert judge(bundled, "git push", repo) == (ASK, "ask-push-shared-branch")
    assert judge(bundled, "git push origin HEAD:trunk-next", repo)[0] == ASK
    assert judge(bundled, "git push upstream", repo)[0] == ALLOW  # another remote's default


def test_the_upstream_a_bare_push_goes_to_counts(bundled: Policy, repo: Path) -> None:
    git(repo, "switch", "-q", "topic")
    git(repo, "config", "branch.topic.remote", "origin")
    git(repo, "config", "branch.topic.merge", "refs/heads/main")
    assert judge(bundled, "git push", repo) == (ASK, "ask-push-shared-branch")
    git(repo, "config", "branch.topic.merge", "refs/heads/topic")
    assert judge(bundled, "git push", repo) == (ALLOW, "allow-git-everyday")
    git(repo, "config", "push.default", "matching")  # every branch both sides have
    assert judge(bundled, "git push", repo) == (ASK, "ask-push-shared-branch")
    git(repo, "config", "--unset", "push.default")
    git(repo, "config", "remote.origin.push", "refs/heads/*:refs/heads/*")
    assert judge(bundled, "git push", repo)[0] == DEFER  # configured refspecs decide


def test_a_branch_that_cannot_be_known_is_not_allowed(
    bundled: Policy, repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    assert judge(bundled, "git push", outside) == (DEFER, None)
    git(repo, "switch", "-q", "--detach")
    assert judge(bundled, "git push origin HEAD", repo) == (DEFER, None)
    git(repo, "switch", "-q", "feature/x")
    assert judge(bundled, "GIT_DIR=/elsewhere/.git git push", repo) == (DEFER, None)
    assert judge(bundled, "git --git-dir=/elsewhere/.git push", repo) == (DEFER, None)
    assert judge(bundled, 'cd "$DIR" && git push', repo)[0] in (ASK, DEFER)
    # a named feature branch needs no repository; a named shared one asks anywhere
    assert judge(bundled, "git push -u origin feature/y", outside)[0] == ALLOW
    assert judge(bundled, "git push origin HEAD:main", outside)[0] == ASK


def test_stricter_answers_are_kept(bundled: Policy, repo: Path) -> None:
    git(repo, "switch", "-q", "feature/x")
    assert judge(bundled, "git push --force", repo) == (ASK, "ask-force-push")
    assert judge(bundled, "git push --tags", repo) == (ASK, "ask-push-shared-branch")
    assert judge(bundled, "git push --help", repo)[0] == ALLOW


def test_the_files_read_are_noted_for_the_decision_cache(repo: Path) -> None:
    git(repo, "switch", "-q", "feature/x")
    recording = observe.start()
    try:
        pushes = analyze("git push", cwd=str(repo), home=str(repo.parent)).commands
    finally:
        observe.stop()
    assert "push-shared" not in pushes[0].flags
    assert recording.still_true()
    git(repo, "switch", "-q", "main")  # the same call now lands on main
    assert not recording.still_true()
