"""The real `superego-mcp hook` process: every input gets exit 0 + valid JSON or exit 2."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from superego_mcp.hook.runner import MAX_INPUT
from support.hook import SCRIPT, bash, call, read, write_policy

BAD_INPUTS: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty"),
    "blank": (b" \n\t", "empty"),
    "not json": (b"{'tool_name': 'Bash'}", "not valid JSON"),
    "truncated": (json.dumps(bash("ls")).encode()[:-5], "not valid JSON"),
    "array": (b"[1, 2, 3]", "must be a JSON object, not an array"),
    "string": (b'"rm -rf /"', "must be a JSON object, not a string"),
    "null": (b"null", "not null"),
    "not utf-8": (b'{"tool_name": "Bash", "x": "\xff\xfe"}', "not UTF-8"),
    "no tool_name": (json.dumps({**bash("ls"), "tool_name": None}).encode(), "tool_name"),
    "tool_input string": (
        json.dumps({**bash("ls"), "tool_input": "rm -rf /"}).encode(),
        "tool_input of Bash must be a JSON object",
    ),
    "relative cwd": (json.dumps(bash("ls", cwd="proj")).encode(), "cwd must be an absolute"),
    "duplicate keys": (
        b'{"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": '
        b'{"command": "ls", "command": "rm -rf ~"}, "cwd": "/tmp"}',
        "duplicate key 'command'",
    ),
    "deep arrays": (b"[" * 10_000 + b"]" * 10_000, "nested deeper"),
    "deep tool_input": (
        b'{"tool_name": "mcp__x__y", "cwd": "/tmp", "tool_input": '
        + b'{"a": ' * 10_000
        + b"1"
        + b"}" * 10_001,
        "nested deeper",
    ),
    "too large": (b'{"x": "' + b"a" * (MAX_INPUT + 10) + b'"}', "larger than"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_fails_closed_with_ask(run_hook, tmp_path: Path, name: str) -> None:
    raw, problem = BAD_INPUTS[name]
    r = run_hook(raw, "--rules", str(write_policy(tmp_path)))
    decision, reason = r.pre_tool_use()
    assert decision == "ask"
    assert problem in reason
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("name", ["empty", "not json", "deep arrays", "no tool_name"])
def test_bad_input_with_fail_mode_deny(run_hook, tmp_path: Path, name: str) -> None:
    raw, problem = BAD_INPUTS[name]
    r = run_hook(raw, "--rules", str(write_policy(tmp_path)), "--fail-mode", "deny")
    decision, reason = r.pre_tool_use()
    assert decision == "deny"
    assert problem in reason


def test_a_one_megabyte_command_gets_a_judged_answer(run_hook, tmp_path: Path) -> None:
    r = run_hook(bash("echo " + "a" * 1_000_000), "--rules", str(write_policy(tmp_path)))
    decision, _ = r.pre_tool_use()
    assert decision in ("ask", "deny")


def test_decisions_from_the_policy_and_both_entry_forms(run_hook, tmp_path: Path) -> None:
    rules = str(write_policy(tmp_path))
    for module in (False, True):
        assert run_hook(read(), "--rules", rules, module=module).pre_tool_use()[0] == "allow"
        w = call("Write", {"file_path": "/etc/passwd", "content": "x"})
        decision, reason = run_hook(w, "--rules", rules, module=module).pre_tool_use()
        assert decision == "deny"
        assert "no-write-etc" in reason
        assert "writing under /etc changes the system" in reason
        other = call("WebFetch", {"url": "https://example.com", "prompt": "p"})
        assert run_hook(other, "--rules", rules, module=module).pre_tool_use()[0] == "ask"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (bash("rm -rf ~"), "deny"),
        (bash("ls -la"), "allow"),
        (bash("git push --force origin main"), "ask"),
        (read(), "allow"),
    ],
)
def test_bundled_policy_decisions(run_hook, payload: dict[str, object], expected: str) -> None:
    decision, reason = run_hook(payload).pre_tool_use()
    assert decision == expected, reason


def test_unknown_fields_and_plugin_tool_names_are_fine(run_hook, tmp_path: Path) -> None:
    payload = call(
        "mcp__plugin_acme_tools__fetch.v2", {"q": [1, {"x": None}]}, agent_id="a", brand_new={}
    )
    decision, _ = run_hook(payload, "--rules", str(write_policy(tmp_path))).pre_tool_use()
    assert decision == "ask"  # the policy default


@pytest.mark.parametrize("event", ["PostToolUse", "Notification", "Stop", "UserPromptSubmit"])
def test_observed_events_get_no_decision(run_hook, tmp_path: Path, event: str) -> None:
    payload = {**bash("rm -rf ~"), "hook_event_name": event, "tool_response": {"ok": True}}
    r = run_hook(payload, "--rules", str(write_policy(tmp_path)))
    assert r.code == 0
    assert r.json() == {}


def test_permission_request_answers(run_hook, tmp_path: Path) -> None:
    rules = str(write_policy(tmp_path))
    allow = run_hook({**read(), "hook_event_name": "PermissionRequest"}, "--rules", rules)
    assert allow.json() == {
        "hookSpecificOutput": {
            "hookEventName": "PermissionRequest",
            "decision": {"behavior": "allow"},
        }
    }
    w = {
        **call("Write", {"file_path": "/etc/x", "content": ""}),
        "hook_event_name": "PermissionRequest",
    }
    deny = run_hook(w, "--rules", rules).json()["hookSpecificOutput"]
    assert deny["decision"]["behavior"] == "deny"  # type: ignore[index]
    assert "no-write-etc" in deny["decision"]["message"]  # type: ignore[index]
    # ask = no decision: Claude Code shows the user its permission dialog
    ask = run_hook(
        {**call("WebFetch", {"url": "u"}), "hook_event_name": "PermissionRequest"}, "--rules", rules
    )
    assert ask.code == 0
    assert ask.json() == {}


def test_fail_mode_precedence_flag_env_file_default(run_hook, tmp_path: Path) -> None:
    rules = str(write_policy(tmp_path))
    settings = tmp_path / "superego.yaml"
    settings.write_text("fail_mode: deny\n")
    assert run_hook(b"", "--rules", rules).pre_tool_use()[0] == "ask"  # default
    assert run_hook(b"", "--rules", rules, "--config", str(settings)).pre_tool_use()[0] == "deny"
    env_ask = {"SUPEREGO_FAIL_MODE": "ask"}
    r = run_hook(b"", "--rules", rules, "--config", str(settings), env=env_ask)
    assert r.pre_tool_use()[0] == "ask"  # env over file
    r = run_hook(b"", "--rules", rules, "--config", str(settings), "--fail-mode", "ask")
    assert r.pre_tool_use()[0] == "ask"  # flag over file
    r = run_hook(b"", "--rules", rules, "--fail-mode", "ask", env={"SUPEREGO_FAIL_MODE": "deny"})
    assert r.pre_tool_use()[0] == "ask"  # flag over env
    r = run_hook(b"", "--rules", rules, env={"SUPEREGO_CONFIG": str(settings)})
    assert r.pre_tool_use()[0] == "deny"  # SUPEREGO_CONFIG names the file


def test_a_broken_policy_fails_closed_naming_file_and_line(run_hook, tmp_path: Path) -> None:
    rules = write_policy(tmp_path)
    assert run_hook(read(), "--rules", str(rules)).pre_tool_use()[0] == "allow"
    rules.write_text(rules.read_text().replace("action: allow", "action: allwo"))
    decision, reason = run_hook(read(), "--rules", str(rules)).pre_tool_use()
    assert decision == "ask"
    assert f"{rules}:" in reason
    settings = tmp_path / "s.yaml"
    settings.write_text("fail_mode: deny\n")
    r = run_hook(read(), "--rules", str(rules), "--config", str(settings))
    assert r.pre_tool_use()[0] == "deny"  # the configured fail mode still applies


def test_a_missing_policy_file_fails_closed(run_hook, tmp_path: Path) -> None:
    decision, reason = run_hook(read(), "--rules", str(tmp_path / "nope.yaml")).pre_tool_use()
    assert decision == "ask"
    assert "nope.yaml" in reason


@pytest.mark.parametrize("kind", ["missing", "directory", "invalid yaml", "invalid value"])
def test_unusable_settings_fail_closed_with_deny(run_hook, tmp_path: Path, kind: str) -> None:
    settings = tmp_path / "settings.yaml"
    if kind == "directory":
        settings.mkdir()
    elif kind == "invalid yaml":
        settings.write_text("fail_mode: [ask\n")
    elif kind == "invalid value":
        settings.write_text("fail_mode: maybe\n")
    rules = str(write_policy(tmp_path))
    decision, reason = run_hook(read(), "--rules", rules, "--config", str(settings)).pre_tool_use()
    # the configured fail mode is unknown: the stricter one
    assert decision == "deny"
    assert "settings" in reason
    r = run_hook(read(), "--rules", rules, "--config", str(settings), "--fail-mode", "ask")
    assert r.pre_tool_use()[0] == "ask"


def test_argument_errors_block_with_exit_2(run_hook) -> None:
    r = run_hook(read(), "--fail-mode", "allow")
    assert r.code == 2
    assert "invalid choice" in r.stderr


def _python_hook(
    code: str, stdin: bytes, env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", code],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=30,
        check=False,
    )


def test_a_policy_engine_that_cannot_import_fails_closed(
    hook_env: dict[str, str], tmp_path: Path
) -> None:
    code = (
        "import sys; sys.modules['superego_mcp.policy'] = None\n"
        "from superego_mcp.cli import main; main(['hook', '--fail-mode', 'deny'])"
    )
    r = _python_hook(code, json.dumps(read()).encode(), hook_env, tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)["hookSpecificOutput"]
    assert out["permissionDecision"] == "deny"
    assert "policy engine" in out["permissionDecisionReason"]


def test_a_runner_that_cannot_import_blocks_with_exit_2(
    hook_env: dict[str, str], tmp_path: Path
) -> None:
    code = (
        "import sys; sys.modules['superego_mcp.hook.runner'] = None\n"
        "from superego_mcp.cli import main; main(['hook'])"
    )
    r = _python_hook(code, json.dumps(read()).encode(), hook_env, tmp_path)
    assert r.returncode == 2
    assert b"blocked" in r.stderr


def test_interrupt_while_reading_fails_closed(hook_env: dict[str, str], tmp_path: Path) -> None:
    assert SCRIPT is not None
    proc = subprocess.Popen(
        [SCRIPT, "hook", "--rules", str(write_policy(tmp_path))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=hook_env,
        cwd=tmp_path,
    )
    time.sleep(1.5)  # well into the stdin read
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode in (0, 2), err
    if proc.returncode == 0:
        assert json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "ask"


def test_stdin_that_never_ends_is_answered_by_the_deadline(
    hook_env: dict[str, str], tmp_path: Path
) -> None:
    assert SCRIPT is not None
    proc = subprocess.Popen(
        [SCRIPT, "hook", "--rules", str(write_policy(tmp_path)), "--fail-mode", "deny"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=hook_env,
        cwd=tmp_path,
    )
    assert proc.stdin is not None
    proc.stdin.write(b'{"tool_name": "Bash", ')
    proc.stdin.flush()
    # stdin stays open: the hook must answer by its own deadline, not wait for EOF
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.wait(timeout=30)
    assert proc.returncode == 0
    spec = json.loads(out)["hookSpecificOutput"]
    assert spec["permissionDecision"] == "deny"
    assert "no complete hook input within" in spec["permissionDecisionReason"]
    proc.stdin.close()


DEFER_POLICY = """\
version: 1
default: {action: defer, reason: "No rule covers this call."}
rules:
  - id: read-ok
    action: allow
    reason: reading files is fine
    conditions: {tool: Read}
"""


@pytest.mark.parametrize("event", ["PreToolUse", "PermissionRequest"])
def test_defer_answers_no_decision(run_hook, tmp_path: Path, event: str) -> None:
    # No rule has an opinion: `{}`, so Claude Code's own permission settings decide.
    rules = str(write_policy(tmp_path, DEFER_POLICY))
    payload = {**call("WebFetch", {"url": "https://example.com", "prompt": "p"})}
    payload["hook_event_name"] = event
    r = run_hook(payload, "--rules", rules)
    assert r.code == 0, r.stderr
    assert r.stdout == b"{}\n"
    # A rule's own answer still comes through.
    allowed = run_hook({**read(), "hook_event_name": event}, "--rules", rules).json()
    assert allowed != {}


def test_defer_never_covers_an_unanalysable_line(run_hook, tmp_path: Path) -> None:
    rules = str(write_policy(tmp_path, DEFER_POLICY))
    decision, reason = run_hook(bash("echo 'unterminated"), "--rules", rules).pre_tool_use()
    assert decision == "ask"
    assert "could not fully analyse" in reason


def test_bundled_policy_defers_what_it_has_no_rule_for(run_hook) -> None:
    r = run_hook(call("SomeNewTool", {"x": 1}))
    assert r.code == 0, r.stderr
    assert r.json() == {}


@pytest.mark.parametrize(
    ("setting", "expected"), [("ask", "ask"), ("allow", "allow"), ("policy", None)]
)
def test_default_action_setting_replaces_the_policy_default(
    run_hook, tmp_path: Path, setting: str, expected: str | None
) -> None:
    rules = str(write_policy(tmp_path, DEFER_POLICY))
    payload = call("WebFetch", {"url": "https://example.com", "prompt": "p"})
    env = {"SUPEREGO_DEFAULT_ACTION": setting}
    r = run_hook(payload, "--rules", rules, env=env)
    if expected is None:
        assert r.json() == {}
    else:
        assert r.pre_tool_use()[0] == expected
    # In a settings file too; and an unanalysable line is asked about whatever it says.
    settings = tmp_path / "superego.yaml"
    settings.write_text(f"default_action: {setting}\n")
    broken = run_hook(bash("echo 'x"), "--rules", rules, "--config", str(settings))
    assert broken.pre_tool_use()[0] == "ask"


def test_a_bad_default_action_setting_fails_closed(run_hook, tmp_path: Path) -> None:
    rules = str(write_policy(tmp_path, DEFER_POLICY))
    r = run_hook(read(), "--rules", rules, env={"SUPEREGO_DEFAULT_ACTION": "sometimes"})
    decision, reason = r.pre_tool_use()
    assert decision == "deny"
    assert "default_action" in reason


# A hook that waited before Python ran it (busy cores: issue 22) has that much less time.
LATE_START = """
import sys, time
time.sleep(float(sys.argv[1]))  # as if the process sat in the run queue
from superego_mcp.hook.runner import queued
print(f"{queued():.3f}", file=sys.stderr, flush=True)
from superego_mcp.cli import main
main(["hook", "--rules", sys.argv[2], "--fail-mode", "deny"])
"""


def test_the_deadline_counts_from_the_process_start_not_from_python(
    hook_env: dict[str, str], tmp_path: Path
) -> None:
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", LATE_START, "3", str(write_policy(tmp_path))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=hook_env,
        cwd=tmp_path,
    )
    assert proc.stdin is not None
    proc.stdin.write(b'{"tool_name": "Bash", ')
    proc.stdin.flush()  # and never closed: only the deadline ends the wait
    assert proc.stdout is not None
    assert proc.stderr is not None
    out = proc.stdout.read()
    elapsed = time.monotonic() - started
    proc.wait(timeout=30)
    waited = float(proc.stderr.readline())
    proc.stdin.close()
    assert 3.0 <= waited < 5.0  # what the process spent before the hook's code ran
    spec = json.loads(out)["hookSpecificOutput"]
    assert spec["permissionDecision"] == "deny"
    assert "no complete hook input within" in spec["permissionDecisionReason"]
    # 5 s from the spawn, not 3 + 5 s (Claude Code's timeout, 6 s at the least, runs from
    # the spawn too); the margin is for a loaded machine
    assert elapsed < 6.5, elapsed
