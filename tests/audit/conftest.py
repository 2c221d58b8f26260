"""Fixtures for the audit tests: a real PostgreSQL cluster (one per session), stores, servers."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from system_parts import require


def _pg_bin() -> Path:
    # Skips every test that needs the cluster when PostgreSQL is not installed.
    return Path(require("postgresql"))


def _as_owner(argv: list[str], owner: str | None) -> list[str]:
    # initdb and postgres refuse to run as root: drop to an unprivileged user.
    return ["runuser", "-u", owner, "--", *argv] if owner else argv


class PgCluster:
    """A throwaway PostgreSQL cluster on a Unix socket in a private temp directory."""

    def __init__(self) -> None:
        self.bin = _pg_bin()
        self.owner = "nobody" if os.geteuid() == 0 else None
        self.dir = Path(tempfile.mkdtemp(prefix="superego-pg-"))
        self.data = self.dir / "data"
        self.port = 5432 + (os.getpid() % 1000) + 20000
        if self.owner:
            shutil.chown(self.dir, self.owner)
        self.dir.chmod(0o700)
        self._run(
            [
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            ]
        )
        options = f"-k {self.dir} -c listen_addresses='' -p {self.port} -c max_connections=200"
        self._run(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.dir / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        )

    def _run(self, argv: list[str]) -> None:
        proc = subprocess.run(
            _as_owner(argv, self.owner), capture_output=True, text=True, check=False, timeout=120
        )
        if proc.returncode != 0:
            log = ""
            with contextlib.suppress(OSError):
                log = (self.dir / "log").read_text()
            raise RuntimeError(f"{argv[0]} failed: {proc.stdout}{proc.stderr}{log}")

    def dsn(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@/{db}?host={self.dir}&port={self.port}"

    def new_database(self) -> str:
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One PostgreSQL cluster for the whole session (each test takes its own database)."""
    cluster = PgCluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_dsn(pg_cluster: PgCluster) -> str:
    """A DSN to a fresh, empty database."""
    return pg_cluster.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An audit target of each backend (a fresh SQLite file; a fresh PostgreSQL database)."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'audit.db'}"
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()
