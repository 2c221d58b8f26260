"""Fixtures for the packaging tests: two real wheel builds, a fresh venv with the wheel."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging_helpers import (
    REVISION,
    ROOT,
    SOURCE_DATE_EPOCH,
    build_wheel,
    only_wheel,
    snapshot_source,
    uv,
    venv_python,
)


@pytest.fixture(scope="session")
def source_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One snapshot of the build inputs shared by the session's builds."""
    return snapshot_source(tmp_path_factory.mktemp("source") / "superego-mcp")


@pytest.fixture(scope="session")
def wheel_pair(
    source_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The same tree built twice with the same SOURCE_DATE_EPOCH and revision."""
    wheels = []
    for name in ("first", "second"):
        out = tmp_path_factory.mktemp(f"dist-{name}")
        result = build_wheel(
            source_snapshot,
            out,
            SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH,
            SUPEREGO_GIT_REVISION=REVISION,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        wheels.append(only_wheel(out))
    return wheels[0], wheels[1]


@pytest.fixture(scope="session")
def wheel(wheel_pair: tuple[Path, Path]) -> Path:
    """The built wheel."""
    return wheel_pair[0]


@pytest.fixture(scope="session")
def installed_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv with the built wheel and uv.lock's runtime dependencies installed.

    Made under a world-readable directory in /tmp so another uid can run it.
    """
    base = Path(tempfile.mkdtemp(prefix="superego-pkg-venv-", dir="/tmp"))
    try:
        base.chmod(0o755)
        venv = base / "venv"
        result = uv("venv", "--python", venv_python(), str(venv), timeout=120)
        assert result.returncode == 0, result.stderr
        reqs = tmp_path_factory.mktemp("reqs") / "requirements.txt"
        result = uv(
            "export",
            "--frozen",
            "--no-dev",
            "--no-hashes",
            "--no-emit-project",
            "--output-file",
            str(reqs),
            cwd=ROOT,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        result = uv(
            "pip",
            "install",
            "--python",
            str(venv / "bin" / "python"),
            "-r",
            str(reqs),
            str(wheel),
            env={"UV_LINK_MODE": "copy"},
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        yield venv
    finally:
        shutil.rmtree(base, ignore_errors=True)
