"""A judgement never waits on a FIFO a command names: a program run by path, a
repository's ``.git/config`` or ``HEAD``, an agent's hook file. Each is judged by the real
``superego-mcp explain`` in a child process with a deadline (a read that blocks would hold
it until killed), in a real project in tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")

# Far above a judgement's cost (an explain takes about a second on a loaded machine).
DEADLINE = 60


def explain(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEREGO_")}
    return subprocess.run(
        [sys.executable, "-m", "superego_mcp", "explain", "--cwd", str(cwd), command],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        env=env,
        check=False,
    )


@pytest.mark.parametrize(
    ("fifo", "command"),
    [
        ("runme", "./runme --version"),  # a program run by path (is it Superego's?)
        (".git/config", "git push"),  # where the push lands
        (".git/HEAD", "git push origin HEAD"),
        (".claude/settings.json", "git checkout ."),  # the agents' hook files git may drop
    ],
)
def test_a_fifo_is_never_waited_on(tmp_path: Path, fifo: str, command: str) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, capture_output=True)
    path = tmp_path / fifo
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    done = explain(command, tmp_path)
    assert done.returncode in (0, 1, 2), done.stderr  # allow, ask/defer, deny: an answer
    assert "result:" in done.stdout
