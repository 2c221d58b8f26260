"""Odd input may weaken a deny to an ask, never further (issue 22; docs/hook.md, "Odd input
that weakens a deny to an ask"). Real hook processes, the bundled policy, a throwaway home:
a NUL byte after `~`, a relative or empty HOME, and a full disk under the cache and state
directories."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.hook import bash, call, run_hook
from support.server import clean_env

SAFE = ("deny", "ask")


@pytest.fixture
def place(tmp_path: Path) -> tuple[Path, Path]:
    home, project = tmp_path / "home", tmp_path / "home" / "proj"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    project.mkdir()
    return home, project


def _env(tmp_path: Path, home: str, **extra: str) -> dict[str, str]:
    return clean_env(
        HOME=home,
        SUPEREGO_AUDIT="off",
        SUPEREGO_CACHE_DIR=str(tmp_path / "cache"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        **extra,
    )


def _decide(payload: dict[str, object], env: dict[str, str], cwd: Path) -> str:
    result = run_hook({**payload, "cwd": str(cwd)}, env=env, cwd=cwd)
    assert result.code == 0, result.stderr
    return result.pre_tool_use()[0]


def test_a_nul_byte_after_the_tilde_is_never_let_through(
    place: tuple[Path, Path], tmp_path: Path
) -> None:
    home, project = place
    env = _env(tmp_path, str(home))
    for path in ("~\x00/.ssh/id_rsa", "~/\x00.ssh/id_rsa", "~/.ssh\x00/id_rsa"):
        assert _decide(call("Read", {"file_path": path}), env, project) in SAFE, path
    assert _decide(bash("cat ~/.ssh/id_rsa\x00"), env, project) in SAFE


@pytest.mark.parametrize("home", ["home", "", "."], ids=["relative", "empty", "dot"])
def test_a_relative_or_empty_home_weakens_at_most_to_ask(
    place: tuple[Path, Path], tmp_path: Path, home: str
) -> None:
    _, project = place
    env = _env(tmp_path, home)
    assert _decide(call("Read", {"file_path": "~/.ssh/id_rsa"}), env, project) in SAFE
    # With no usable HOME, `~` may no longer name a home the deny rule knows: ask at least.
    assert _decide(bash("rm -rf ~/"), env, project) in SAFE
    assert _decide(bash("rm -rf ~"), env, project) in SAFE


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs filled to the last byte (root only: CI runs as root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a full tmpfs needs root (CI runs as root)")
    mount = tmp_path / "full"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], check=True)
    try:
        subprocess.run(
            ["dd", "if=/dev/zero", f"of={mount / 'filler'}", "bs=4k"],
            capture_output=True,
            check=False,
        )
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_still_answers_at_least_ask(
    place: tuple[Path, Path], tmp_path: Path, full_disk: Path
) -> None:
    home, project = place
    env = clean_env(
        HOME=str(home),
        SUPEREGO_CACHE_DIR=str(full_disk / "cache"),
        XDG_STATE_HOME=str(full_disk / "state"),
    )
    for payload in (bash("rm -rf ~/"), call("Read", {"file_path": str(home / ".ssh/id_rsa")})):
        result = run_hook({**payload, "cwd": str(project)}, env=env, cwd=project)
        decision, reason = result.pre_tool_use()
        # The cache and session files cannot be written: the deny weakens to the fail mode,
        # and the reason says why; never an allow.
        assert decision in SAFE
        if decision == "ask":
            assert "OSError" in reason, reason
