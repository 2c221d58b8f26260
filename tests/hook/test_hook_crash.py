"""A hook whose policy evaluation dies natively (signal), ends without an answer or hangs
past the deadline still answers with the fail mode: the evaluation runs in a forked child.

The faults are injected only from a test-only ``sitecustomize.py`` on the hook process's
``PYTHONPATH``, which replaces the shell analyzer (C code: tree-sitter) with one that
crashes for real.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from superego_mcp.hook.runner import DEADLINE_S
from support.hook import Result, bash, write_policy

RunHook = Callable[..., Result]

# Allows by default, so any answer but the fail mode would be a crash turned into an allow.
POLICY = """\
version: 1
default: {action: allow, reason: "everything else is fine"}
rules:
  - id: no-rm
    action: deny
    reason: removing files is not allowed
    conditions: {shell: {program: rm}}
"""

# `body` replaces superego_mcp.shell.analyze (the engine looks it up on every Bash call).
SITE = """\
import os, signal, sys
import superego_mcp.shell as shell

real_analyze = shell.analyze

def analyze(*args, **kwargs):
{body}

shell.analyze = analyze
"""


def _inject(tmp_path: Path, body: str) -> dict[str, str]:
    site = tmp_path / "inject"
    site.mkdir(exist_ok=True)
    indented = "\n".join("    " + line for line in body.splitlines())
    (site / "sitecustomize.py").write_text(SITE.format(body=indented))
    return {"PYTHONPATH": str(site)}


def _rules(tmp_path: Path) -> str:
    return str(write_policy(tmp_path, POLICY))


def test_without_a_fault_the_policy_answers(run_hook: RunHook, tmp_path: Path) -> None:
    env = _inject(tmp_path, "return real_analyze(*args, **kwargs)")
    assert run_hook(bash("ls"), "--rules", _rules(tmp_path), env=env).pre_tool_use()[0] == "allow"
    r = run_hook(bash("rm -rf x"), "--rules", _rules(tmp_path), env=env)
    assert r.pre_tool_use()[0] == "deny"


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("os.kill(os.getpid(), signal.SIGSEGV)", "SIGSEGV"),
        ("os.abort()", "SIGABRT"),
        ("os.kill(os.getpid(), signal.SIGBUS)", "SIGBUS"),
    ],
)
def test_a_signal_in_the_analyzer_is_the_fail_mode(
    run_hook: RunHook, tmp_path: Path, body: str, name: str
) -> None:
    env = _inject(tmp_path, body)
    r = run_hook(bash("ls"), "--rules", _rules(tmp_path), env=env)
    decision, reason = r.pre_tool_use()
    assert decision == "ask"
    assert f"the policy evaluation crashed (signal {name})" in reason
    assert name in r.stderr
    deny = run_hook(bash("ls"), "--rules", _rules(tmp_path), "--fail-mode", "deny", env=env)
    assert deny.pre_tool_use()[0] == "deny"


def test_configured_fail_mode_is_used_after_a_crash(run_hook: RunHook, tmp_path: Path) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text("fail_mode: deny\n")
    env = _inject(tmp_path, "os.kill(os.getpid(), signal.SIGSEGV)")
    r = run_hook(bash("ls"), "--rules", _rules(tmp_path), "--config", str(settings), env=env)
    assert r.pre_tool_use()[0] == "deny"


def test_a_crash_before_the_fail_mode_is_known_denies(run_hook: RunHook, tmp_path: Path) -> None:
    # The crash hits while the settings are loaded: the configured mode is unknown.
    site = tmp_path / "inject"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import os, signal\n"
        "import superego_mcp.hook.cache as cache\n"
        "def load(*args, **kwargs):\n"
        "    os.kill(os.getpid(), signal.SIGSEGV)\n"
        "cache.load = load\n"
    )
    r = run_hook(bash("ls"), "--rules", _rules(tmp_path), env={"PYTHONPATH": str(site)})
    decision, reason = r.pre_tool_use()
    assert decision == "deny"
    assert "SIGSEGV" in reason
    ask = run_hook(bash("ls"), "--fail-mode", "ask", env={"PYTHONPATH": str(site)})
    assert ask.pre_tool_use()[0] == "ask"


def test_a_crash_keeps_the_event_shape(run_hook: RunHook, tmp_path: Path) -> None:
    env = _inject(tmp_path, "os.kill(os.getpid(), signal.SIGSEGV)")
    payload = {**bash("ls"), "hook_event_name": "PermissionRequest"}
    r = run_hook(payload, "--rules", _rules(tmp_path), "--fail-mode", "deny", env=env)
    assert r.code == 0
    decision = r.json()["hookSpecificOutput"]["decision"]  # type: ignore[index]
    assert decision["behavior"] == "deny"
    assert "SIGSEGV" in decision["message"]


def test_an_exit_without_an_answer_is_the_fail_mode(run_hook: RunHook, tmp_path: Path) -> None:
    env = _inject(tmp_path, "os._exit(0)")
    decision, reason = run_hook(bash("ls"), "--rules", _rules(tmp_path), env=env).pre_tool_use()
    assert decision == "ask"
    assert "ended without an answer (exit status 0)" in reason


def test_only_the_parent_writes_stdout(run_hook: RunHook, tmp_path: Path) -> None:
    # Native code in the child printing to stdout (fd 1 and sys.stdout) cannot corrupt the
    # answer, and nothing is printed twice.
    body = "os.write(1, b'junk')\nprint('more junk')\nreturn real_analyze(*args, **kwargs)"
    env = _inject(tmp_path, body)
    r = run_hook(bash("rm -rf x"), "--rules", _rules(tmp_path), env=env)
    assert r.pre_tool_use()[0] == "deny"
    json.loads(r.stdout)  # exactly one JSON document


def test_the_cache_written_by_a_crashing_child_is_whole(
    run_hook: RunHook, tmp_path: Path, hook_env: dict[str, str]
) -> None:
    # The child stores the compiled policy before the analyzer crashes; the next call uses it.
    crash = _inject(tmp_path, "os.kill(os.getpid(), signal.SIGSEGV)")
    assert run_hook(bash("ls"), "--rules", _rules(tmp_path), env=crash).pre_tool_use()[0] == "ask"
    cache_dir = Path(hook_env["SUPEREGO_CACHE_DIR"])
    names = [p.name for p in cache_dir.glob("policy-*")]  # (session roots live there too)
    assert len(names) == 1
    assert names[0].startswith("policy-")
    assert names[0].endswith(".pickle")
    before = (cache_dir / names[0]).stat().st_mtime_ns
    assert run_hook(bash("ls"), "--rules", _rules(tmp_path)).pre_tool_use()[0] == "allow"
    assert (cache_dir / names[0]).stat().st_mtime_ns == before  # a hit: not rewritten


@pytest.mark.parametrize(
    "body",
    [
        # A Python-level hang: the child's own alarm ends it, the child answers.
        "while True:\n    pass",
        # A hang that never lets a signal handler run (like C code): the parent kills it.
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\nwhile True:\n    pass",
    ],
    ids=["python-loop", "signals-blocked"],
)
def test_a_hang_ends_at_the_deadline(run_hook: RunHook, tmp_path: Path, body: str) -> None:
    env = _inject(tmp_path, body)
    start = time.monotonic()
    r = run_hook(bash("ls"), "--rules", _rules(tmp_path), env=env, timeout=30)
    elapsed = time.monotonic() - start
    decision, reason = r.pre_tool_use()
    assert decision == "ask"
    assert f"no decision within {DEADLINE_S:g} s" in reason
    # Claude Code's timeout (at least 6 s as installed) would let the call through.
    assert elapsed < DEADLINE_S + 3


def test_an_event_name_with_a_newline_still_gets_its_answer(run_hook: RunHook) -> None:
    # The child's notes to the parent are lines: such a name must not garble the answer.
    r = run_hook({**bash("ls"), "hook_event_name": "Post\nToolUse\tx"})
    assert r.code == 0
    assert r.json() == {}
    assert r.stderr == ""  # the child's own answer, not a failure reported by the parent
