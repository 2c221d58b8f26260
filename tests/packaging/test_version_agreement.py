"""One version: pyproject.toml == the CLI == the wheel's METADATA == the Nix image tag."""

from __future__ import annotations

import subprocess
import zipfile
from email.parser import HeaderParser
from pathlib import Path

from packaging_helpers import (
    image_arguments,
    project_version,
)

from system_parts import skip_unless


def _metadata_version(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        version: str = HeaderParser().parsestr(zf.read(name).decode())["Version"]
    return version


def test_cli_and_wheel_agree_with_pyproject(installed_venv: Path, wheel: Path) -> None:
    expected = project_version()
    cli = subprocess.run(
        [str(installed_venv / "bin" / "superego-mcp"), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.split() == ["superego-mcp", expected]
    assert _metadata_version(wheel) == expected
    assert wheel.name.startswith(f"superego_mcp-{expected}-")


@skip_unless("nix")
def test_image_tag_is_the_pyproject_version() -> None:
    expected = project_version()
    assert image_arguments()["tag"] == expected
