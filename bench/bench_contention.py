"""The command hook under CPU contention: 60 concurrent calls on busy cores (issue 22).

A CPU hog (one busy-looping process per core) runs throughout. Then, in interleaved rounds,
60 ``superego-mcp hook`` processes are started at once, each with a different Bash call from
the everyday corpus, first with an empty policy cache (every process finds no compiled
policy: the cold path) and then with a warm one. For each batch: how many were decided by the
policy within the hook's deadline (the rest got the fail-closed "no decision within" answer or
another fail-closed answer), and the median and p95 wall time of a call from the batch's start.
With ``--baseline-src DIR`` the same batches run the code in ``DIR`` (e.g. an export of main's
``src/``), interleaved, for before/after in one run.

    python3 scripts/uv.py run python bench/bench_contention.py [--calls 60] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Why calls were not decided, over all batches (the hook's stderr).
REASONS: dict[str, int] = {}


def _calls(n: int, cwd: str) -> list[bytes]:
    data = yaml.safe_load((ROOT / "tests/corpus/everyday.yaml").read_text(encoding="utf-8"))
    lines = [e for entries in data.values() for e in entries if isinstance(e, str)][:n]
    return [
        json.dumps(
            {
                "session_id": f"contention-{i}",
                "transcript_path": "/tmp/bench.jsonl",
                "cwd": cwd,
                "hook_event_name": "PreToolUse",
                "tool_name": "Bash",
                "tool_input": {"command": line},
            }
        ).encode()
        for i, line in enumerate(lines)
    ]


def batch(argv: list[str], bodies: list[bytes], env: dict[str, str], cwd: str) -> dict[str, float]:
    """Start one process per body at once; (decided, failed closed, median s, p95 s)."""
    t0 = time.perf_counter()
    procs = []
    for body in bodies:
        p = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )
        procs.append((p, body))
    for p, body in procs:  # feed them all before reading any answer
        assert p.stdin is not None
        p.stdin.write(body)
        p.stdin.close()
        p.stdin = None  # closed: communicate() only reads the answer
    times, decided = [], 0
    for p, _ in procs:
        out, err = p.communicate()
        times.append(time.perf_counter() - t0)
        # A policy decision leaves stderr empty; every fail-closed answer says why there.
        if p.returncode == 0 and not err.strip():
            json.loads(out or b"{}")
            decided += 1
        else:
            why = err.decode(errors="replace").strip().splitlines() or [f"exit {p.returncode}"]
            REASONS[why[-1][:100]] = REASONS.get(why[-1][:100], 0) + 1
    times.sort()
    return {
        "decided": decided,
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, int(len(times) * 0.95))],
    }


def main() -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=60, help="concurrent hook calls (default 60)")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds (default 2)")
    ap.add_argument("--hogs", type=int, default=os.cpu_count() or 2, help="busy processes")
    ap.add_argument("--baseline-src", metavar="DIR", help="also run the code in DIR (src/)")
    args = ap.parse_args()
    script = shutil.which("superego-mcp", path=str(Path(sys.executable).parent))
    if script is None:
        sys.exit("superego-mcp is not installed next to this interpreter (run `uv sync`)")

    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.hogs)]
    results: dict[str, list[dict[str, float]]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-contention-") as tmp:
            work = Path(tmp, "work")
            work.mkdir()
            Path(tmp, "home").mkdir()
            env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SUPEREGO_")}
            env.update(
                HOME=str(Path(tmp, "home")),
                XDG_STATE_HOME=str(Path(tmp, "state")),
                XDG_CONFIG_HOME=str(Path(tmp, "config")),
                PYTHONPYCACHEPREFIX=str(Path(tmp, "pycache")),
            )
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            bodies = _calls(args.calls, str(work))
            variants = {"this": dict(env)}
            if args.baseline_src:
                variants["baseline"] = {
                    **env,
                    "PYTHONPATH": str(Path(args.baseline_src).resolve()),
                }
            argv = [script, "hook"]
            for name, venv in variants.items():  # compile the .pyc files once, off the clock
                venv["SUPEREGO_CACHE_DIR"] = str(Path(tmp, f"warm-{name}"))
                subprocess.run(argv, input=bodies[0], env=venv, cwd=work, capture_output=True)
            for r in range(args.rounds):
                for name, venv in variants.items():
                    cold = {**venv, "SUPEREGO_CACHE_DIR": str(Path(tmp, f"cold-{name}-{r}"))}
                    results.setdefault(f"{name}, cold cache", []).append(
                        batch(argv, bodies, cold, str(work))
                    )
                    results.setdefault(f"{name}, warm cache", []).append(
                        batch(argv, bodies, venv, str(work))
                    )
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    print(
        f"{args.calls} concurrent hook calls, {args.hogs} CPU hogs on {os.cpu_count()} cores, "
        f"{args.rounds} rounds; deadline 5 s"
    )
    print(f"{'':<22}{'decided (per round)':>22}{'median s':>10}{'p95 s':>8}")
    for name, runs in results.items():
        decided = "/".join(str(int(r["decided"])) for r in runs)
        median = statistics.median(r["median"] for r in runs)
        p95 = statistics.median(r["p95"] for r in runs)
        print(f"{name:<22}{decided + f' of {args.calls}':>22}{median:>10.2f}{p95:>8.2f}")
    for why, n in sorted(REASONS.items(), key=lambda kv: -kv[1]):
        print(f"not decided ({n}): {why}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
