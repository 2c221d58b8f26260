"""System parts some tests need and a fresh machine may lack: found, or one clear skip line.

The one way a test asks for chromium, PostgreSQL, node, npm, podman or an npm-installed
tool: ``path = require("chromium")`` inside a test or fixture, or ``pytestmark =
skip_unless("node")`` on a module. A missing part skips with one line naming the command
that installs it. ``.ci/run`` installs every part and sets ``SUPEREGO_REQUIRE_<PART>=1``
(``SUPEREGO_REQUIRE_ALL=1`` for all), which turns the skip into a failure: what CI
installed can never pass quietly as a skip.

``SUPEREGO_TEST_HIDE=chromium,postgresql`` makes the named parts look missing (the
fresh-machine check; tests/test_system_parts.py uses it too).
"""

from __future__ import annotations

import glob
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_TOOLS = ROOT / ".tools"


def _executable(*candidates: str) -> str | None:
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and Path(candidate).is_file():
            return candidate
    return None


def _chromium() -> str | None:
    # Debian's binary; a chromium on PATH only when it is a program, not a shell wrapper
    # (Debian's /usr/bin/chromium, which Playwright cannot drive and which is left behind
    # when the binary is missing).
    if _executable("/usr/lib/chromium/chromium"):
        return "/usr/lib/chromium/chromium"
    found = shutil.which("chromium")
    if found is None or not _executable(found):
        return None
    with Path(found).open("rb") as fh:
        return None if fh.read(2) == b"#!" else found


def _postgresql() -> str | None:
    # Debian's versioned tree, else initdb on PATH (Nix's pkgs.postgresql, other distros).
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found and _executable(found[-1]):
        return str(Path(found[-1]).parent)
    on_path = shutil.which("initdb")
    return str(Path(on_path).resolve().parent) if on_path else None


def _conformance() -> str | None:
    given = os.environ.get("SUPEREGO_CONFORMANCE")
    if given:
        return given
    suite = _TOOLS / "conformance/node_modules/@modelcontextprotocol/conformance/dist/index.js"
    return str(suite) if suite.is_file() else None


def _inspector() -> str | None:
    base = _TOOLS / "inspector"
    launcher = base / "node_modules/@modelcontextprotocol/inspector/clients/launcher/build"
    launcher = launcher / "index.js"
    return str(launcher) if launcher.is_file() and (base / "node").exists() else None


def _container() -> str | None:
    # The container tests need root, podman (with runc, iptables) and, for the stand-in
    # image, debootstrap.
    if os.geteuid() != 0:
        return None
    podman = shutil.which("podman")
    if podman is None:
        return None
    if not os.environ.get("SUPEREGO_IMAGE_ARCHIVE") and shutil.which("debootstrap") is None:
        return None
    return podman


# part -> (how to find it: its path or None, the command that installs it)
PARTS: dict[str, tuple[Callable[[], str | None], str]] = {
    "chromium": (_chromium, "apt-get install -y chromium"),
    "postgresql": (_postgresql, "apt-get install -y postgresql"),
    "node": (lambda: shutil.which("node"), "apt-get install -y nodejs"),
    "npm": (lambda: shutil.which("npm"), "apt-get install -y npm"),
    "nix": (lambda: shutil.which("nix-instantiate"), "apt-get install -y nix-bin"),
    "conformance": (_conformance, "bash tests/server/conformance.sh --install-only"),
    "inspector": (_inspector, "bash tests/server/inspector.sh --install-only"),
    "container": (
        _container,
        "apt-get install -y podman runc iptables debootstrap (and run as root)",
    ),
    "skopeo": (lambda: shutil.which("skopeo"), "apt-get install -y skopeo"),
}


def _hidden() -> set[str]:
    return {p.strip() for p in os.environ.get("SUPEREGO_TEST_HIDE", "").split(",") if p.strip()}


def find(part: str) -> str | None:
    """The part's path on this machine, or None when it is missing (or hidden)."""
    finder, _ = PARTS[part]
    return None if part in _hidden() else finder()


def required(part: str) -> bool:
    """Whether a missing ``part`` must fail instead of skip (CI installed it)."""
    env = os.environ
    return bool(env.get(f"SUPEREGO_REQUIRE_{part.upper()}") or env.get("SUPEREGO_REQUIRE_ALL"))


def missing_reason(part: str) -> str | None:
    """The one skip line for a missing ``part`` (None when present). Fails the test run
    instead when the part is required."""
    if find(part) is not None:
        return None
    line = f"{part} is not installed: `{PARTS[part][1]}` installs it (.ci/run does)"
    if required(part):
        pytest.fail(f"SUPEREGO_REQUIRE_{part.upper()} is set but {line}", pytrace=False)
    return line


def require(part: str) -> str:
    """The part's path; skips the calling test (or fixture) when it is missing."""
    reason = missing_reason(part)
    if reason is not None:
        pytest.skip(reason)
    path = find(part)
    assert path is not None
    return path


def skip_unless(part: str) -> pytest.MarkDecorator:
    """A ``skipif`` mark for a module or test that needs ``part``."""
    reason = missing_reason(part)
    return pytest.mark.skipif(reason is not None, reason=reason or "")
