"""tests/container/run-contract's command line: pytest options first, the image archive last
(or after --); without an image, the stand-in. RUN_CONTRACT_SHOW prints what would run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "container" / "run-contract"


def _show(*args: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "SUPEREGO_IMAGE_ARCHIVE"}
    proc = subprocess.run(
        ["bash", str(SCRIPT), *args],
        env={**env, "RUN_CONTRACT_SHOW": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "image.tar.gz"
    path.write_bytes(b"not really an image")
    return path


def test_options_before_the_image_reach_pytest(archive: Path) -> None:
    assert _show("-v", "-x", "-k", "volume", str(archive)) == [
        f"image={archive}",
        "-v",
        "-x",
        "-k",
        "volume",
    ]


def test_an_option_alone_is_not_taken_for_the_image() -> None:
    # `run-contract -v IMAGE` once treated -v as the image; options alone mean the stand-in.
    assert _show("-v") == ["image=", "-v"]
    assert _show("-k", "volume") == ["image=", "-k", "volume"]


def test_after_double_dash_comes_the_image(tmp_path: Path) -> None:
    odd = tmp_path / "-odd.tar"
    odd.write_bytes(b"x")
    assert _show("-q", "--", str(odd)) == [f"image={odd}", "-q"]


def test_a_missing_image_after_double_dash_is_refused(tmp_path: Path) -> None:
    proc = subprocess.run(
        ["bash", str(SCRIPT), "--", str(tmp_path / "nope.tar")],
        env={**os.environ, "RUN_CONTRACT_SHOW": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "no image archive" in proc.stderr
