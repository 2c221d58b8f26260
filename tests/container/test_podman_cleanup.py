"""The private podman's folder never leaks silently (``podman.py``): what cannot be removed is
named in a warning, and the folder of a session that was killed is removed by the next one."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import podman
import pytest


def test_a_folder_that_cannot_be_removed_is_named_in_a_warning(tmp_path: Path) -> None:
    stuck = tmp_path / "stuck"
    (stuck / "inner").mkdir(parents=True)
    (stuck / "inner" / "file").write_text("x")
    if os.geteuid() == 0:  # root removes anything but an immutable file
        undo = ["chattr", "-i", str(stuck / "inner" / "file")]
        made = subprocess.run(["chattr", "+i", str(stuck / "inner" / "file")], check=False)
        if made.returncode != 0:
            pytest.skip("chattr +i does not work on this file system")
    else:
        undo = ["chmod", "700", str(stuck / "inner")]
        (stuck / "inner").chmod(0o500)
    try:
        with pytest.warns(UserWarning, match=f"left behind: {stuck} .*reset failed"):
            assert not podman.remove_tree(stuck, ["podman system reset: reset failed"])
        assert stuck.exists()
    finally:
        subprocess.run(undo, check=True)
    assert podman.remove_tree(stuck)
    assert not stuck.exists()


def test_the_next_session_removes_a_killed_sessions_folder_and_no_other() -> None:
    def folder(owner: str | None) -> Path:
        base = Path(tempfile.mkdtemp(prefix=podman.PREFIX))
        (base / "containers.conf").write_text("")
        (base / "root" / "volumes").mkdir(parents=True)
        if owner is not None:
            (base / podman.OWNER).write_text(owner)
        return base

    child = subprocess.Popen(["true"])
    child.wait()
    dead = folder(f"{child.pid} 1\n")  # a process that has ended (or a reused pid)
    alive = folder(f"{os.getpid()} {podman.started_at(os.getpid())}\n")
    unknown = folder(None)  # an older session's, or another tool's: not ours to judge
    try:
        assert dead in podman.sweep()
        assert not dead.exists()
        assert alive.exists()
        assert unknown.exists()
    finally:
        for base in (dead, alive, unknown):
            podman.remove_tree(base)
