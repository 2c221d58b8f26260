"""Real git repositories for tests: :func:`git` runs the local git with a fixed identity."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(where: Path, *args: str) -> None:
    """Run ``git ARGS`` in ``where`` as a test identity; fail the test when git fails."""
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=where,
        check=True,
        capture_output=True,
    )
