"""`superego-mcp init / check / explain`, run as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "superego_mcp"]


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, cwd: str | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v for k, v in os.environ.items() if k not in ("SUPEREGO_RULES", "SUPEREGO_CONFIG")
    }
    full_env.update(env or {})
    return subprocess.run(
        [*CLI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_check_bundled_policy_passes() -> None:
    r = run("check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 failed: ok" in r.stdout
    assert "Traceback" not in r.stderr


def test_init_writes_policy_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "rules.yaml"
    r = run("init", "--path", str(target))
    assert r.returncode == 0
    # A small starter on top of the bundled policy, not a copy of it.
    written = target.read_text()
    assert "extends: bundled" in written
    assert len(written.splitlines()) < 40
    target.write_text("mine")
    r = run("init", "--path", str(target))
    assert r.returncode == 1
    assert "--force" in r.stderr
    assert target.read_text() == "mine"
    r = run("init", "--path", str(target), "--force")
    assert r.returncode == 0
    assert "version: 1" in target.read_text()
    # The written file is a valid policy whose examples pass.
    r = run("check", "--rules", str(target))
    assert r.returncode == 0, r.stdout


def test_check_reports_failing_example_with_line(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(
        textwrap.dedent("""\
        version: 1
        rules:
          - id: deny-rm
            action: deny
            reason: no rm
            conditions: {shell: {program: rm}}
            examples:
              match: ["rm x", "ls"]
              no_match: ["rmdir x"]
        """)
    )
    r = run("check", "--rules", str(policy))
    assert r.returncode == 1
    assert f"{policy}:8: rule deny-rm: example 'ls' should match but does not" in r.stdout
    assert "2 examples" not in r.stdout
    assert "3 examples, 1 failed: FAILED" in r.stdout


def test_check_bad_file_exit_2_with_file_line(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "version: 1\nrules:\n  - id: x\n    action: deny\n    reason: r\n"
        "    conditions: {tol: Bash}\n"
    )
    r = run("check", "--rules", str(policy))
    assert r.returncode == 2
    assert r.stderr.strip() == (
        f"{policy}:6: rule x: unknown condition 'tol' (did you mean 'tool'?)"
    )
    # $SUPEREGO_RULES selects the file too.
    r = run("check", env={"SUPEREGO_RULES": str(policy)})
    assert r.returncode == 2
    assert "unknown condition 'tol'" in r.stderr
    r = run("check", "--rules", str(tmp_path / "missing.yaml"))
    assert r.returncode == 2
    assert "cannot read policy file" in r.stderr


def test_explain_shell_command_text() -> None:
    r = run("explain", "--cwd", "/home/user/project", "--", "ls", "&&", "sudo", "rm", "-rf", "/")
    assert r.returncode == 2, r.stderr  # deny
    out = r.stdout
    assert "program=rm" in out
    assert "via=sudo" in out
    assert "flags=force,recursive" in out
    assert "deny by rule deny-recursive-delete-home-or-root" in out
    assert "allow by rule allow-read-only-commands" in out
    assert out.strip().splitlines()[-1].startswith("result: DENY (rule deny-recursive-delete")


def test_explain_tool_call_json() -> None:
    r = run(
        "explain",
        "--json",
        "--tool",
        "Read",
        "--input",
        '{"file_path": "/home/user/.ssh/id_rsa"}',
        "--cwd",
        "/home/user/project",
    )
    assert r.returncode == 2, r.stderr  # deny
    data = json.loads(r.stdout)
    assert data["decision"] == {
        "decision": "deny",
        "rule_id": "deny-credential-files",
        "reason": data["decision"]["reason"],
    }
    assert data["units"][0]["paths"] == ["/home/user/.ssh/id_rsa"]
    assert data["commands"] == []


def test_explain_hook_json_on_stdin_and_review() -> None:
    hook = {
        "session_id": "s",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "perl -e 'print `id`'"},
        "cwd": "/home/user/project",
    }
    r = run("explain", "--json", "-", stdin=json.dumps(hook))
    assert r.returncode == 1, r.stderr  # ask
    data = json.loads(r.stdout)
    assert data["evaluation"]["decision"] == "review"
    assert data["decision"]["decision"] == "ask"  # no reviewer configured yet
    assert any(f["kind"] == "code_execution" for f in data["findings"])


def test_explain_bad_input_is_a_clear_error() -> None:
    r = run("explain", "--tool", "Read", "--input", "{not json")
    assert r.returncode == 3
    assert r.stderr.startswith("superego-mcp: bad input:")
    r = run("explain", "-", stdin="[]")
    assert r.returncode == 3
    assert "hook JSON must be an object" in r.stderr
    r = run("explain")
    assert r.returncode == 3
    assert "nothing to explain" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("bad", ["version: 1\nrules: [\n"])
def test_explain_bad_policy_exit_3(tmp_path: Path, bad: str) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(bad)
    r = run("explain", "--rules", str(policy), "ls")
    assert r.returncode == 3
    assert r.stderr.startswith(f"{policy}:")
