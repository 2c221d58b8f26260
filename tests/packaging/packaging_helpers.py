"""Helpers for the packaging tests: real wheel builds with uv and hatchling.

Builds run from a snapshot of the build inputs (pyproject.toml, uv.lock, README.md,
hatch_build.py, src/) so that edits landing in the working tree mid-run cannot make two
builds differ. Every subprocess has a timeout.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from system_parts import find

ROOT = Path(__file__).resolve().parents[2]
BUILD_INPUTS = ("pyproject.toml", "uv.lock", "README.md", "hatch_build.py", "src")
SOURCE_DATE_EPOCH = "1700000000"
REVISION = "0123456789abcdef0123456789abcdef01234567"
# What a build may take on a loaded 2-core machine (hatchling's build env is cached by uv).
BUILD_TIMEOUT = 180


def project_version() -> str:
    """[project].version from pyproject.toml: the one definition."""
    with open(ROOT / "pyproject.toml", "rb") as fh:
        version: str = tomllib.load(fh)["project"]["version"]
    return version


def uv(
    *args: str,
    timeout: float = BUILD_TIMEOUT,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run uv through scripts/uv.py (uv from PATH, else fetched from PyPI)."""
    full_env = dict(os.environ, UV_PYTHON_DOWNLOADS="never", PYTHONDONTWRITEBYTECODE="1")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "uv.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=cwd,
        check=False,
    )


def venv_python() -> str:
    """The interpreter for test venvs: the system Python when it is new enough."""
    # The runtime-contract test runs the venv as a non-root uid, which cannot reach an
    # interpreter under /root (pyenv); prefer the system Python when it is new enough.
    system = Path("/usr/bin/python3")
    if system.exists():
        probe = subprocess.run(
            [str(system), "-c", "import sys; print(sys.version_info >= (3, 11))"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if probe.stdout.strip() == "True":
            return str(system)
    return sys.executable


def snapshot_source(dest: Path) -> Path:
    """Copy the build inputs into dest (no caches); return dest."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache")
    for name in BUILD_INPUTS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)
    return dest


def build_wheel(source: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`uv build --wheel` of source into out, with env added to the environment."""
    return uv("build", "--wheel", "--out-dir", str(out), str(source), env=env)


def only_wheel(out: Path) -> Path:
    """The single .whl in out."""
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {out}, found {wheels}"
    return wheels[0]


def sha256(data: bytes) -> str:
    """'sha256:<hex>' as the build info records it."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def contract() -> dict[str, Any]:
    """nix/runtime-contract.json: what the image declares and these tests run."""
    data: dict[str, Any] = json.loads((ROOT / "nix" / "runtime-contract.json").read_text())
    return data


NIX_INSTANTIATE = find("nix")

# nixpkgs cannot be fetched here, so nix/image.nix is evaluated with the few library
# functions it uses written out exactly as nixpkgs defines them, and dockerTools /
# writeTextDir returning their arguments: the result is the image's real configuration as
# image.nix computes it, without building anything.
_IMAGE_HARNESS = """
let
  lib = {
    importJSON = f: builtins.fromJSON (builtins.readFile f);
    mapAttrsToList = f: attrs: map (n: f n attrs.${n}) (builtins.attrNames attrs);
    optionalAttrs = cond: attrs: if cond then attrs else { };
  };
  pkgs = {
    dockerTools.buildLayeredImage = args: args;
    writeTextDir = path: text: { inherit path text; };
    tini = "TINI";
    cacert = "CACERT";
  };
in
import ./nix/image.nix {
  inherit pkgs lib;
  app = "APP";
  version = (builtins.fromTOML (builtins.readFile ./pyproject.toml)).project.version;
  revision = "REVISION";
  lastModifiedDate = "20261204145217";
  sourceUrl = null;
}
"""


def nix_eval(expression: str) -> Any:
    """Evaluate a Nix expression in the repository root (builtins only) to JSON data."""
    assert NIX_INSTANTIATE is not None
    out = subprocess.run(
        [NIX_INSTANTIATE, "--eval", "--strict", "--json", "-E", expression],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def image_arguments() -> dict[str, Any]:
    """The arguments nix/image.nix passes to dockerTools.buildLayeredImage."""
    data: dict[str, Any] = nix_eval(_IMAGE_HARNESS)
    return data
