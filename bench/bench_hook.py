"""How long one `superego-mcp hook` call takes, against bare interpreter start-up.

Runs, interleaved round by round so that machine load hits every kind alike:

- ``python -c pass`` (the same interpreter);
- the hook on a Read call and on a Bash call, compiled-policy cache warm, recording each
  decision in the audit store (SQLite, the default) and with ``SUPEREGO_AUDIT=off``;
- the hook on a Read call with an empty cache (settings validated, policy compiled);
- the hook with ``--agent NAME`` on each other agent's shell call (its own payload shape),
  cache warm: one line per agent (Codex, Gemini CLI, Copilot CLI, Cursor, OpenCode).
- the hook on the Bash call with an LLM reviewer configured (``SUPEREGO_REVIEWER``; the
  rules decide the call, so nothing of the reviewer may be loaded: same cost as without);
- with ``--baseline SCRIPT``: another installation's ``superego-mcp`` (e.g. main's) on the
  same warm calls, for a before/after comparison in one run; ``--baseline-src DIR`` does the
  same with the code in ``DIR`` (e.g. an export of main's ``src/``) on this interpreter;
- cc-safety-net (``npm install cc-safety-net``; found on PATH, under ``./node_modules/.bin``
  or given with ``--ccsn PATH``) as ``cc-safety-net hook --claude-code`` on the same Read and
  Bash calls: another guard that runs on every tool call.

Prints each median wall time, its ratio to bare start-up, and what the audit write adds, and
beside it the median CPU time (user + system, of the hook and the judging child it waits for):
on a shared, loaded machine wall times measure the scheduler as much as the hook, CPU time
much less so.
The targets (issue 19): a warm call (audit on) at most 4x bare start-up and at most 0.5x
cc-safety-net, on Read and on the Bash chain; exit status 1 when a warm median misses one
(``--no-check`` to only print).
Usage: ``uv run --frozen python bench/bench_hook.py [--runs N] [--rules FILE]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 4.0
TARGET_CCSN = 0.5


def _script() -> str:
    found = shutil.which("superego-mcp", path=str(Path(sys.executable).parent))
    if found is None:
        sys.exit("superego-mcp is not installed next to this interpreter (run `uv sync`)")
    return found


def _call(tool: str, tool_input: dict[str, object], cwd: str) -> bytes:
    return json.dumps(
        {
            "session_id": "bench",
            "transcript_path": "/tmp/bench.jsonl",
            "cwd": cwd,
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": tool,
            "tool_input": tool_input,
            "tool_use_id": "toolu_bench",
        }
    ).encode()


def _agent_calls(cwd: str) -> dict[str, bytes]:
    """One shell call per agent, in that agent's hook payload shape (docs/agents.md)."""
    command = "git status && ls -la | head -5"
    payloads: dict[str, object] = {
        "codex": {
            "session_id": "bench",
            "turn_id": "t1",
            "cwd": cwd,
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": command},
            "tool_use_id": "call-1",
        },
        "gemini": {
            "session_id": "bench",
            "cwd": cwd,
            "hook_event_name": "BeforeTool",
            "timestamp": "2026-08-21T12:00:00Z",
            "tool_name": "run_shell_command",
            "tool_input": {"command": command, "description": "status"},
        },
        "copilot": {
            "sessionId": "bench",
            "timestamp": 1704614600000,
            "cwd": cwd,
            "toolName": "bash",
            "toolArgs": json.dumps({"command": command, "description": "status"}),
        },
        "cursor": {
            "conversation_id": "bench",
            "hook_event_name": "preToolUse",
            "tool_name": "Shell",
            "tool_input": {"command": command, "cwd": ""},
            "cwd": "",
            "workspace_roots": [cwd],
        },
        "opencode": {
            "tool": "bash",
            "sessionID": "bench",
            "callID": "c1",
            "args": {"command": command, "description": "status"},
            "directory": cwd,
            "worktree": cwd,
        },
    }
    return {agent: json.dumps(data).encode() for agent, data in payloads.items()}


def _time(argv: list[str], stdin: bytes, env: dict[str, str], cwd: str) -> tuple[float, bytes]:
    wall, _, out = _measure(argv, stdin, env, cwd)
    return wall, out


def _measure(
    argv: list[str], stdin: bytes, env: dict[str, str], cwd: str
) -> tuple[float, float, bytes]:
    """Wall time, CPU time (user + system of the process and the children it waited for:
    the hook's judging child) and stdout of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        argv, input=stdin, capture_output=True, env=env, cwd=cwd, check=False, timeout=60
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 2):
        sys.exit(f"{argv} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, proc.stdout


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25, help="rounds (default 25)")
    parser.add_argument("--rules", help="policy file (default: the bundled policy)")
    parser.add_argument("--no-check", action="store_true", help="do not fail on the target")
    parser.add_argument("--baseline", metavar="SCRIPT", help="another superego-mcp to compare")
    parser.add_argument("--baseline-src", metavar="DIR", help="another src/ to compare")
    parser.add_argument("--ccsn", metavar="PATH", help="the cc-safety-net program")
    opts = parser.parse_args()

    script = _script()
    with tempfile.TemporaryDirectory(prefix="bench-hook-") as tmp:
        home = Path(tmp, "home")
        work = Path(tmp, "work")
        home.mkdir()
        work.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SUPEREGO_")}
        env.update(
            HOME=str(home),
            SUPEREGO_CACHE_DIR=str(Path(tmp, "cache")),
            XDG_STATE_HOME=str(Path(tmp, "state")),  # the audit database (default target)
        )
        # As installed (pip and `uv sync --compile-bytecode` write .pyc files), not as in a
        # PYTHONDONTWRITEBYTECODE shell that recompiles every module on every call; the .pyc
        # files go to a temporary prefix, not into the source tree.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp, "pycache"))
        hook = [script, "hook"] + (["--rules", opts.rules] if opts.rules else [])
        read = _call("Read", {"file_path": str(work / "README.md")}, str(work))
        bash = _call("Bash", {"command": "git status && ls -la | head -5"}, str(work))

        off = {**env, "SUPEREGO_AUDIT": "off"}
        agents = _agent_calls(str(work))

        # Warm the cache once and show what the policy answered.
        for name, payload in (("Read", read), ("Bash", bash)):
            _, out = _time(hook, payload, env, str(work))
            _time(hook, payload, off, str(work))
            answer = json.loads(out).get("hookSpecificOutput", {})
            print(f"{name} call answered: {answer.get('permissionDecision', 'defer')}")
        for agent, payload in agents.items():
            _, out = _time([*hook, "--agent", agent], payload, env, str(work))
            print(f"{agent} shell call answered: {out.decode().strip() or '(nothing)'}"[:160])

        kinds: dict[str, list[float]] = {
            "bare": [],
            "read": [],
            "read-off": [],
            "bash": [],
            "bash-off": [],
            "miss": [],
        }
        kinds.update({agent: [] for agent in agents})
        reviewed = {**env, "SUPEREGO_REVIEWER": "anthropic"}
        base = [opts.baseline, "hook"] if opts.baseline else None
        base_env = dict(env)
        if opts.baseline_src:
            base = hook
            base_env.update(
                PYTHONPATH=str(Path(opts.baseline_src).resolve()),
                SUPEREGO_CACHE_DIR=str(Path(tmp, "cache-base")),
            )
        ccsn = _ccsn(opts.ccsn)
        ccsn_env = {**env, "HOME": str(Path(tmp, "ccsn-home"))}
        if ccsn:
            kinds.update({"ccsn-read": [], "ccsn-bash": []})
        kinds["bash+rv"] = []
        if base:
            kinds.update({"read@base": [], "bash@base": []})
        cpus: dict[str, list[float]] = {}

        def add(kind: str, argv: list[str], stdin: bytes, env: dict[str, str]) -> None:
            wall, cpu, _ = _measure(argv, stdin, env, str(work))
            kinds[kind].append(wall)
            cpus.setdefault(kind, []).append(cpu)

        for i in range(opts.runs):
            add("bare", [sys.executable, "-c", "pass"], b"", env)
            add("read", hook, read, env)
            add("read-off", hook, read, off)
            add("bash", hook, bash, env)
            add("bash-off", hook, bash, off)
            add("bash+rv", hook, bash, reviewed)
            if base:
                add("read@base", base, read, base_env)
                add("bash@base", base, bash, base_env)
            if ccsn:
                add("ccsn-read", ccsn, read, ccsn_env)
                add("ccsn-bash", ccsn, bash, ccsn_env)
            cold = {**env, "SUPEREGO_CACHE_DIR": str(Path(tmp, f"cold-{i}"))}
            add("miss", hook, read, cold)
            for agent, payload in agents.items():
                add(agent, [*hook, "--agent", agent], payload, env)

    med = {k: statistics.median(v) * 1000 for k, v in kinds.items()}
    print(f"runs per kind: {opts.runs}")
    print(f"bare python -c pass    median {med['bare']:7.1f} ms")
    labels = {
        "read": "hook, Read (warm)",
        "read-off": "  same, audit off",
        "bash": "hook, Bash (warm)",
        "bash-off": "  same, audit off",
        "bash+rv": "Bash, reviewer set",
        "read@base": "baseline, Read",
        "bash@base": "baseline, Bash",
        "miss": "hook, cache miss",
        "ccsn-read": "cc-safety-net, Read",
        "ccsn-bash": "cc-safety-net, Bash",
    }
    labels.update({agent: f"{agent}, shell (warm)" for agent in agents})
    labels = {k: v for k, v in labels.items() if k in med}
    cpu = {k: statistics.median(v) * 1000 for k, v in cpus.items()}
    print("wall time (what the agent waits), and CPU time (user + system, parent and judging")
    print("child: what load changes least), medians; ratios to bare start-up")
    for key, label in labels.items():
        print(
            f"{label:<22} median {med[key]:7.1f} ms   ratio {med[key] / med['bare']:5.2f}x"
            f"   cpu {cpu[key]:6.1f} ms   ratio {cpu[key] / cpu['bare']:5.2f}x"
        )
    for kind in ("read", "bash"):
        added = med[kind] - med[f"{kind}-off"]
        share = added / med[f"{kind}-off"] * 100
        print(f"audit adds to {kind:<4}       {added:+7.1f} ms   ({share:+.0f}%)")
    if "read@base" in med:
        for kind in ("read", "bash"):
            print(
                f"{kind}: this / baseline = {med[kind] / med[kind + '@base']:.3f} (wall), "
                f"{cpu[kind] / cpu[kind + '@base']:.3f} (cpu)"
            )
    worst = max(med[k] for k in ("read", "bash", "bash+rv", *agents)) / med["bare"]
    verdict = "meets" if worst <= TARGET else "MISSES"
    print(f"target: warm calls <= {TARGET}x bare start-up: {verdict} ({worst:.2f}x)")
    ok = worst <= TARGET
    if "ccsn-read" in med:
        for kind in ("read", "bash"):
            ratio = med[kind] / med[f"ccsn-{kind}"]
            verdict = "meets" if ratio <= TARGET_CCSN else "MISSES"
            print(
                f"target: {kind} <= {TARGET_CCSN}x cc-safety-net: {verdict} ({ratio:.2f}x; "
                f"cpu {cpu[kind] / cpu[f'ccsn-{kind}']:.2f}x)"
            )
            ok = ok and ratio <= TARGET_CCSN
    else:
        print("cc-safety-net not found (npm install cc-safety-net, or --ccsn PATH): not compared")
    return 0 if ok or opts.no_check else 1


def _ccsn(given: str | None) -> list[str] | None:
    """The cc-safety-net hook command line, or None when it is not installed."""
    found = given or shutil.which("cc-safety-net")
    if found is None and Path("node_modules/.bin/cc-safety-net").exists():
        found = str(Path("node_modules/.bin/cc-safety-net").resolve())
    return [found, "hook", "--claude-code"] if found else None


if __name__ == "__main__":
    raise SystemExit(main())
