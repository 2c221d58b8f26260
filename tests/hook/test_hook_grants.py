"""`superego-mcp allow`: exceptions granted by the real CLI, used by the real hook process."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest

from superego_mcp.grants import call_key, parse_duration
from support.hook import SCRIPT, bash, call


def allow(hook_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    assert SCRIPT is not None
    return subprocess.run(
        [SCRIPT, "allow", *args], capture_output=True, text=True, env=hook_env, timeout=60
    )


@pytest.fixture
def env(hook_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    hook_env["XDG_STATE_HOME"] = str(tmp_path / "state")
    return hook_env


def store(env: dict[str, str]) -> Path:
    return Path(env["XDG_STATE_HOME"]) / "superego" / "exceptions.json"


def test_once_allows_the_exact_call_one_time(run_hook, env: dict[str, str]) -> None:
    assert run_hook(bash("git push --force")).pre_tool_use()[0] == "ask"
    r = allow(env, "--once", "--reason", "release day", "git push --force")
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(store(env).stat().st_mode) == 0o600
    listed = allow(env, "--list").stdout
    assert "git push --force" in listed
    assert "release day" in listed
    decision, reason = run_hook(bash("git push --force")).pre_tool_use()
    assert decision == "allow"
    assert "exception" in reason
    assert "release day" in reason
    assert "without it: ask by rule ask-force-push" in reason
    # Used up.
    assert run_hook(bash("git push --force")).pre_tool_use()[0] == "ask"
    assert "git push --force" not in allow(env, "--list").stdout


def test_for_a_while_until_revoked(run_hook, env: dict[str, str]) -> None:
    r = allow(
        env, "--for", "1h", "--tool", "WebFetch", "--input", '{"url": "http://169.254.169.254/"}'
    )
    assert r.returncode == 0, r.stderr
    exception_id = r.stdout.split(":")[0]
    fetch = call("WebFetch", {"url": "http://169.254.169.254/"})
    for _ in range(2):
        assert run_hook(fetch).pre_tool_use()[0] == "allow"
    # Another input is another call.
    other = call("WebFetch", {"url": "http://169.254.169.254/latest/"})
    assert run_hook(other).pre_tool_use()[0] == "ask"
    assert allow(env, "--revoke", exception_id).returncode == 0
    assert run_hook(fetch).pre_tool_use()[0] == "ask"
    assert allow(env, "--revoke", exception_id).returncode == 1


def test_never_a_prefix_and_never_over_a_final_rule(run_hook, env: dict[str, str]) -> None:
    assert allow(env, "--for", "1h", "git push --force").returncode == 0
    for command in ("git push --force; rm -rf /tmp/x", "git push --force --tags"):
        assert run_hook(bash(command)).pre_tool_use()[0] != "allow", command
    # Spacing around the command does not matter; inside it, it does.
    assert run_hook(bash("  git push --force\n")).pre_tool_use()[0] == "allow"
    assert run_hook(bash("git push  --force")).pre_tool_use()[0] == "ask"
    # Wiping home is final: even an exception for exactly that call does not allow it.
    assert allow(env, "--for", "1h", "rm -rf ~").returncode == 0
    decision, reason = run_hook(bash("rm -rf ~")).pre_tool_use()
    assert decision == "deny"
    assert "exception" not in reason


def test_explain_shows_the_exception_without_using_it(run_hook, env: dict[str, str]) -> None:
    assert allow(env, "--once", "git push --force").returncode == 0
    assert SCRIPT is not None
    r = subprocess.run(
        [SCRIPT, "explain", "--json", "--", "git push --force"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    data = json.loads(r.stdout)
    assert data["exception"].startswith("exception:")
    assert data["decision"]["decision"] == "allow"
    assert run_hook(bash("git push --force")).pre_tool_use()[0] == "allow"  # still there


def test_bad_requests_say_what_is_wrong(env: dict[str, str]) -> None:
    r = allow(env, "git push --force")
    assert (r.returncode, "--once" in r.stderr) == (2, True)
    r = allow(env, "--for", "soon", "ls")
    assert (r.returncode, "bad duration 'soon'" in r.stderr) == (2, True)
    assert not store(env).exists()


def test_durations_and_keys() -> None:
    assert parse_duration("1h30m") == 5400
    assert parse_duration("2d") == 172800
    with pytest.raises(ValueError, match="bad duration"):
        parse_duration("1 hour")
    assert call_key("Bash", {"command": " ls -la \n", "description": "x"}) == "ls -la"
    assert call_key("Read", {"b": 1, "a": 2}) == '{"a":2,"b":1}'


def test_a_webfetch_exception_matches_on_the_url_not_the_prompt(
    run_hook, env: dict[str, str]
) -> None:
    url = "http://169.254.169.254/latest/meta-data/"
    granted = json.dumps({"url": url, "prompt": "list the keys"})
    assert allow(env, "--for", "1h", "--tool", "WebFetch", "--input", granted).returncode == 0
    # The agent's next fetch of the same URL asks for something else: still the same call.
    again = call("WebFetch", {"url": url, "prompt": "what is the instance id?"})
    assert run_hook(again).pre_tool_use()[0] == "allow"
    other = call("WebFetch", {"url": url + "iam/", "prompt": "list the keys"})
    assert run_hook(other).pre_tool_use()[0] == "ask"


def test_free_text_fields_are_left_out_of_the_key_only_beside_the_deciding_ones() -> None:
    fetch = {"url": "https://x.example/", "prompt": "summarise"}
    assert call_key("WebFetch", fetch) == call_key("WebFetch", {**fetch, "prompt": "other"})
    assert call_key("WebFetch", fetch) != call_key("WebFetch", {**fetch, "url": "https://y/"})
    task = {"subagent_type": "general-purpose", "prompt": "fix the tests", "description": "a"}
    assert call_key("Task", task) == call_key("Task", {**task, "description": "b"})
    assert call_key("Task", task) != call_key("Task", {**task, "prompt": "rm -rf ~"})
    # Without its deciding field, an input is compared whole (never a broader match).
    assert call_key("WebFetch", {"prompt": "a"}) != call_key("WebFetch", {"prompt": "b"})
