"""The suite is hermetic: a user's own Superego set-up never reaches it, and a missing system
part is one clear skip (or, where CI installed it, a failure).

The subprocess runs below start pytest on real modules of this suite from a hostile outer
environment: a HOME with a deny-all user policy and Claude Code settings, XDG directories
pointing into it, and SUPEREGO_* settings (a deny-all --rules file, deny fail mode, an audit
database, a token, port 8642) as a user's shell would export them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hermetic import TEST_CONTROL, TEST_CONTROL_NAMES, TEST_HOME
from superego_mcp.config import Settings

ROOT = Path(__file__).resolve().parents[1]

DENY_ALL = """\
version: 1
default: {action: deny, reason: "user deny-all"}
rules:
  - id: user-deny-all
    priority: 1
    action: deny
    reason: "user deny-all"
    conditions: {tool: "*"}
"""


def _pytest(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _hostile_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "user-home"
    (home / ".config" / "superego").mkdir(parents=True)
    (home / ".config" / "superego" / "policy.yaml").write_text(DENY_ALL)
    (home / ".claude").mkdir()
    (home / ".claude" / "settings.json").write_text(
        '{"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [{"type": "command",'
        ' "command": "superego-mcp hook || exit 2"}]}]}}'
    )
    state = home / ".local" / "state"
    state.mkdir(parents=True)
    return dict(
        os.environ,
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(state),
        XDG_CACHE_HOME=str(home / ".cache"),
        CLAUDE_PROJECT_DIR=str(home),
        SUPEREGO_RULES=str(home / ".config" / "superego" / "policy.yaml"),
        SUPEREGO_FAIL_MODE="deny",
        SUPEREGO_DEFAULT_ACTION="ask",
        SUPEREGO_AUDIT=f"sqlite://{state / 'audit.db'}",
        SUPEREGO_API_TOKEN="users-own-token",
        SUPEREGO_PORT="8642",
    )


def test_this_process_runs_in_a_home_of_its_own() -> None:
    assert Path.home() == TEST_HOME
    assert TEST_HOME.name.startswith("superego-test-home-")
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "CLAUDE_PROJECT_DIR"):
        assert var not in os.environ
    kept = [n for n in os.environ if n.startswith("SUPEREGO_")]
    assert all(n.startswith(TEST_CONTROL) or n in TEST_CONTROL_NAMES for n in kept), kept


def test_the_kept_test_variables_are_no_settings() -> None:
    # A variable the conftest keeps must never be one Superego reads as a setting.
    settings = {f"SUPEREGO_{name.upper()}" for name in Settings.model_fields}
    assert settings.isdisjoint(TEST_CONTROL_NAMES)
    assert not any(s.startswith(TEST_CONTROL) for s in settings)


def test_a_users_setup_does_not_reach_the_suite(tmp_path: Path) -> None:
    # Hook tests read the user policy layer, the bundled policy's answers and the project
    # root: each of the user's files and variables above would change their answers.
    r = _pytest(
        _hostile_env(tmp_path),
        "tests/hook/test_hook_layers.py",
        "tests/hook/test_hook_project.py",
        "tests/hook/test_hook_runner.py::test_bundled_policy_decisions",
    )
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert " passed" in r.stdout
    assert "skipped" not in r.stdout


def test_a_missing_part_is_one_clear_skip(tmp_path: Path) -> None:
    env = dict(os.environ, SUPEREGO_TEST_HIDE="node")
    env.pop("SUPEREGO_REQUIRE_NODE", None)
    env.pop("SUPEREGO_REQUIRE_ALL", None)
    target = "tests/hook/test_agents_install.py::test_opencode_plugin_under_node"
    r = _pytest(env, target)
    assert r.returncode == 0, r.stdout[-3000:]
    assert "1 skipped" in r.stdout
    assert "node is not installed: `apt-get install -y nodejs` installs it" in r.stdout


def test_a_part_ci_installed_fails_instead_of_skipping() -> None:
    env = dict(os.environ, SUPEREGO_TEST_HIDE="node", SUPEREGO_REQUIRE_NODE="1")
    r = _pytest(env, "tests/hook/test_agents_install.py::test_opencode_plugin_under_node")
    assert r.returncode == 1, r.stdout[-3000:]
    assert "SUPEREGO_REQUIRE_NODE is set but node is not installed" in r.stdout
    assert "skipped" not in r.stdout
