"""The lower bounds in pyproject.toml are true: the wheel installed with the OLDEST allowed
version of every direct dependency (`uv pip install --resolution lowest-direct`) runs the
command hook, the HTTP server (REST and MCP) and MCP over stdio.

uv treats only the requirements named on its command line as direct, so the wheel's own
Requires-Dist lines are passed too, and a constraints file pins each of them to its floor:
uv's resolver may otherwise settle a direct dependency above its floor through a transitive
pin (mcp follows mcp-types' newest release). So every floor must be installable together,
or the install fails here: a bound that cannot be reached says nothing.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from email.parser import HeaderParser
from pathlib import Path

import pytest
import smoke
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from packaging_helpers import uv, venv_python


def _requires_dist(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        headers = HeaderParser().parsestr(zf.read(name).decode())
    return [Requirement(r) for r in headers.get_all("Requires-Dist") or []]


def _lower_bound(req: Requirement) -> Version:
    bounds = [Version(s.version) for s in req.specifier if s.operator == ">="]
    assert len(bounds) == 1, f"{req}: give each dependency one lower bound (>=)"
    return bounds[0]


@pytest.fixture(scope="module")
def lowest_venv(wheel: Path) -> Iterator[tuple[Path, dict[str, Version]]]:
    base = Path(tempfile.mkdtemp(prefix="superego-lowest-", dir="/tmp"))
    try:
        venv = base / "venv"
        result = uv("venv", "--python", venv_python(), str(venv), timeout=120)
        assert result.returncode == 0, result.stderr
        python = str(venv / "bin" / "python")
        requirements = [str(r) for r in _requires_dist(wheel) if r.marker is None]
        floors = base / "floors.txt"
        floors.write_text("".join(f"{r.name}=={_lower_bound(r)}\n" for r in _requires_dist(wheel)))
        result = uv(
            "pip",
            "install",
            "--python",
            python,
            "--resolution",
            "lowest-direct",
            "--constraint",
            str(floors),
            str(wheel),
            *requirements,
            env={"UV_LINK_MODE": "copy"},
            timeout=600,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        result = uv("pip", "freeze", "--python", python, timeout=60)
        assert result.returncode == 0, result.stderr
        installed = {
            canonicalize_name(name): Version(version)
            for name, sep, version in (line.partition("==") for line in result.stdout.splitlines())
            if sep
        }
        yield venv, installed
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_every_direct_dependency_is_at_its_lower_bound(
    wheel: Path, lowest_venv: tuple[Path, dict[str, Version]]
) -> None:
    _venv, installed = lowest_venv
    requirements = _requires_dist(wheel)
    assert {canonicalize_name(r.name) for r in requirements} >= {"fastmcp", "pydantic", "mcp"}
    for req in requirements:
        assert req.marker is None, f"{req}: a marker would keep it out of this test"
        got = installed[canonicalize_name(req.name)]
        assert got == _lower_bound(req), f"{req.name}: installed {got}, bound says {req}"


def test_no_exact_pins_in_the_metadata(wheel: Path) -> None:
    # Exact versions belong in uv.lock; metadata pins break every other environment.
    for req in _requires_dist(wheel):
        assert not any(s.operator in ("==", "===") for s in req.specifier), str(req)


def test_the_hook_judges_on_the_lowest_versions(
    lowest_venv: tuple[Path, dict[str, Version]], tmp_path: Path
) -> None:
    program = lowest_venv[0] / "bin" / "superego-mcp"
    assert smoke.hook_decision(program, "rm -rf ~", tmp_path) == "deny"
    assert smoke.hook_decision(program, "ls -la", tmp_path) == "allow"


def test_the_server_serves_rest_and_mcp_on_the_lowest_versions(
    lowest_venv: tuple[Path, dict[str, Version]], tmp_path: Path
) -> None:
    seen = smoke.serve_and_check(lowest_venv[0] / "bin" / "superego-mcp", tmp_path)
    assert seen["rest"]["hookSpecificOutput"]["permissionDecision"] == "deny", seen["log"]
    assert seen["mcp"]["decision"] == "allow", seen["log"]
    assert seen["exit"] == 0, seen["log"]


def test_mcp_over_stdio_on_the_lowest_versions(
    lowest_venv: tuple[Path, dict[str, Version]], tmp_path: Path
) -> None:
    tools, result = smoke.stdio_tools(lowest_venv[0] / "bin" / "superego-mcp", tmp_path)
    assert tools == ["evaluate_tool_call", "explain_tool_call"]
    assert result["decision"] == "deny"
