"""Server speed, told against a yardstick: Superego's hook route vs a trivial FastAPI endpoint.

All servers run side by side on loopback and are measured in interleaved rounds (load from
elsewhere on the machine hits every one alike; only the ratios within one run mean anything):

- ``trivial``: ``bench/trivial_endpoint.py``, which parses the body and answers a fixed deny;
- ``superego``: ``superego-mcp serve`` with the bundled policy, audit (SQLite, a temporary
  file) and metrics on;
- ``audit off``: the same with ``SUPEREGO_AUDIT=off``;
- ``no cache``: audit and metrics on, the decision cache off (``SUPEREGO_DECISION_CACHE=0``):
  what a call never seen before costs;
- with ``--baseline-src DIR``: both Superego servers again, running the code in ``DIR`` (e.g.
  an export of main's ``src/``) with the same interpreter, for before/after in one run.

The load is ``wrk`` (C, it leaves the CPU to the servers; ``apt-get install -y wrk``),
sending round-robin every call of the everyday, dangerous and public-everyday corpora
(``tests/corpus``) in two working directories: thousands of distinct calls of every tool, so
remembering a few answers gains nothing; every server first answers each call once (its
warm-up: the decision cache then holds the whole mix, docs/server.md "Decision cache"). Each
round takes every server's 1-connection median
latency, its requests/s at 32 connections and the CPU time it used per request in that run
(user + system, all threads: on a loaded machine the CPU a request costs varies far less than
what a second of wall time buys); the figures are the medians over rounds, the ratios are
taken round by round. Afterwards: each server's resident memory, and the audit
rows committed (every answered request of the audit-on server must have its row).

    python3 scripts/uv.py run python bench/bench_server.py [--rounds 3] [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PATH = "/v1/hooks/claude-code"
HOME = "/home/user"
CWDS = ("/home/user/project", "/home/user/project/src")
CORPORA = ("everyday.yaml", "dangerous.yaml", "public_everyday.yaml")

# Targets of issue 19 (same run): req/s at 32 connections vs the trivial endpoint, and the
# 1-connection median vs the trivial endpoint's.
TARGET_RPS = 0.7
TARGET_MEDIAN = 3.0
TARGET_RSS_MIB = 150

WRK_SCRIPT = """
local bodies = {%s}
local i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", "%s", {["Content-Type"] = "application/json"}, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("REQS %%d\\nNON2XX %%d\\n", summary.requests, summary.errors.status))
  io.write(string.format("SOCKERR %%d\\n", summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
  io.write(string.format("P50US %%d\\n", latency:percentile(50)))
end
"""


def corpus_bodies() -> list[str]:
    """Claude Code PreToolUse bodies: every corpus call, once per working directory."""
    import yaml

    bodies = []
    for name in CORPORA:
        path = ROOT / "tests" / "corpus" / name
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entries in data.values():
            for entry in entries:
                if isinstance(entry, str):
                    tool, tool_input = "Bash", {"command": entry}
                elif "command" in entry:  # a shell call (its project files, if any, left out)
                    tool, tool_input = "Bash", {"command": entry["command"]}
                else:
                    tool, tool_input = entry["tool"], dict(entry["input"])
                for cwd in CWDS:
                    payload = {
                        "session_id": "bench",
                        "transcript_path": "/tmp/bench.jsonl",
                        "cwd": cwd,
                        "permission_mode": "default",
                        "hook_event_name": "PreToolUse",
                        "tool_name": tool,
                        "tool_input": tool_input,
                    }
                    bodies.append(json.dumps(payload))
    return bodies


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One server process under test."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], db: str | None) -> None:
        self.name = name
        self.port = free_port()
        self.db = db
        self.medians: list[float] = []
        self.rps: list[float] = []
        self.cpu_us: list[float] = []  # CPU per request at 32 connections
        self.errors = 0
        self.answered = 0
        self.proc = subprocess.Popen(
            [*argv, str(self.port)] if name == "trivial" else [*argv, "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
        )

    def wait_healthy(self) -> None:
        url = f"http://127.0.0.1:{self.port}/healthz"
        t0 = time.perf_counter()
        while True:
            try:
                with urllib.request.urlopen(url, timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                if self.proc.poll() is not None or time.perf_counter() - t0 > 60:
                    raise SystemExit(f"{self.name} did not become healthy") from None
                time.sleep(0.05)

    def cpu_seconds(self) -> float:
        """CPU time (user + system, every thread) the server has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def wrk(port: int, script: str, conns: int, seconds: float) -> tuple[float, int, int, float]:
    """(req/s, requests answered, errors, median latency ms) of one wrk run."""
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{conns}",
            f"-d{max(1, round(seconds))}s",
            "-s",
            script,
            f"http://127.0.0.1:{port}{PATH}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout

    return parse_wrk(out)


def parse_wrk(out: str) -> tuple[float, int, int, float]:
    """(req/s, requests answered, errors, median latency ms) from the output of wrk running
    :data:`WRK_SCRIPT`."""

    def num(pattern: str) -> float:
        found = re.search(pattern, out)
        if found is None:
            raise SystemExit(f"unexpected wrk output:\n{out}")
        return float(found.group(1))

    errors = int(num(r"NON2XX (\d+)") + num(r"SOCKERR (\d+)"))
    median_ms = num(r"P50US (\d+)") / 1000
    return num(r"Requests/sec:\s+([\d.]+)"), int(num(r"REQS (\d+)")), errors, median_ms


def write_mix(directory: str, bodies: list[str]) -> str:
    """Write :data:`WRK_SCRIPT` sending ``bodies`` round-robin into ``directory``; its path."""
    script = str(Path(directory, "mix.lua"))
    Path(script).write_text(
        WRK_SCRIPT % (", ".join(json.dumps(b) for b in bodies), PATH), encoding="utf-8"
    )
    return script


def check_answers(server: Server, bodies: list[str]) -> None:
    """Every body gets a 200 with hook JSON (each once, before the load: the warm-up)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    for body in bodies:
        conn.request("POST", PATH, body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise SystemExit(f"{server.name}: {resp.status} {data[:200]!r}")
        json.loads(data)
    conn.close()


def audit_rows(db: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM decisions").fetchone()[0])
    finally:
        conn.close()


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> int:
    """Run the benchmark, print the figures; exit 1 when a target is missed (``--no-check``)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    ap.add_argument("--seconds", type=float, default=5.0, help="32-connection load per round")
    ap.add_argument("--latency-seconds", type=float, default=3.0, help="1-connection run")
    ap.add_argument("--baseline-src", metavar="DIR", help="also run the code in DIR (src/)")
    ap.add_argument("--no-check", action="store_true", help="do not fail on a missed target")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install -y wrk): no honest load without it")

    bodies = corpus_bodies()
    tools = {json.loads(b)["tool_name"] for b in bodies}
    tmp = tempfile.mkdtemp(prefix="bench-server-")
    script = write_mix(tmp, bodies)
    base_env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SUPEREGO_")}
    base_env.update(
        HOME=HOME,  # the corpora's home: the same answers as tests/corpus
        SUPEREGO_LOG_LEVEL="warning",
        SUPEREGO_CACHE_DIR=str(Path(tmp, "cache")),
        XDG_STATE_HOME=str(Path(tmp, "state")),
        XDG_CONFIG_HOME=str(Path(tmp, "config")),  # no user policy layer
    )
    serve = [sys.executable, "-m", "superego_mcp", "serve", "--transport", "http"]
    specs: list[tuple[str, list[str], dict[str, str], str | None]] = [
        ("trivial", [sys.executable, str(HERE / "trivial_endpoint.py")], base_env, None)
    ]
    variants = [("", None)]
    if args.baseline_src:
        variants.append((" @baseline", str(Path(args.baseline_src).resolve())))
    for suffix, src in variants:
        env = dict(base_env)
        if src:
            env["PYTHONPATH"] = src
        db = str(Path(tmp, f"audit{len(specs)}.db"))
        specs.append((f"superego{suffix}", serve, {**env, "SUPEREGO_AUDIT": f"sqlite://{db}"}, db))
        specs.append((f"audit off{suffix}", serve, {**env, "SUPEREGO_AUDIT": "off"}, None))
        if not src:  # the setting is new: a baseline has no cache to turn off
            db = str(Path(tmp, f"audit{len(specs)}.db"))
            nocache = {**env, "SUPEREGO_AUDIT": f"sqlite://{db}", "SUPEREGO_DECISION_CACHE": "0"}
            specs.append((f"no cache{suffix}", serve, nocache, db))

    servers = [Server(*spec) for spec in specs]
    try:
        for s in servers:
            s.wait_healthy()
            check_answers(s, bodies)
        for s in servers:  # warm-up: imports, tree-sitter, wrk's connections
            wrk(s.port, script, 4, 1)
        rows_before = {s.name: audit_rows(s.db) for s in servers if s.db}
        for _ in range(args.rounds):
            for s in servers:
                _, n1, e1, median = wrk(s.port, script, 1, args.latency_seconds)
                cpu = s.cpu_seconds()
                rps, n32, e32, _ = wrk(s.port, script, 32, args.seconds)
                s.cpu_us.append((s.cpu_seconds() - cpu) / max(n32, 1) * 1e6)
                s.medians.append(median)
                s.rps.append(rps)
                s.errors += e1 + e32
                s.answered += n1 + n32
        rss = {s.name: s.rss_mib() for s in servers}
    finally:
        for s in servers:
            s.stop()
    rows = {s.name: audit_rows(s.db) - rows_before[s.name] for s in servers if s.db}
    shutil.rmtree(tmp, ignore_errors=True)

    trivial = servers[0]
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"load average after the run {load_average()}"
    )
    print(
        f"mix: {len(bodies)} distinct calls ({len(tools)} tools) round-robin, wrk; "
        f"{args.rounds} interleaved rounds of {args.latency_seconds:g} s at 1 connection "
        f"and {args.seconds:g} s at 32"
    )
    print(
        f"{'server':<22}{'req/s @32':>10}{'x trivial':>10}{'median @1':>11}{'x trivial':>10}"
        f"{'CPU/req':>9}{'x trivial':>10}{'errors':>8}{'RSS MiB':>9}"
    )
    verdicts = []
    for s in servers:
        rps_ratio = statistics.median(a / b for a, b in zip(s.rps, trivial.rps, strict=True))
        lat_ratio = statistics.median(
            a / b for a, b in zip(s.medians, trivial.medians, strict=True)
        )
        cpu_ratio = statistics.median(a / b for a, b in zip(s.cpu_us, trivial.cpu_us, strict=True))
        print(
            f"{s.name:<22}{statistics.median(s.rps):>10.0f}{rps_ratio:>9.2f}x"
            f"{statistics.median(s.medians):>9.2f}ms{lat_ratio:>9.2f}x"
            f"{statistics.median(s.cpu_us):>7.0f}us{cpu_ratio:>9.2f}x{s.errors:>8d}"
            f"{rss[s.name]:>9.1f}"
        )
        if s.name == "superego":
            verdicts = [
                (f"32 connections >= {TARGET_RPS}x trivial", rps_ratio >= TARGET_RPS),
                (f"1-connection median <= {TARGET_MEDIAN}x trivial", lat_ratio <= TARGET_MEDIAN),
                ("0 errors", s.errors == 0),
                (f"RSS <= {TARGET_RSS_MIB} MiB", rss[s.name] <= TARGET_RSS_MIB),
            ]
    for s in servers:
        if s.db:
            ok = "every one" if rows[s.name] >= s.answered else "MISSING ROWS"
            print(f"{s.name}: {rows[s.name]} audit rows for {s.answered} answered ({ok})")
            verdicts.append((f"{s.name}: a row per answer", rows[s.name] >= s.answered))
    if args.baseline_src:
        for name in ("superego", "audit off"):
            new = next(s for s in servers if s.name == name)
            old = next(s for s in servers if s.name == f"{name} @baseline")
            ratio = statistics.median(a / b for a, b in zip(new.rps, old.rps, strict=True))
            print(f"{name}: this / baseline req/s at 32 connections = {ratio:.2f}")
    missed = [what for what, ok in verdicts if not ok]
    for what, ok in verdicts:
        print(f"target {what}: {'meets' if ok else 'MISSES'}")
    return 1 if missed and not args.no_check else 0


if __name__ == "__main__":
    raise SystemExit(main())
