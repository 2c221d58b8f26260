"""Stopping a running Superego server is switching the guard off (an http hook lets calls
through when its server is gone): a signal that reaches it is denied however it picks it
(its PID, process group, port, a pattern that matches it), and a signal whose targets are
only known when it runs is asked about while one runs (``policy.signals``).

Real processes: a real ``superego-mcp serve`` on 127.0.0.1 (``python -m superego_mcp``, as the
server tests start it, so its process name is the interpreter's), a real ``sleep`` that is
not Superego, a real one-shot ``superego-mcp hook`` waiting on its input."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from superego_mcp.decide import decide
from superego_mcp.model import ToolCall
from superego_mcp.policy import load_policy, signals
from superego_mcp.policy.conditions import SIGNAL_SELECTORS, SIGNALLERS
from superego_mcp.policy.engine import Policy
from support.server import Server, start_server


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    s = start_server()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(None)


@pytest.fixture
def stranger() -> Iterator[subprocess.Popen[bytes]]:
    """A process of this user that is not Superego."""
    proc = subprocess.Popen(["sleep", "300"])
    yield proc
    proc.kill()
    proc.wait()


def judge(policy: Policy, command: str, tmp_path: Path) -> tuple[str, str | None]:
    call = ToolCall("Bash", {"command": command}, str(tmp_path), project=str(tmp_path))
    d = decide(policy, call, home=str(tmp_path))
    return d.action, d.rule_id


def _pgid(pid: int) -> int:
    return os.getpgid(pid)


def test_tables_match_the_cheap_test() -> None:
    assert signals.SIGNALLERS | set(signals.ATTACHERS) == SIGNALLERS
    assert signals.SELECTORS == SIGNAL_SELECTORS


def test_the_running_server_is_found(server: Server) -> None:
    assert server.proc.pid in {p.pid for p in signals.running()}


@pytest.mark.parametrize(
    "template",
    [
        "kill {pid}",
        "kill -9 {pid}",
        "kill -s TERM {pid}",
        "kill -- -{pgid}",
        "fuser -k {port}/tcp",
        "fuser -k -n tcp {port}",
        "kill -9 $(lsof -t -i :{port})",
        "lsof -ti:{port} | xargs kill -9",
        "npx kill-port {port}",
        "kill -STOP {pid}",
        "gdb -p {pid} -batch -ex 'call exit(0)'",
        "gdb --pid={pid}",
        "strace -f -p {pid}",
        "prlimit --pid {pid} --nofile=1",
        "pkill -f 'serve --transport http'",
        "ps aux | grep 'superego_mcp serve' | awk '{{print $2}}' | xargs kill",
        "kill $(ps aux | grep 'transport http' | awk '{{print $2}}')",
    ],
)
def test_a_signal_reaching_the_server_is_denied(
    server: Server, policy: Policy, tmp_path: Path, template: str
) -> None:
    command = template.format(pid=server.proc.pid, pgid=_pgid(server.proc.pid), port=server.port)
    assert judge(policy, command, tmp_path) == ("deny", "deny-stop-superego"), command


def test_a_process_name_pattern_is_matched_like_pkill(
    server: Server, policy: Policy, tmp_path: Path
) -> None:
    """The server runs as ``python -m superego_mcp``: its process name is the interpreter's
    (``python3``), which ``pkill``/``killall`` of that name reach without naming Superego."""
    comm = Path(f"/proc/{server.proc.pid}/comm").read_text().strip()
    assert judge(policy, f"pkill {comm}", tmp_path)[0] == "deny"
    assert judge(policy, f"killall {comm}", tmp_path)[0] == "deny"


@pytest.mark.parametrize(
    "template", ["kill $PID", "kill $(cat app.pid)", "cat pids | xargs kill", "gdb -p $PID"]
)
def test_an_unknown_target_is_asked_while_a_server_runs(
    server: Server, policy: Policy, tmp_path: Path, template: str
) -> None:
    assert judge(policy, template, tmp_path) == ("ask", "ask-signal-while-superego-runs")


@pytest.mark.parametrize(
    "template",
    [
        "kill {other}",
        "kill -9 {other}",
        "kill %1",
        "sleep 9 & kill $!",
        "gdb -p {other}",
        "strace -p {other}",
        "pkill -f 'node server.js'",
        "lsof -ti:{free} | xargs kill",
        "fuser -k {free}/tcp",
        "ps aux | grep 'vite --port' | awk '{{print $2}}' | xargs kill",
    ],
)
def test_a_signal_to_other_processes_is_not_about_superego(
    server: Server,
    policy: Policy,
    tmp_path: Path,
    stranger: subprocess.Popen[bytes],
    template: str,
) -> None:
    from support.server import free_port

    command = template.format(other=stranger.pid, free=free_port())
    _action, rule = judge(policy, command, tmp_path)
    assert rule not in ("deny-stop-superego", "ask-signal-while-superego-runs"), command


def test_a_one_shot_hook_run_is_not_a_running_superego(tmp_path: Path) -> None:
    """A one-shot run (the command hook judging a call, ``explain``) is over before the call
    runs: it is not a server to protect."""
    hook = subprocess.Popen(
        [sys.executable, "-m", "superego_mcp", "hook"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        proc = signals._process(hook.pid)
        assert proc is not None
        assert not signals.is_superego(proc)
    finally:
        hook.kill()
        hook.wait()


def test_stopping_the_server_by_its_pid_is_allowed_once_it_is_gone(
    policy: Policy, tmp_path: Path
) -> None:
    """The answer follows what runs: the same PID is not Superego's once it has exited."""
    s = start_server()
    pid = s.proc.pid
    assert judge(policy, f"kill {pid}", tmp_path)[1] == "deny-stop-superego"
    s.stop()
    assert judge(policy, f"kill {pid}", tmp_path)[1] != "deny-stop-superego"


@pytest.mark.parametrize(
    ("args", "serves"),
    [
        (("serve",), True),
        (("--rules", "hook", "serve", "--port", "1"), True),
        (("stdio",), True),
        (("--transport", "http"), True),
        (("--rules", "serve", "hook"), False),
        (("explain", "serve"), False),
        (("hook", "--agent", "codex"), False),
    ],
)
def test_servers_are_told_from_one_shot_runs_by_their_subcommand(
    args: tuple[str, ...], serves: bool
) -> None:
    proc = signals.Process(1, "superego-mcp", ("/venv/bin/superego-mcp", *args), 1)
    assert signals.is_superego(proc) is serves
