"""The ``claude-cli`` provider against a fake ``claude`` executable on PATH that prints the
CLI's real ``--output-format json`` result object."""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from pathlib import Path

import pytest

from superego_mcp.decide import decide
from superego_mcp.model import Decision, ToolCall
from superego_mcp.policy.engine import Policy
from superego_mcp.reviewer.core import Reviewer, ReviewerConfig

# Inline code Superego does not read (Python and JavaScript are read: superego_mcp.lang).
ONE_LINER = ToolCall("Bash", {"command": "perl -e 'print 6*7'"}, "/home/user/project")

# Records its argv, stdin and working directory, then answers as FAKE_CLAUDE_MODE says.
FAKE_CLAUDE = """\
import json, os, sys, time
mode = os.environ.get("FAKE_CLAUDE_MODE", "ok")
stdin = sys.stdin.read()
with open(os.environ["FAKE_CLAUDE_LOG"], "w") as f:
    json.dump({"argv": sys.argv[1:], "stdin": stdin, "cwd": os.getcwd(),
               "traffic": os.environ.get("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC")}, f)
if mode == "slow":
    time.sleep(30)
if mode == "exit1":
    sys.exit(1)
if mode == "garbage":
    print("Error: not logged in")
    sys.exit(0)
result = {
    "type": "result",
    "subtype": "success",
    "is_error": mode == "api_error",
    "duration_ms": 2380,
    "duration_api_ms": 2211,
    "num_turns": 1,
    "result": os.environ.get("FAKE_CLAUDE_RESULT", ""),
    "stop_reason": "end_turn",
    "session_id": "4f1c1c1e-2b7a-4f55-9a55-0b3f0c1f7e11",
    "total_cost_usd": 0.00123,
    "usage": {"input_tokens": 812, "cache_creation_input_tokens": 0,
              "cache_read_input_tokens": 0, "output_tokens": 31,
              "server_tool_use": {"web_search_requests": 0}, "service_tier": "standard"},
    "permission_denials": [],
    "uuid": "0b6f7d0e-5a4e-4b8e-8d7e-6c1f2e3d4c5b",
}
print(json.dumps(result))
"""


@pytest.fixture
def claude(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake ``claude`` first on PATH; returns the log file it writes."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "claude"
    exe.write_text(f"#!{sys.executable}\n{FAKE_CLAUDE}")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "claude.json"
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_CLAUDE_LOG", str(log))
    return log


def review(policy: Policy, timeout: float = 10) -> Decision:
    r = Reviewer(ReviewerConfig([("claude-cli", "")], timeout=timeout, cache_ttl=0))
    return decide(policy, ONE_LINER, reviewer=lambda: r)


def test_claude_cli_answer_decides(
    claude: Path, bundled: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "FAKE_CLAUDE_RESULT", '{"decision": "deny", "reason": "Not needed.", "risk": "medium"}'
    )
    d = review(bundled)
    assert d.action == "deny"
    assert d.review["provider"] == "claude-cli"
    assert d.review["model"] == "haiku"
    seen = json.loads(claude.read_text())
    argv = seen["argv"]
    assert argv[:6] == ["-p", "--output-format", "json", "--model", "haiku", "--tools"]
    assert argv[6] == ""  # no tools at all: the reviewer cannot act, and no hook recursion
    assert "--strict-mcp-config" in argv
    assert argv[argv.index("--system-prompt") + 1].startswith("You are the reviewer of Superego")
    # The whole prompt goes on stdin, uncut (the old reviewer cut it at 500 characters).
    assert seen["stdin"].startswith("Superego's rule review-code-execution asked")
    assert "perl -e 'print 6*7'" in seen["stdin"]
    assert seen["cwd"] != os.getcwd()
    assert Path(seen["cwd"]).name.startswith("superego-review-")
    assert not Path(seen["cwd"]).exists()  # the empty directory is removed afterwards
    assert seen["traffic"] == "1"


def test_a_long_prompt_is_not_cut(
    claude: Path, bundled: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "FAKE_CLAUDE_RESULT", '{"decision": "allow", "reason": "Prints.", "risk": "low"}'
    )
    code = "print 6*7;\n" * 500
    call = ToolCall("Bash", {"command": f"perl -e '{code}'"}, "/home/user/project")
    r = Reviewer(ReviewerConfig([("claude-cli", "")], cache_ttl=0))
    assert decide(bundled, call, reviewer=lambda: r).action == "allow"
    stdin = json.loads(claude.read_text())["stdin"]
    assert "cut by Superego" not in stdin
    assert json.dumps(call.tool_input["command"])[1:-1] in stdin  # the whole command


@pytest.mark.parametrize(
    ("mode", "problem"),
    [
        ("exit1", "exited with status 1"),
        ("garbage", "not JSON"),
        ("api_error", "the run failed"),
    ],
)
def test_claude_cli_failures_fail_closed(
    claude: Path, bundled: Policy, monkeypatch: pytest.MonkeyPatch, mode: str, problem: str
) -> None:
    monkeypatch.setenv("FAKE_CLAUDE_MODE", mode)
    monkeypatch.setenv("FAKE_CLAUDE_RESULT", '{"decision": "allow", "reason": "x", "risk": "low"}')
    d = review(bundled)
    assert d.action == "ask"
    assert problem in d.reason


def test_claude_cli_past_the_deadline_is_killed(
    claude: Path, bundled: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CLAUDE_MODE", "slow")
    start = time.monotonic()
    d = review(bundled, timeout=1.5)
    assert time.monotonic() - start < 4
    assert d.action == "ask"
    assert "no answer within" in d.reason


def test_no_claude_on_path_is_unavailable(
    bundled: Policy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    d = review(bundled)
    assert d.action == "ask"
    assert "not on PATH" in d.reason
