"""flake.lock matches flake.nix (inputs, pins, follows), checked offline."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging_helpers import ROOT

from system_parts import skip_unless

pytestmark = skip_unless("nix")

CHECKER = ROOT / "nix" / "check_flake_lock.py"


def _check(flake_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECKER), str(flake_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def flake_copy(tmp_path: Path) -> Path:
    for name in ("flake.nix", "flake.lock"):
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def _edit_lock(flake_dir: Path, edit: object) -> None:
    path = flake_dir / "flake.lock"
    lock = json.loads(path.read_text())
    edit(lock)  # type: ignore[operator]
    path.write_text(json.dumps(lock))


def test_the_repository_lock_is_consistent() -> None:
    result = _check(ROOT)
    assert result.returncode == 0, result.stderr


def test_every_input_is_pinned_with_a_rev_and_nar_hash() -> None:
    lock = json.loads((ROOT / "flake.lock").read_text())
    assert lock["version"] == 7
    root_inputs = lock["nodes"]["root"]["inputs"]
    assert set(root_inputs) == {"nixpkgs", "pyproject-nix", "uv2nix", "pyproject-build-systems"}
    for node in root_inputs.values():
        locked = lock["nodes"][node]["locked"]
        assert len(locked["rev"]) == 40
        assert locked["narHash"].startswith("sha256-")


def test_a_lost_follows_is_reported(flake_copy: Path) -> None:
    _edit_lock(flake_copy, lambda lock: lock["nodes"]["uv2nix"]["inputs"].pop("nixpkgs"))
    result = _check(flake_copy)
    assert result.returncode == 1
    assert "uv2nix: nixpkgs should follow 'nixpkgs'" in result.stderr


def test_a_pin_for_another_repository_is_reported(flake_copy: Path) -> None:
    def swap(lock: dict[str, dict[str, dict[str, dict[str, str]]]]) -> None:
        lock["nodes"]["nixpkgs"]["original"]["ref"] = "nixos-24.05"

    _edit_lock(flake_copy, swap)
    result = _check(flake_copy)
    assert result.returncode == 1
    assert "input nixpkgs: original" in result.stderr


def test_ci_nix_checks_pass() -> None:
    result = subprocess.run(
        [str(ROOT / ".ci" / "nix-checks")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
