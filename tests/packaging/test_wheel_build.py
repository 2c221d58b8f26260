"""The wheel: reproducible, carrying build info that matches its contents, and installable."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from packaging_helpers import REVISION, SOURCE_DATE_EPOCH, project_version, sha256

POLICY_IN_WHEEL = "superego_mcp/data/default_policy.yaml"


def _build_info(wheel: Path) -> dict[str, object]:
    with zipfile.ZipFile(wheel) as zf:
        data: dict[str, object] = json.loads(zf.read("superego_mcp/_build_info.json"))
    return data


def test_two_builds_with_the_same_source_date_epoch_are_byte_identical(
    wheel_pair: tuple[Path, Path],
) -> None:
    first, second = wheel_pair
    assert first.name == second.name
    assert first.read_bytes() == second.read_bytes()


def test_zip_entries_carry_the_source_date_epoch(wheel: Path) -> None:
    # hatchling stamps entries with SOURCE_DATE_EPOCH; zip times have 2-second resolution.
    expected = datetime.fromtimestamp(int(SOURCE_DATE_EPOCH), tz=UTC).timetuple()[:5]
    with zipfile.ZipFile(wheel) as zf:
        stamps = {info.date_time[:5] for info in zf.infolist()}
    assert stamps == {expected}


def test_build_info_records_version_revision_and_time(wheel: Path) -> None:
    info = _build_info(wheel)
    assert info["name"] == "superego-mcp"
    assert info["version"] == project_version()
    assert info["revision"] == REVISION
    assert info["source_date_epoch"] == int(SOURCE_DATE_EPOCH)
    assert info["built_at"] == "2023-11-14T22:13:20Z"


def test_build_info_checksums_match_the_files_in_the_wheel(wheel: Path) -> None:
    files = _build_info(wheel)["files"]
    assert isinstance(files, dict)
    assert POLICY_IN_WHEEL in files
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        data_files = {
            n
            for n in names
            if n.startswith("superego_mcp/")
            and not n.endswith((".py", "/"))
            and n != "superego_mcp/_build_info.json"
        }
        # Every data file shipped is listed, and every listed file is shipped unchanged.
        assert set(files) == data_files
        for name, digest in files.items():
            assert digest == sha256(zf.read(name)), name


def test_installed_wheel_checks_its_bundled_policy(installed_venv: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [str(installed_venv / "bin" / "superego-mcp"), "check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_installed_wheel_reads_its_build_info(installed_venv: Path, wheel: Path) -> None:
    out = subprocess.run(
        [
            str(installed_venv / "bin" / "python"),
            "-c",
            "import json; from superego_mcp import buildinfo; print(json.dumps(buildinfo.read()))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == _build_info(wheel)


def test_the_runtime_size_in_the_docs_is_measured(installed_venv: Path) -> None:
    """docs/nix.md estimates the image from the runtime packages' size; that figure must be
    today's (±20%), measured on this venv (wheel + uv.lock's runtime dependencies, before
    bytecode)."""
    (site,) = (installed_venv / "lib").glob("python3*/site-packages")
    size = sum(
        p.stat().st_size for p in site.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    measured = size / 1e6
    docs = (Path(__file__).resolve().parents[2] / "docs" / "nix.md").read_text()
    quoted = re.search(r"the runtime packages take (\d+) MB of site-packages", docs)
    assert quoted, "docs/nix.md no longer quotes the runtime packages' size"
    assert abs(measured - int(quoted[1])) <= 0.2 * measured, (
        f"site-packages is {measured:.0f} MB; docs/nix.md says {quoted[1]} MB"
    )
