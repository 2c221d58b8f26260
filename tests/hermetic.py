"""The isolation every test runs in (imported first by tests/conftest.py).

The suite must pass on a machine where a person uses Superego: their own
``~/.config/superego/policy.yaml``, ``~/.claude/settings.json``, audit database, a server on
8642 and ``SUPEREGO_*`` settings in the shell. So before anything imports Superego, HOME points
at a fresh temp directory, the XDG base directories are unset (they follow HOME) and every
``SUPEREGO_*`` setting is removed; subprocesses inherit this. Tests that want a store, a
policy or a setting of their own set it explicitly. Importing this module isolates the
process (once).
"""

import os
import tempfile
from pathlib import Path

# Variables that steer the test machinery, not Superego: kept (tests/system_parts.py,
# tests/server/test_conformance.py, tests/container/conftest.py, scripts/uv.py).
TEST_CONTROL = ("SUPEREGO_REQUIRE_", "SUPEREGO_TEST_")
TEST_CONTROL_NAMES = frozenset(
    {
        "SUPEREGO_CONFORMANCE",
        "SUPEREGO_CONFORMANCE_NODE",
        "SUPEREGO_IMAGE_ARCHIVE",
        "SUPEREGO_PYPI_SIMPLE",
        "SUPEREGO_SCREENSHOTS",  # where the dashboard tests keep their screenshots
    }
)

AGENT_AND_VENDOR = (
    "CLAUDE_PROJECT_DIR",
    "GEMINI_PROJECT_DIR",
    "CURSOR_PROJECT_DIR",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
)


def is_setting(name: str) -> bool:
    """Whether environment variable ``name`` could be a Superego setting (not test control)."""
    name = name.upper()
    return (
        name.startswith("SUPEREGO_")
        and not name.startswith(TEST_CONTROL)
        and name not in TEST_CONTROL_NAMES
    )


def _isolate() -> Path:
    real_home = Path.home()
    for name in list(os.environ):
        if is_setting(name):
            del os.environ[name]
    # What an agent or a vendor SDK would hand Superego when the suite runs inside a coding
    # agent's shell: the project root it names, the reviewer's API endpoints and keys.
    for name in AGENT_AND_VENDOR:
        os.environ.pop(name, None)
    # The package tools' own caches and registry settings stay the user's: uv and npm must
    # keep working offline and through the machine's mirror (not Superego state).
    if "UV_CACHE_DIR" not in os.environ:
        cache = os.environ.get("XDG_CACHE_HOME") or str(real_home / ".cache")
        os.environ["UV_CACHE_DIR"] = str(Path(cache) / "uv")
    if "NPM_CONFIG_USERCONFIG" not in os.environ and (real_home / ".npmrc").is_file():
        os.environ["NPM_CONFIG_USERCONFIG"] = str(real_home / ".npmrc")
    if "NPM_CONFIG_CACHE" not in os.environ:
        os.environ["NPM_CONFIG_CACHE"] = str(real_home / ".npm")
    # The XDG base directories are unset, not pointed elsewhere: Superego's files then follow
    # HOME, so a test that gives a subprocess a HOME of its own gets its XDG places with it.
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        os.environ.pop(var, None)
    root = Path(tempfile.mkdtemp(prefix="superego-test-home-"))
    os.environ["HOME"] = str(root)
    return root


TEST_HOME = _isolate()
