"""Python / JavaScript reading figures (superego_mcp.lang): what a call carrying code pays.

Run: ``uv run --frozen python bench/bench_lang.py``. Prints, measured in this one run:

- a fresh interpreter's first `python -c` / `node -e` analysis (imports, grammar load)
  against the same interpreter's first plain shell analysis (``ls -la``);
- warm per-call times for typical one-liners, against the plain shell line;
- reading a generated file at the 256 KiB limit (Python and JavaScript), the worst case a
  command that runs a project file can cost.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ONE_LINERS = [
    "python3 -c 'import sys; print(sys.version)'",
    "python3 -c \"import json; print(json.load(open('package.json'))['version'])\"",
    "python3 -c \"import shutil, os; shutil.rmtree(os.path.expanduser('~'))\"",
    "node -e 'console.log(process.version)'",
    "node -e \"require('child_process').execSync('rm -rf ~')\"",
]
FIRST = """
import sys, time
from superego_mcp.shell import analyze
t = time.perf_counter()
analyze(sys.argv[1], cwd="/tmp", home="/tmp")
print((time.perf_counter() - t) * 1000)
"""


def _first(command: str, runs: int = 7) -> float:
    """Median ms of the first analysis of ``command`` in a fresh interpreter."""
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", FIRST, command], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout))
    return statistics.median(times)


def _warm(command: str, cwd: str, runs: int = 200) -> float:
    from superego_mcp.shell import analyze

    analyze(command, cwd=cwd, home=cwd)
    start = time.perf_counter()
    for _ in range(runs):
        analyze(command, cwd=cwd, home=cwd)
    return (time.perf_counter() - start) / runs * 1000


def _big(language: str) -> str:
    unit = (
        "def f{i}(x, y=1):\n    d = {{'a': x, 'b': [y, {i}]}}\n"
        "    return len(json.dumps(d).strip().split(','))\n\n"
        if language == "python"
        else "function f{i}(x, y = 1) {{\n  const d = {{a: x, b: [y, {i}]}}\n"
        "  return JSON.stringify(d).trim().split(',').length\n}}\n\n"
    )
    head = "import json\n\n" if language == "python" else "const fs = require('fs')\n\n"
    parts = [head]
    size, i = len(head), 0
    while size < 250_000:
        part = unit.format(i=i)
        parts.append(part)
        size += len(part)
        i += 1
    return "".join(parts)


def main() -> None:
    plain = _first("ls -la")
    print(f"first analysis, fresh process: ls -la {plain:6.1f} ms")
    for command in (ONE_LINERS[0], ONE_LINERS[3]):
        first = _first(command)
        print(f"  {command[:44]:44} {first:6.1f} ms  (+{first - plain:.1f} ms)")
    with tempfile.TemporaryDirectory() as tmp:
        base = _warm("ls -la", tmp)
        print(f"warm per call: ls -la {base:.3f} ms")
        for command in ONE_LINERS:
            ms = _warm(command, tmp)
            print(f"  {command[:60]:60} {ms:7.3f} ms  ({ms / base:.1f}x)")
        from superego_mcp.lang import read_code

        for language, name in (("python", "big.py"), ("javascript", "big.js")):
            text = _big(language)
            Path(tmp, name).write_text(text)
            start = time.perf_counter()
            report = read_code(language, text)
            ms = (time.perf_counter() - start) * 1000
            assert report.complete, report.gaps
            print(f"reading {name} ({len(text) // 1024} KiB): {ms:.0f} ms")


if __name__ == "__main__":
    main()
