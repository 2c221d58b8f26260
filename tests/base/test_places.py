"""The one directory name (``superego``) under each XDG base, and the move of what the old
name (``superego-mcp``) held, on real directories."""

from __future__ import annotations

from pathlib import Path

import pytest

from superego_mcp.places import cache_dir, old_dirs, state_dir, user_policy_path


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.delenv("SUPEREGO_CACHE_DIR", raising=False)
    return tmp_path


def test_one_name_everywhere(xdg: Path) -> None:
    assert user_policy_path() == str(xdg / "xdg_config_home" / "superego" / "policy.yaml")
    assert state_dir() == str(xdg / "xdg_state_home" / "superego")
    assert cache_dir() == str(xdg / "xdg_cache_home" / "superego")
    assert old_dirs() == [
        str(xdg / "xdg_state_home" / "superego-mcp"),
        str(xdg / "xdg_cache_home" / "superego-mcp"),
    ]


def test_an_old_directory_moves_whole(xdg: Path) -> None:
    old = xdg / "xdg_cache_home" / "superego-mcp"
    (old / "settings-backups").mkdir(parents=True)
    (old / "settings-backups" / "x.bak").write_text("{}")
    old.chmod(0o700)
    new = Path(cache_dir())
    assert not old.exists()
    assert (new / "settings-backups" / "x.bak").read_text() == "{}"
    assert new.stat().st_mode & 0o777 == 0o700


def test_old_files_join_a_new_directory_without_replacing_anything(xdg: Path) -> None:
    base = xdg / "xdg_state_home"
    (base / "superego-mcp").mkdir(parents=True)
    (base / "superego-mcp" / "exceptions.json").write_text('{"old": 1}')
    (base / "superego-mcp" / "audit.db").write_text("old")
    (base / "superego").mkdir()
    (base / "superego" / "audit.db").write_text("new")
    assert state_dir() == str(base / "superego")
    assert (base / "superego" / "exceptions.json").read_text() == '{"old": 1}'
    assert (base / "superego" / "audit.db").read_text() == "new"  # never replaced
    # What could not move stays where it was, and so does the old directory.
    assert (base / "superego-mcp" / "audit.db").read_text() == "old"


def test_an_explicit_cache_dir_is_used_as_is(xdg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = xdg / "xdg_cache_home" / "superego-mcp"
    old.mkdir(parents=True)
    monkeypatch.setenv("SUPEREGO_CACHE_DIR", str(xdg / "mine"))
    assert cache_dir() == str(xdg / "mine")
    assert old.is_dir()  # nothing moved: the explicit directory is not the default one
