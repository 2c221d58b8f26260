"""Policy layers through the real hook process: the user and project layers, the cache."""

from __future__ import annotations

from pathlib import Path

from support.hook import bash

USER_ALLOWS_FORCE_PUSH = """\
version: 1
extends: bundled
overrides:
  ask-force-push: {action: allow, reason: "We force-push feature branches."}
"""

PROJECT = """\
version: 1
extends: bundled
overrides:
  ask-force-push: {action: allow}
rules:
  - id: deny-make-release
    action: deny
    reason: "Releases come from CI."
    conditions: {shell: {program: make, args: {equals: release}}}
"""


def test_a_user_layer_created_later_is_used_at_once(
    run_hook, hook_env: dict[str, str], tmp_path: Path
) -> None:
    assert run_hook(bash("git push --force")).pre_tool_use()[0] == "ask"
    user = Path(hook_env["HOME"]) / ".config" / "superego" / "policy.yaml"
    user.parent.mkdir(parents=True)
    user.write_text(USER_ALLOWS_FORCE_PUSH)
    decision, reason = run_hook(bash("git push --force")).pre_tool_use()
    assert (decision, "We force-push feature branches" in reason) == ("allow", True)
    # Same length, same second: only the bytes tell the two files apart.
    edited = USER_ALLOWS_FORCE_PUSH.replace("action: allow", "action: deny ")
    assert len(edited) == len(USER_ALLOWS_FORCE_PUSH)
    user.write_text(edited)
    assert run_hook(bash("git push --force")).pre_tool_use()[0] == "deny"
    user.unlink()
    assert run_hook(bash("git push --force")).pre_tool_use()[0] == "ask"


def test_the_project_layer_comes_from_claude_project_dir(run_hook, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / ".superego").mkdir(parents=True)
    (project / ".superego" / "policy.yaml").write_text(PROJECT)
    env = {"CLAUDE_PROJECT_DIR": str(project)}
    decision, reason = run_hook(bash("make release"), env=env).pre_tool_use()
    assert (decision, "Releases come from CI." in reason) == ("deny", True)
    # The project may not loosen what the layers below ask about.
    assert run_hook(bash("git push --force"), env=env).pre_tool_use()[0] == "ask"
    # Without the project, its rule is not in effect.
    out = run_hook(bash("make release")).json()
    assert out == {}  # defer: no rule has an opinion


def test_a_broken_layer_fails_closed_naming_file_and_line(
    run_hook, hook_env: dict[str, str]
) -> None:
    user = Path(hook_env["HOME"]) / ".config" / "superego" / "policy.yaml"
    user.parent.mkdir(parents=True)
    user.write_text("version: 1\nextends: bundled\noverrides:\n  ask-forse-push: {action: allow}\n")
    decision, reason = run_hook(bash("ls")).pre_tool_use()
    assert decision == "ask"
    assert f"{user}:4" in reason
    assert "did you mean 'ask-force-push'" in reason
