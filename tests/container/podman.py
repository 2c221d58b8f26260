"""A private podman for the contract tests: its own storage and run directories in a temp
folder, runc with cgroupfs and ulimits this machine allows (see docs/container-usage.md).

Its folder (``superego-podman-*``: image storage, volumes, the stand-in's build, hundreds of
MB) is removed when the session ends, whatever happened; what cannot be removed is named in a
warning. A session killed before its end (a timeout of the shell running pytest) cannot
clean up: the next session removes the folders whose owner process is gone (:func:`sweep`).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PODMAN = shutil.which("podman")


def _ulimits() -> str:
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    nproc = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    pid_max = int(Path("/proc/sys/kernel/pid_max").read_text())
    if nproc == resource.RLIM_INFINITY or nproc > pid_max:
        nproc = pid_max
    if nofile == resource.RLIM_INFINITY:
        nofile = 1 << 20
    return f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]'


def _podman_version() -> tuple[int, int]:
    assert PODMAN is not None, "podman is not installed"
    out = subprocess.run(
        [PODMAN, "--version"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    major, minor = out.split()[-1].split(".")[:2]
    return int(major), int(minor)


def conf_variable() -> str:
    """How our settings reach podman without dropping the machine's own.

    CONTAINERS_CONF_OVERRIDE (podman 4.4 and later) is read after containers.conf and its
    .d directories, so a runner's own fixes stay in effect; CONTAINERS_CONF replaces them
    all, which is the only way on podman 4.3 (Debian 12), which ignores the override."""
    return "CONTAINERS_CONF_OVERRIDE" if _podman_version() >= (4, 4) else "CONTAINERS_CONF"


PREFIX = "superego-podman-"
OWNER = "owner"  # in each folder: "PID START" of the process that made it


def started_at(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot), or None when there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


class Podman:
    """``podman`` with ``--root``/``--runroot`` under one temp directory (``base``; an
    existing one to clean up when given)."""

    def __init__(self, base: Path | None = None) -> None:
        assert PODMAN is not None, "podman is not installed"
        self.base = base or Path(tempfile.mkdtemp(prefix=PREFIX))
        conf = self.base / "containers.conf"
        if base is None:
            (self.base / OWNER).write_text(f"{os.getpid()} {started_at(os.getpid())}\n")
            conf.write_text(
                "[containers]\n"
                f"{_ulimits()}\n"
                "[engine]\n"
                'runtime = "runc"\n'
                'cgroup_manager = "cgroupfs"\n'
                'events_logger = "file"\n'
            )
        self.env = dict(os.environ, **{conf_variable(): str(conf)})
        self.argv = [
            PODMAN,
            "--root",
            str(self.base / "root"),
            "--runroot",
            str(self.base / "run"),
            "--tmpdir",
            str(self.base / "tmp"),
        ]

    def run(
        self, *args: str, timeout: float = 120, check: bool = True, stdin: bytes | None = None
    ) -> subprocess.CompletedProcess[str]:
        """One podman command; raises with its output when ``check`` and it fails."""
        proc = subprocess.run(
            [*self.argv, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            input=stdin.decode() if stdin is not None else None,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"podman {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"
            )
        return proc

    def command(self, *args: str) -> list[str]:
        """The argv of a podman command (for clients that spawn it themselves)."""
        return [*self.argv, *args]

    def load(self, archive: Path) -> str:
        """Load a docker-archive (plain or gzipped, as ``nix build .#image`` writes it); the
        loaded image's id."""
        with open(archive, "rb") as fh:
            gzipped = fh.read(2) == b"\x1f\x8b"
        if gzipped:  # podman load cannot read a gzipped archive by path here; pipe it
            unzip = subprocess.Popen(["gzip", "-dc", str(archive)], stdout=subprocess.PIPE)
            proc = subprocess.run(
                [*self.argv, "load"],
                stdin=unzip.stdout,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            unzip.wait(timeout=60)
        else:
            proc = self.run("load", "-i", str(archive), timeout=600, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        name = proc.stdout.strip().splitlines()[-1].split("Loaded image:")[-1].strip()
        return self.inspect(name, kind="image")["Id"]

    def inspect(self, name: str, kind: str = "container") -> dict[str, Any]:
        """``podman inspect`` of one container or image."""
        data: list[dict[str, Any]] = json.loads(self.run(kind, "inspect", name, timeout=60).stdout)
        return data[0]

    def wait_healthy(self, name: str, within: float) -> float:
        """Seconds until ``podman healthcheck run`` first says healthy; fails after ``within``
        (or when the container stops), showing its logs."""
        started = time.monotonic()
        while True:
            if self.run("healthcheck", "run", name, check=False, timeout=30).returncode == 0:
                return time.monotonic() - started
            state = self.inspect(name)["State"]
            elapsed = time.monotonic() - started
            if not state["Running"] or elapsed > within:
                logs = self.run("logs", name, check=False).stdout
                raise AssertionError(
                    f"{name} not healthy after {elapsed:.1f}s (running={state['Running']}, "
                    f"exit {state['ExitCode']}):\n{logs}"
                )
            time.sleep(0.2)

    def close(self) -> None:
        """Remove every container, volume and image of this podman, then its directory; if
        the directory cannot be removed, a warning names it and why."""
        problems: list[str] = []
        for args, timeout in (
            (("rm", "--all", "--force", "--time", "0"), 120),
            (("system", "reset", "--force"), 300),
        ):
            try:
                proc = self.run(*args, check=False, timeout=timeout)
            except (OSError, subprocess.SubprocessError) as exc:
                problems.append(f"podman {' '.join(args)}: {exc}")
                continue
            if proc.returncode != 0:
                problems.append(
                    f"podman {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}"
                )
        remove_tree(self.base, problems)


def remove_tree(path: Path, problems: list[str] | None = None) -> bool:
    """Remove ``path`` and everything in it, whoever owns it; True when it is gone. Mounts
    left under it (a container's overlay) are detached first; files owned by another uid of
    a rootless podman's user namespace are removed inside that namespace (``podman
    unshare``). What is left is named in a warning with ``problems`` (what failed before)."""
    problems = list(problems or [])
    if not path.exists():
        return True
    _unmount_under(path, problems)
    shutil.rmtree(path, ignore_errors=True)
    if path.exists():  # again, to learn why (and as the namespace's root when rootless)
        argv = ["rm", "-rf", "--one-file-system", str(path)]
        if os.geteuid() != 0 and PODMAN is not None:
            argv = [PODMAN, "unshare", *argv]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
            why = proc.stderr.strip().splitlines()[:5]
        except (OSError, subprocess.SubprocessError) as exc:
            why = [str(exc)]
        problems.append(f"{' '.join(argv[:-1])}: {' | '.join(why) or 'no error shown'}")
    if not path.exists():
        return True
    detail = "; ".join(problems)
    warnings.warn(
        f"podman test directory left behind: {path} (remove it by hand: {detail})",
        stacklevel=2,
    )
    return False


def _unmount_under(path: Path, problems: list[str]) -> None:
    """Detach every mount at or under ``path``, deepest first (root only)."""
    if os.geteuid() != 0:
        return
    prefix = str(path.resolve())
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return
    # The mount point is the fifth field, with spaces and the like written as octal escapes.
    points = [line.split()[4].encode().decode("unicode_escape") for line in lines]
    for point in sorted(
        {p for p in points if p == prefix or p.startswith(prefix + "/")}, key=len, reverse=True
    ):
        proc = subprocess.run(
            ["umount", "--lazy", point], capture_output=True, text=True, timeout=60, check=False
        )
        if proc.returncode != 0:
            problems.append(f"umount {point}: {proc.stderr.strip()}")


def sweep() -> list[Path]:
    """Clean up the folders of earlier sessions that ended without doing it themselves
    (their process is gone: killed by a timeout); the ones removed. A folder without an
    owner file, or whose process still runs, is left alone (it may be another session's)."""
    removed = []
    for base in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            pid, started = (base / OWNER).read_text().split()
        except (OSError, ValueError):
            continue
        if started_at(int(pid)) == started:
            continue  # its session is still running
        Podman(base).close()
        if not base.exists():
            removed.append(base)
    return removed


@dataclass
class LoadedImage:
    """The archive under test, its id in the private podman, the contract it must keep and
    the values that must not appear in it."""

    archive: Path
    id: str
    podman: Podman
    contract: dict[str, Any]
    canaries: list[str]
