"""``serve --reload`` (development): a change to a source file of the package starts a new
worker, which serves on the same port. How fast: bench/bench_reload.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from dev_reload import reload_seconds


@pytest.mark.timeout(300)
def test_a_source_change_restarts_the_server_on_the_same_port(tmp_path: Path) -> None:
    _seconds, workers = reload_seconds(tmp_path)
    assert len(workers) == 2
    assert workers[0] != workers[1]


def test_reload_refuses_stdio(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "superego_mcp", "serve", "--reload", "--transport", "stdio"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )
    assert proc.returncode == 2
    assert "--reload restarts the HTTP server" in proc.stderr
