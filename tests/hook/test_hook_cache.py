"""The compiled-policy cache: never stale, corrupt entries rebuilt, warm calls stay lean."""

from __future__ import annotations

import json
import os
import pickle
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from superego_mcp.hook import cache
from support.hook import POLICY, call, read, write_policy


def entries(hook_env: dict[str, str]) -> list[Path]:
    """The compiled-policy entries (the cache directory also keeps session roots)."""
    return sorted(Path(hook_env["SUPEREGO_CACHE_DIR"]).glob("policy-*"))


def test_entry_is_written_atomically_and_privately(
    run_hook, hook_env: dict[str, str], tmp_path: Path
) -> None:
    assert run_hook(read(), "--rules", str(write_policy(tmp_path))).pre_tool_use()[0] == "allow"
    [entry] = entries(hook_env)
    assert entry.suffix == ".pickle"  # no temp file left behind
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700


def test_an_edited_policy_is_used_at_once(run_hook, tmp_path: Path) -> None:
    rules = write_policy(tmp_path)
    assert run_hook(read(), "--rules", str(rules)).pre_tool_use()[0] == "allow"
    # Same length, same second: only the bytes tell the two files apart.
    edited = POLICY.replace("action: allow", "action: deny ", 1)
    assert len(edited) == len(POLICY)
    rules.write_text(edited)
    assert run_hook(read(), "--rules", str(rules)).pre_tool_use()[0] == "deny"
    rules.write_text(POLICY)
    assert run_hook(read(), "--rules", str(rules)).pre_tool_use()[0] == "allow"


def test_an_edited_settings_file_is_used_at_once(run_hook, tmp_path: Path) -> None:
    rules = str(write_policy(tmp_path))
    settings = tmp_path / "s.yaml"
    settings.write_text("fail_mode: ask\n")
    assert run_hook(b"", "--rules", rules, "--config", str(settings)).pre_tool_use()[0] == "ask"
    settings.write_text("fail_mode: deny\n")
    assert run_hook(b"", "--rules", rules, "--config", str(settings)).pre_tool_use()[0] == "deny"


def test_a_changed_environment_is_used_at_once(run_hook, tmp_path: Path) -> None:
    rules = tmp_path / "env-rules.yaml"
    rules.write_text(POLICY.replace("action: allow", "action: deny", 1))
    assert run_hook(read(), "--rules", str(write_policy(tmp_path))).pre_tool_use()[0] == "allow"
    # SUPEREGO_RULES is part of the key: pointing it elsewhere is a different entry.
    assert run_hook(read(), env={"SUPEREGO_RULES": str(rules)}).pre_tool_use()[0] == "deny"


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"not a pickle at all",
        pickle.dumps(("wrong", "shape")),
        pickle.dumps({"fail_mode": "ask"}),
        b"\x80\x05\x95",  # truncated pickle
    ],
)
def test_corrupt_entries_are_rebuilt(
    run_hook, hook_env: dict[str, str], tmp_path: Path, garbage: bytes
) -> None:
    rules = write_policy(tmp_path)
    w = call("Write", {"file_path": "/etc/hosts", "content": ""})
    assert run_hook(w, "--rules", str(rules)).pre_tool_use()[0] == "deny"
    [entry] = entries(hook_env)
    entry.write_bytes(garbage)
    decision, reason = run_hook(w, "--rules", str(rules)).pre_tool_use()
    assert decision == "deny"
    assert "no-write-etc" in reason
    # rewritten (or, if someone edited the source tree meanwhile, written under a new key)
    assert any(e.read_bytes() != garbage for e in entries(hook_env))


def test_an_entry_from_another_policy_is_not_trusted(
    run_hook, hook_env: dict[str, str], tmp_path: Path
) -> None:
    # An entry built for a permissive policy, copied over the entry of a strict one: the
    # bytes check rejects it.
    strict = tmp_path / "strict"
    strict.mkdir()
    permissive = tmp_path / "permissive"
    permissive.mkdir()
    strict_rules = write_policy(strict, POLICY.replace("action: allow", "action: deny", 1))
    assert run_hook(read(), "--rules", str(strict_rules)).pre_tool_use()[0] == "deny"
    [strict_entry] = entries(hook_env)
    strict_rules.write_text(POLICY)
    assert run_hook(read(), "--rules", str(strict_rules)).pre_tool_use()[0] == "allow"
    allow_entry = strict_entry.read_bytes()
    strict_rules.write_text(POLICY.replace("action: allow", "action: deny", 1))
    strict_entry.write_bytes(allow_entry)
    assert run_hook(read(), "--rules", str(strict_rules)).pre_tool_use()[0] == "deny"


def test_an_unwritable_cache_only_costs_speed(run_hook, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {"SUPEREGO_CACHE_DIR": str(blocker / "cache")}
    rules = str(write_policy(tmp_path))
    for _ in range(2):
        assert run_hook(read(), "--rules", rules, env=env).pre_tool_use()[0] == "allow"


# The call is judged in a forked child that ends with os._exit: the child reports what it
# imported (HEAVY=) from there, the parent (PARENT=) when it exits (by os._exit too, after
# writing its audit row, or when main() returns).
PROBE = """
import os, sys
from superego_mcp.cli import main
PARENT = os.getpid()
def heavy(tag):
    found = sorted(m for m in ("pydantic", "pydantic_settings", "yaml", "fastapi", "fastmcp",
                               "tree_sitter", "tree_sitter._binding", "httpx", "urllib.request",
                               "argparse", "pickle", "typing", "contextlib", "importlib.util",
                               "pathlib", "dataclasses", "threading", "signal", "shlex",
                               "superego_mcp.shell.code_text", "superego_mcp.policy.sql",
                               "json", "re", "enum")
                   if m in sys.modules)
    os.write(2, (tag + "=" + ",".join(found) + "\\n").encode())
real_exit = os._exit
def child_exit(code):
    heavy("HEAVY" if os.getpid() != PARENT else "PARENT")
    real_exit(code)
os._exit = child_exit
try:
    main(["hook", "--rules", sys.argv[1]])
except SystemExit:
    heavy("PARENT")
"""


def _heavy(
    hook_env: dict[str, str], cwd: Path, rules: Path, payload: dict[str, object]
) -> tuple[list[str], list[str]]:
    """What the judging child and the answering parent imported of the heavy modules."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(rules)],
        input=json.dumps(payload).encode(),
        capture_output=True,
        env=hook_env,
        cwd=cwd,
        timeout=30,
        check=True,
    )
    lines = proc.stderr.decode().splitlines()
    found = {
        tag: line.partition("=")[2]
        for line in lines
        for tag in ("HEAVY", "PARENT")
        if line.startswith(tag + "=")
    }
    return [m for m in found["HEAVY"].split(",") if m], [m for m in found["PARENT"].split(",") if m]


def test_a_warm_call_imports_no_heavy_module(hook_env: dict[str, str], tmp_path: Path) -> None:
    rules = write_policy(tmp_path)
    cold, _ = _heavy(hook_env, tmp_path, rules, read())
    assert "pydantic" in cold  # the first call validates settings and compiles
    assert "yaml" in cold
    # the process that answers imports nothing heavy: not even json or re (superego_mcp.cjson)
    assert _heavy(hook_env, tmp_path, rules, read()) == ([], [])
    # a Bash call needs the parser's C extension (which imports re), and nothing else heavy:
    # not even tree_sitter's package (it imports typing)
    bash = call("Bash", {"command": "ls && git status | head -5"})
    assert _heavy(hook_env, tmp_path, rules, bash) == (["enum", "re", "tree_sitter._binding"], [])


def test_old_entries_are_pruned_when_a_new_one_is_written(
    hook_env: dict[str, str], tmp_path: Path
) -> None:
    directory = Path(hook_env["SUPEREGO_CACHE_DIR"])
    directory.mkdir()
    for i in range(cache.MAX_ENTRIES + 8):
        old = directory / f"policy-{i:08x}.pickle"
        old.write_bytes(b"stale")
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    other = directory / "unrelated.txt"
    other.write_text("kept")
    # a writer killed mid-write leaves its temp file; a live writer's is recent
    abandoned = directory / "policy-0000abcd.pickle.4242.tmp"
    abandoned.write_bytes(b"half")
    os.utime(abandoned, (1_000_000, 1_000_000))
    in_flight = directory / "policy-0000abce.pickle.4343.tmp"
    in_flight.write_bytes(b"half")
    compiled = cache.load(str(write_policy(tmp_path)), None)
    assert not compiled.hit
    kept = sorted(p.name for p in directory.glob("policy-*.pickle"))
    assert len(kept) == cache.MAX_ENTRIES
    assert "policy-00000000.pickle" not in kept  # the oldest went first
    assert other.exists()
    assert not abandoned.exists()
    assert in_flight.exists()
    assert cache.load(str(write_policy(tmp_path)), None).hit


def test_hooks_started_together_compile_the_policy_once(
    hook_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Single flight (issue 22): hooks that find the cache cold at the same moment wait for
    # the first one's entry instead of each compiling. flock locks belong to each open file
    # description, so threads that each open the lock file contend as processes do.
    import threading
    import time

    rules = str(write_policy(tmp_path))
    compiled: list[int] = []
    real = cache._compile

    def slow_compile(*args: object) -> cache.Compiled:
        compiled.append(threading.get_ident())
        time.sleep(0.3)  # long enough for every other thread to reach the lock
        return real(*args)

    monkeypatch.setattr(cache, "_compile", slow_compile)
    results: list[cache.Compiled] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.load(rules, None, str(tmp_path))))
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(compiled) == 1
    assert len(results) == 6
    assert sum(not r.hit for r in results) == 1  # the others read the first one's entry
    assert all(r.policy.digest == results[0].policy.digest for r in results)


GC_PROBE = """
import gc, os, sys
from superego_mcp.cli import main
real_exit = os._exit
def report_exit(code):
    os.write(2, b"GC=%d\\n" % gc.isenabled())
    real_exit(code)
os._exit = report_exit
try:
    main(["hook", "--rules", sys.argv[1]])
except SystemExit:
    os.write(2, b"GC=%d\\n" % gc.isenabled())
"""


def test_the_hook_runs_without_the_cyclic_collector(
    hook_env: dict[str, str], tmp_path: Path
) -> None:
    # A hook process judges one call: the collector's passes cost every call milliseconds.
    rules = write_policy(tmp_path)
    for payload in (read(), call("Bash", {"command": "ls && git status | head -5"})):
        proc = subprocess.run(
            [sys.executable, "-c", GC_PROBE, str(rules)],
            input=json.dumps(payload).encode(),
            capture_output=True,
            env=hook_env,
            cwd=tmp_path,
            timeout=30,
            check=True,
        )
        flags = [line for line in proc.stderr.decode().splitlines() if line.startswith("GC=")]
        assert flags, proc.stderr
        assert set(flags) == {"GC=0"}, flags
        assert json.loads(proc.stdout)["hookSpecificOutput"]["permissionDecision"]
