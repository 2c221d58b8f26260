"""No code from the cache (issue 22): a planted or foreign entry is never unpickled.

Each test plants an entry whose unpickling would create a marker directory (``os.mkdir``),
where the real hook looks for its entry, and checks that the marker never appears and that
the call is still judged by the policy.
"""

from __future__ import annotations

import os
import pickle
import pwd
import stat
from pathlib import Path

import pytest

from superego_mcp.hook import cache
from support.hook import call, write_policy


class Plant:
    """Unpickling this creates ``path`` (stands for any code an attacker wants run)."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (self.path,))


WRITE_ETC = call("Write", {"file_path": "/etc/hosts", "content": ""})


def entry_of(directory: Path) -> Path:
    [entry] = directory.glob("policy-*.pickle")
    return entry


def tagged(body: bytes, directory: Path) -> bytes:
    """``body`` with a valid tag under the key in ``directory`` (what only its owner can
    make): the strongest planted entry."""
    key = (directory / "key").read_bytes()
    return cache._blake2b(body, key) + body


def judged(run_hook, rules: Path, env: dict[str, str] | None = None) -> None:
    decision, reason = run_hook(WRITE_ETC, "--rules", str(rules), env=env).pre_tool_use()
    assert decision == "deny"
    assert "no-write-etc" in reason


def test_an_entry_without_this_users_tag_is_not_unpickled(
    run_hook, hook_env: dict[str, str], tmp_path: Path
) -> None:
    rules = write_policy(tmp_path)
    judged(run_hook, rules)
    directory = Path(hook_env["SUPEREGO_CACHE_DIR"])
    entry = entry_of(directory)
    marker = tmp_path / "pwned"
    planted = pickle.dumps(Plant(marker))
    # A bare pickle, a pickle behind a tag made with another key, a truncated tag.
    for data in (planted, b"\0" * 32 + planted, entry.read_bytes()[:31]):
        entry.write_bytes(data)
        judged(run_hook, rules)
        assert not marker.exists()
        assert entry.read_bytes() != data  # rebuilt under our key


def test_a_tagged_entry_with_a_wide_mode_or_through_a_link_is_not_unpickled(
    run_hook, hook_env: dict[str, str], tmp_path: Path
) -> None:
    rules = write_policy(tmp_path)
    judged(run_hook, rules)
    directory = Path(hook_env["SUPEREGO_CACHE_DIR"])
    entry = entry_of(directory)
    marker = tmp_path / "pwned"
    data = tagged(pickle.dumps(Plant(marker)), directory)
    entry.write_bytes(data)
    entry.chmod(0o644)  # readable by others: someone else may have written it
    judged(run_hook, rules)
    assert not marker.exists()
    elsewhere = tmp_path / "elsewhere.pickle"
    elsewhere.write_bytes(data)
    elsewhere.chmod(0o600)
    entry.unlink(missing_ok=True)
    entry.symlink_to(elsewhere)
    judged(run_hook, rules)
    assert not marker.exists()


def test_a_wide_cache_directory_of_ours_is_made_private(
    run_hook, hook_env: dict[str, str], tmp_path: Path
) -> None:
    directory = Path(hook_env["SUPEREGO_CACHE_DIR"])
    directory.mkdir(mode=0o777)
    directory.chmod(0o777)
    judged(run_hook, write_policy(tmp_path))
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((directory / "key").stat().st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a directory to another user needs root")
def test_a_foreign_cache_directory_is_neither_trusted_nor_written(
    run_hook, hook_env: dict[str, str], tmp_path: Path
) -> None:
    nobody = pwd.getpwnam("nobody")
    rules = write_policy(tmp_path)
    judged(run_hook, rules)
    directory = Path(hook_env["SUPEREGO_CACHE_DIR"])
    entry = entry_of(directory)
    marker = tmp_path / "pwned"
    # The owner of the directory planted an entry with a valid tag and owns every file:
    # the strongest attacker there is short of being this user.
    entry.write_bytes(tagged(pickle.dumps(Plant(marker)), directory))
    for path in (directory, directory / "key", entry):
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    directory.chmod(0o700)
    before = sorted(p.name for p in directory.iterdir())
    for _ in range(2):
        judged(run_hook, rules)
    assert not marker.exists()
    assert sorted(p.name for p in directory.iterdir()) == before  # nothing of ours went there
    assert entry.stat().st_uid == nobody.pw_uid


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_foreign_key_file_is_not_used(run_hook, hook_env: dict[str, str], tmp_path: Path) -> None:
    nobody = pwd.getpwnam("nobody")
    rules = write_policy(tmp_path)
    judged(run_hook, rules)
    directory = Path(hook_env["SUPEREGO_CACHE_DIR"])
    entry = entry_of(directory)
    marker = tmp_path / "pwned"
    # Someone else's key (in our directory, e.g. left from when it was shared) and an entry
    # tagged with it.
    entry.write_bytes(tagged(pickle.dumps(Plant(marker)), directory))
    os.chown(directory / "key", nobody.pw_uid, nobody.pw_gid)
    judged(run_hook, rules)
    assert not marker.exists()
