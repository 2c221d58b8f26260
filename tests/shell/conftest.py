"""Helpers for the shell analyzer tests: a real home and project folder on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from shell_helpers import Analyze

from superego_mcp.shell import analyze
from superego_mcp.shell.model import Analysis


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[str, str]:
    """(cwd, home) as real folders, resolved so symlink forms do not differ."""
    home = tmp_path / "home"
    cwd = home / "project"
    cwd.mkdir(parents=True)
    return str(cwd.resolve()), str(home.resolve())


@pytest.fixture
def run(dirs: tuple[str, str]) -> Analyze:
    """Analyze a line in the fixture's cwd and home."""
    cwd, home = dirs

    def _run(source: str, **kw: object) -> Analysis:
        kw.setdefault("cwd", cwd)
        kw.setdefault("home", home)
        return analyze(source, **kw)  # type: ignore[arg-type]

    return _run
