"""Shell analyzer figures: start-up cost in a fresh process, and per-call cost.

Run: ``uv run --frozen python bench/bench_shell.py``. Prints figures and ratios measured in
this one run (the machine's speed cancels out of the ratios):

- import of the analyzer and its first call in a fresh interpreter (what every hook call
  pays), against a bare interpreter start;
- per-call time for typical agent command lines, against tree-sitter's parse alone.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

LINES = [
    "ls -la",
    "git status && git diff --stat",
    "cd /tmp && rm -rf build dist *.egg-info",
    "uv run --frozen pytest tests/shell -q 2>&1 | tail -30",
    "curl -fsSL https://example.com/install.sh | sh",
    'find . -name "*.pyc" -exec rm -f {} \\; && echo done',
    'for f in *.py; do python3 -m black "$f"; done',
    "cat > notes.md <<'EOF'\nrm -rf /\nEOF",
    "sudo -u root bash -c 'apt-get update && apt-get install -y jq'",
    "x=$(git rev-parse HEAD); echo ${x:0:7} | tee -a log.txt",
]

_FRESH = """
import time
t0 = time.perf_counter()
from superego_mcp.shell import analyze
t1 = time.perf_counter()
analyze("git status && rm -rf build", cwd="/tmp", home="/root")
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def _fresh_process(code: str, runs: int) -> list[float]:
    """Wall time of a fresh interpreter running ``code``, best of ``runs``."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def _per_call(fn: object, runs: int) -> float:
    """Median seconds per call of ``fn()`` over all LINES."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        for line in LINES:
            fn(line)  # type: ignore[operator]
        samples.append((time.perf_counter() - started) / len(LINES))
    return statistics.median(samples)


def main() -> None:
    runs = 7
    bare = min(_fresh_process("pass", runs))
    fresh = min(_fresh_process(_FRESH, runs))
    out = subprocess.run(
        [sys.executable, "-c", _FRESH], check=True, capture_output=True, text=True
    ).stdout.split()
    import_s, first_call_s = float(out[0]), float(out[1])
    print(f"bare interpreter start:            {bare * 1000:7.1f} ms")
    print(f"start + import + first analyze:    {fresh * 1000:7.1f} ms")
    print(f"  import superego_mcp.shell:       {import_s * 1000:7.1f} ms")
    print(f"  first analyze (parser creation): {first_call_s * 1000:7.1f} ms")
    print(f"  ratio fresh/bare:                {fresh / bare:7.2f}x")

    from superego_mcp.shell import analyze
    from superego_mcp.shell.parser import parse

    analyze("true", cwd="/tmp", home="/root")  # warm
    per_analyze = _per_call(lambda s: analyze(s, cwd="/tmp", home="/root"), 50)
    per_parse = _per_call(lambda s: parse(s.encode()), 50)
    print(f"analyze per typical line:          {per_analyze * 1e6:7.1f} us")
    print(f"tree-sitter parse alone:           {per_parse * 1e6:7.1f} us")
    print(f"  ratio analyze/parse:             {per_analyze / per_parse:7.2f}x")

    _scripts(analyze)

    big = "; ".join(LINES[:4]) * 40
    started = time.perf_counter()
    result = analyze(big, cwd="/tmp", home="/root", max_commands=10_000)
    took = time.perf_counter() - started
    print(f"{len(big)}-char line, {len(result.commands)} commands: {took * 1000:7.1f} ms")
    deep = "echo " + "$(" * 10_000 + ")" * 10_000
    started = time.perf_counter()
    result = analyze(deep, cwd="/tmp", home="/root")
    took = time.perf_counter() - started
    print(f"10,000 nested $( (rejected: {result.failed}):  {took * 1000:7.1f} ms")
    _over_limits()


def _over_limits() -> None:
    """Size before work: 20,000-command lines are refused before they are parsed or walked.
    Timed through the bundled policy's judge (analysis + rules), what a hook call does."""
    from superego_mcp.model import ToolCall
    from superego_mcp.policy.layers import load_policy

    policy = load_policy()
    policy.judge(ToolCall("Bash", {"command": "ls"}, "/tmp"))  # warm
    worst = 0.0
    for sep in ("; ", " && ", " | ", "\n", " & "):
        for unit in ("ls -la", "a"):
            line = sep.join([unit] * 20_000)
            started = time.perf_counter()
            judged = policy.judge(ToolCall("Bash", {"command": line}, "/tmp"))
            took = time.perf_counter() - started
            worst = max(worst, took)
            assert judged.decision.action == "ask", judged.decision
    print(f"20,000-command lines, worst of 10 (ask): {worst * 1000:7.1f} ms (target < 500 ms)")


def _scripts(analyze: object) -> None:
    """Script reading: what it costs lines that run no script (nothing), and lines that do."""
    import tempfile
    from pathlib import Path

    fn = analyze  # the analyzer, typed loosely to keep the bench import-light
    no_read = _per_call(lambda s: fn(s, cwd="/tmp", home="/root", read_scripts=False), 50)  # type: ignore[operator]
    read = _per_call(lambda s: fn(s, cwd="/tmp", home="/root"), 50)  # type: ignore[operator]
    print(f"typical lines, scripts not read:   {no_read * 1e6:7.1f} us")
    print(f"typical lines, scripts read:       {read * 1e6:7.1f} us")
    print(f"  ratio (no script on the lines):  {read / no_read:7.2f}x")
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        body = "\n".join(LINES[i % 4] for i in range(40))
        (root / "build.sh").write_text("#!/bin/sh\n" + body + "\n")
        recipes = "".join(f"t{i}:\n\t{LINES[i % 4]}\n" for i in range(20))
        (root / "Makefile").write_text(
            "all: " + " ".join(f"t{i}" for i in range(20)) + "\n" + recipes
        )
        for line in ("bash build.sh", "make"):
            runs = []
            for flag in (False, True):
                started = time.perf_counter()
                for _ in range(20):
                    result = fn(line, cwd=str(root), home="/root", read_scripts=flag)  # type: ignore[operator]
                runs.append((time.perf_counter() - started) / 20)
            print(
                f"{line!r} (40 lines read, {len(result.commands)} commands): "
                f"{runs[1] * 1000:6.2f} ms, {runs[1] / runs[0]:5.1f}x the line alone"
            )


if __name__ == "__main__":
    main()
