"""`superego-mcp hooks install | uninstall | status`, run as a real process on a temp HOME."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from support.hook import SCRIPT, bash

ROUTE = "/v1/hooks/claude-code"


def hooks(
    env: dict[str, str], cwd: Path, *args: str, module: bool = False
) -> subprocess.CompletedProcess[str]:
    assert SCRIPT is not None
    argv = [sys.executable, "-m", "superego_mcp"] if module else [SCRIPT]
    return subprocess.run(
        [*argv, "hooks", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=30,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    p = tmp_path / "proj"
    p.mkdir()
    return p


def user_settings(env: dict[str, str]) -> Path:
    return Path(env["HOME"]) / ".claude" / "settings.json"


def ours(data: dict[str, object]) -> list[dict[str, object]]:
    groups = data["hooks"]["PreToolUse"]  # type: ignore[index]
    return [
        h
        for g in groups
        for h in g["hooks"]
        if "superego" in json.dumps(h) or ROUTE in json.dumps(h)
    ]


def test_install_into_a_fresh_home_writes_an_absolute_runnable_command(
    hook_env: dict[str, str], project: Path
) -> None:
    r = hooks(hook_env, project, "install")
    assert r.returncode == 0, r.stderr
    data = json.loads(user_settings(hook_env).read_text())
    [group] = data["hooks"]["PreToolUse"]
    assert group["matcher"] == "*"
    [handler] = group["hooks"]
    assert handler["type"] == "command"
    assert handler["timeout"] == 60
    assert handler["command"].endswith(" || exit 2")  # fails closed when the program is gone
    argv = shlex.split(handler["command"].removesuffix(" || exit 2"))
    assert os.path.isabs(argv[0])
    assert argv[-1] == "hook"
    # The written command really is the hook: run it the way Claude Code would (sh -c), with
    # a PATH that does not contain superego-mcp.
    env = {**hook_env, "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        ["/bin/sh", "-c", handler["command"]],
        input=json.dumps(bash("ls")).encode(),
        capture_output=True,
        env=env,
        cwd=project,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)["hookSpecificOutput"]
    assert out["hookEventName"] == "PreToolUse"
    assert out["permissionDecision"] == "allow"  # `ls` on the bundled policy


def test_install_keeps_everything_else_is_idempotent_and_backs_up(
    hook_env: dict[str, str], project: Path
) -> None:
    path = user_settings(hook_env)
    path.parent.mkdir(parents=True)
    other_hook = {"type": "command", "command": "/usr/local/bin/lint-hook", "timeout": 5}
    before = {
        "permissions": {"allow": ["Bash(ls:*)"], "deny": ["Read(./.env)"]},
        "model": "opus",
        "hooks": {
            "PreToolUse": [{"matcher": "Bash", "hooks": [other_hook]}],
            "PostToolUse": [{"matcher": "*", "hooks": [{"type": "command", "command": "log"}]}],
        },
    }
    path.write_text(json.dumps(before))
    for _ in range(2):
        r = hooks(
            hook_env, project, "install", "--matcher", "Bash|Write|mcp__.*", "--timeout", "15"
        )
        assert r.returncode == 0, r.stderr
    data = json.loads(path.read_text())
    assert data["permissions"] == before["permissions"]
    assert data["model"] == "opus"
    # Theirs kept first; ours recorded once beside it (the call ran: docs/replay.md).
    post = data["hooks"]["PostToolUse"]
    assert post[0] == before["hooks"]["PostToolUse"][0]  # type: ignore[index]
    assert len(post) == 2
    assert post[1]["matcher"] == "Bash|Write|mcp__.*"
    [recorder] = post[1]["hooks"]
    # It only records: it runs in the background and never blocks (no `|| exit 2`).
    assert recorder["async"] is True
    assert not recorder["command"].endswith("|| exit 2")
    assert recorder["command"] + " || exit 2" == ours(data)[0]["command"]
    assert data["hooks"]["PreToolUse"][0] == {"matcher": "Bash", "hooks": [other_hook]}
    [handler] = ours(data)
    assert handler["timeout"] == 15
    assert data["hooks"]["PreToolUse"][1]["matcher"] == "Bash|Write|mcp__.*"
    backup = json.loads(path.with_name("settings.json.bak").read_text())
    assert len(ours(backup)) == 1  # the backup is the file as it was before the 2nd install
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_uninstall_removes_only_ours(hook_env: dict[str, str], project: Path) -> None:
    path = user_settings(hook_env)
    path.parent.mkdir(parents=True)
    other = {"matcher": "Bash", "hooks": [{"type": "command", "command": "other-guard"}]}
    path.write_text(json.dumps({"hooks": {"PreToolUse": [other]}, "env": {"A": "1"}}))
    assert hooks(hook_env, project, "install").returncode == 0
    r = hooks(hook_env, project, "uninstall")
    assert r.returncode == 0, r.stderr
    assert "removed 2" in r.stdout  # PreToolUse and PostToolUse
    assert json.loads(path.read_text()) == {"hooks": {"PreToolUse": [other]}, "env": {"A": "1"}}
    r = hooks(hook_env, project, "uninstall")
    assert r.returncode == 0
    assert "nothing to remove" in r.stdout


def test_uninstall_of_the_only_hook_leaves_no_empty_hooks(
    hook_env: dict[str, str], project: Path
) -> None:
    path = user_settings(hook_env)
    path.parent.mkdir(parents=True)
    path.write_text('{"theme": "dark"}')
    assert hooks(hook_env, project, "install").returncode == 0
    assert hooks(hook_env, project, "uninstall").returncode == 0
    assert json.loads(path.read_text()) == {"theme": "dark"}


@pytest.mark.parametrize(
    "content", ["{not json", "[1, 2]", '{"hooks": []}', '{"hooks": {"PreToolUse": {}}}']
)
def test_unusable_settings_file_is_left_untouched(
    hook_env: dict[str, str], project: Path, content: str
) -> None:
    path = user_settings(hook_env)
    path.parent.mkdir(parents=True)
    path.write_text(content)
    for action in ("install", "uninstall"):
        r = hooks(hook_env, project, action)
        assert r.returncode == 2
        assert str(path) in r.stderr
        assert "left untouched" in r.stderr
        assert path.read_text() == content
    assert not path.with_name("settings.json.bak").exists()
    r = hooks(hook_env, project, "status")
    assert r.returncode == 2


@pytest.mark.parametrize(("scope", "name"), [("local", "settings.local.json")])
def test_project_and_local_scopes(
    hook_env: dict[str, str], tmp_path: Path, project: Path, scope: str, name: str
) -> None:
    rules = project / "rules.yaml"
    r = hooks(
        hook_env,
        tmp_path,
        "install",
        "--scope",
        scope,
        "--project-dir",
        str(project),
        "--rules",
        str(rules),
        module=True,
    )
    assert r.returncode == 0, r.stderr
    data = json.loads((project / ".claude" / name).read_text())
    [handler] = ours(data)
    argv = shlex.split(handler["command"].removesuffix(" || exit 2"))  # type: ignore[union-attr]
    assert argv[:3] == [sys.executable, "-m", "superego_mcp"]
    assert argv[3:] == ["hook", "--rules", str(rules)]
    assert not user_settings(hook_env).exists()
    r = hooks(hook_env, tmp_path, "status", "--project-dir", str(project))
    assert r.returncode == 0
    assert "user: not installed" in r.stdout
    assert f"{scope}: PreToolUse matcher '*' command" in r.stdout


def test_http_mode_writes_the_route_and_a_token_reference_never_the_token(
    hook_env: dict[str, str], project: Path
) -> None:
    env = {**hook_env, "SUPEREGO_API_TOKEN": "s3cret-token-value"}
    r = hooks(
        env,
        project,
        "install",
        "--mode",
        "http",
        "--url",
        "http://127.0.0.1:8642/v1/hooks/claude-code/",
        "--timeout",
        "3",
    )
    assert r.returncode == 0, r.stderr
    assert "fails closed" in r.stderr  # the fail-open trade-off is pointed out
    text = user_settings(env).read_text()
    assert "s3cret" not in text + r.stdout + r.stderr
    [handler] = ours(json.loads(text))
    assert handler == {
        "type": "http",
        "url": "http://127.0.0.1:8642" + ROUTE,
        "timeout": 3,
        "headers": {"Authorization": "Bearer $SUPEREGO_API_TOKEN"},
        "allowedEnvVars": ["SUPEREGO_API_TOKEN"],
    }
    # switching mode replaces our entry instead of adding a second one
    assert hooks(env, project, "install").returncode == 0
    [handler] = ours(json.loads(user_settings(env).read_text()))
    assert handler["type"] == "command"


def test_command_mode_with_url_forwards_to_the_server(
    hook_env: dict[str, str], project: Path
) -> None:
    r = hooks(hook_env, project, "install", "--url", "http://127.0.0.1:9")
    assert r.returncode == 0, r.stderr
    [handler] = ours(json.loads(user_settings(hook_env).read_text()))
    argv = shlex.split(handler["command"].removesuffix(" || exit 2"))  # type: ignore[union-attr]
    assert argv[-3:] == ["hook", "--server", "http://127.0.0.1:9"]


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--mode", "http"], "needs --url"),
        (["--mode", "http", "--url", "ftp://x"], "http://"),
        (["--timeout", "2"], "at least 6 seconds"),
    ],
)
def test_bad_options_are_refused(
    hook_env: dict[str, str], project: Path, args: list[str], problem: str
) -> None:
    r = hooks(hook_env, project, "install", *args)
    assert r.returncode == 2
    assert problem in r.stderr
    assert not user_settings(hook_env).exists()


def test_symlinked_settings_file_stays_a_symlink(
    hook_env: dict[str, str], project: Path, tmp_path: Path
) -> None:
    real = tmp_path / "dotfiles" / "claude-settings.json"
    real.parent.mkdir()
    real.write_text('{"a": 1}')
    link = user_settings(hook_env)
    link.parent.mkdir(parents=True)
    link.symlink_to(real)
    assert hooks(hook_env, project, "install").returncode == 0
    assert link.is_symlink()
    data = json.loads(real.read_text())
    assert data["a"] == 1
    assert len(ours(data)) == 1


def test_status_flags_a_hook_whose_program_is_gone(hook_env: dict[str, str], project: Path) -> None:
    path = user_settings(hook_env)
    path.parent.mkdir(parents=True)
    gone = {"type": "command", "command": "/nonexistent/venv/bin/superego-mcp hook", "timeout": 10}
    path.write_text(json.dumps({"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [gone]}]}}))
    r = hooks(hook_env, project, "status")
    assert r.returncode == 2
    assert "BROKEN: /nonexistent/venv/bin/superego-mcp" in r.stdout
    assert hooks(hook_env, project, "install").returncode == 0  # reinstalling replaces it
    r = hooks(hook_env, project, "status")
    assert r.returncode == 0, r.stdout
    assert "BROKEN" not in r.stdout


RULES = """\
version: 1
extends: bundled
rules:
  - id: team-no-curl
    action: deny
    reason: the team says no curl
    conditions:
      shell: {program: curl}
"""


def test_project_scope_writes_a_command_a_teammate_can_run(
    hook_env: dict[str, str], tmp_path: Path, project: Path
) -> None:
    (project / "rules.yaml").write_text(RULES)
    settings = project / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{"permissions": {"allow": []}}')
    args = ("--scope", "project", "--project-dir", str(project), "--rules", "rules.yaml")
    r = hooks(hook_env, project, "install", *args)
    assert r.returncode == 0, r.stderr
    [handler] = ours(json.loads(settings.read_text()))
    command = handler["command"]
    assert command == 'superego-mcp hook --rules "$CLAUDE_PROJECT_DIR"/rules.yaml || exit 2'
    assert str(tmp_path) not in command  # nothing of this machine's paths
    # The backup of the old file is not left in the repository.
    assert [p.name for p in project.rglob("*.bak")] == []
    [backup] = (Path(hook_env["SUPEREGO_CACHE_DIR"]) / "settings-backups").iterdir()
    assert json.loads(backup.read_text()) == {"permissions": {"allow": []}}

    # A teammate: their own checkout path, home and installation (found on PATH).
    checkout = tmp_path / "teammate" / "work" / "proj"
    checkout.parent.mkdir(parents=True)
    project.rename(checkout)
    home = tmp_path / "teammate" / "home"
    home.mkdir()
    bin_dir = str(Path(sys.executable).parent)

    def run(path: str) -> subprocess.CompletedProcess[bytes]:
        env = {
            **hook_env,
            "HOME": str(home),
            "PATH": path,
            "CLAUDE_PROJECT_DIR": str(checkout),
        }
        return subprocess.run(
            ["/bin/sh", "-c", command],
            input=json.dumps(bash("curl https://example.com", cwd=str(checkout))).encode(),
            capture_output=True,
            env=env,
            cwd=checkout,
            timeout=60,
            check=False,
        )

    for _ in range(3):  # a cold cache on a loaded machine can outlast the 5 s deadline
        proc = run(f"{bin_dir}:/usr/bin:/bin")
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)["hookSpecificOutput"]
        if "no decision within" not in out["permissionDecisionReason"]:
            break
    assert out["permissionDecision"] == "deny", out
    assert "team-no-curl" in out["permissionDecisionReason"]
    # Without Superego installed the call is blocked (exit 2), not waved through (127).
    proc = run("/usr/bin:/bin")
    assert proc.returncode == 2
    env = {**hook_env, "PATH": "/usr/bin:/bin"}
    r = subprocess.run(
        [sys.executable, "-m", "superego_mcp", "hooks", "status", "--project-dir", str(checkout)],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert r.returncode == 2
    assert "superego-mcp (not on PATH): every call is refused" in r.stdout


def test_project_scope_refuses_files_outside_the_project(
    hook_env: dict[str, str], tmp_path: Path, project: Path
) -> None:
    outside = tmp_path / "mine.yaml"
    outside.write_text(RULES)
    r = hooks(hook_env, project, "install", "--scope", "project", "--rules", str(outside))
    assert r.returncode == 2
    assert "is outside the project" in r.stderr
    assert not (project / ".claude" / "settings.json").exists()
