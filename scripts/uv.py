#!/usr/bin/env python3
"""Run uv, fetching it from PyPI first when this machine has none.

A fresh Debian 12 has python3 but neither pip nor venv, so this script uses only the
standard library: it looks for `uv` on PATH, then in `.tools/`, and otherwise downloads the
uv wheel for this platform from PyPI, checks its sha256 against PyPI's JSON API, and unpacks
the binary into `.tools/`. Everything after the script name is passed to uv, with uv told to
use this interpreter and never to download a Python of its own.

    python3 scripts/uv.py run superego-mcp serve
    python3 scripts/uv.py run pytest
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import stat
import sys
import urllib.request
import zipfile
from pathlib import Path

UV_VERSION = "0.13.9"
ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools"


def _wheel_tag() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}
    if sys.platform.startswith("linux") and machine in arch:
        return f"manylinux_2_17_{arch[machine]}"
    if sys.platform == "darwin":
        return "macosx_11_0_arm64" if machine == "arm64" else "macosx_10_12_x86_64"
    raise SystemExit(f"scripts/uv.py: no uv wheel known for {sys.platform}/{machine}; install uv")


def _download_uv() -> Path:
    tag = _wheel_tag()
    index = os.environ.get("SUPEREGO_PYPI_SIMPLE", "https://pypi.org/simple")
    # PEP 691 JSON form of the simple index: file names, URLs and sha256 digests.
    if not index.startswith("https://"):
        raise SystemExit(f"scripts/uv.py: refusing a non-https index: {index}")
    request = urllib.request.Request(  # noqa: S310 (https only, checked above)
        f"{index}/uv/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as resp:  # noqa: S310
        listing = json.load(resp)
    prefix = f"uv-{UV_VERSION}-"
    files = [
        f
        for f in listing["files"]
        if f["filename"].startswith(prefix)
        and f["filename"].endswith(".whl")
        and tag in f["filename"]
    ]
    if not files:
        raise SystemExit(f"scripts/uv.py: the index has no uv {UV_VERSION} wheel for {tag}")
    wheel = files[0]
    TOOLS.mkdir(exist_ok=True)
    target = TOOLS / wheel["filename"]
    print(f"scripts/uv.py: fetching {wheel['filename']}", file=sys.stderr)
    with urllib.request.urlopen(wheel["url"], timeout=300) as resp:  # noqa: S310
        data = resp.read()
    if hashlib.sha256(data).hexdigest() != wheel["hashes"]["sha256"]:
        raise SystemExit("scripts/uv.py: checksum mismatch for the uv wheel; not using it")
    target.write_bytes(data)
    with zipfile.ZipFile(target) as zf:
        member = next(n for n in zf.namelist() if n.endswith("/scripts/uv"))
        binary = TOOLS / "uv"
        binary.write_bytes(zf.read(member))
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    target.unlink()
    return binary


def find_uv() -> str:
    """Return the path of a usable uv binary, downloading one if needed."""
    on_path = shutil.which("uv")
    if on_path:
        return on_path
    local = TOOLS / "uv"
    if local.exists():
        return str(local)
    return str(_download_uv())


def main() -> None:
    uv = find_uv()
    env = dict(os.environ)
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env.setdefault("UV_PYTHON", sys.executable)
    # Trust the machine's certificate store, as pip and curl do (TLS-inspecting proxies).
    env.setdefault("UV_SYSTEM_CERTS", "1")
    os.chdir(ROOT)
    os.execve(uv, [uv, *sys.argv[1:]], env)  # noqa: S606 (replace this process with uv)


if __name__ == "__main__":
    main()
