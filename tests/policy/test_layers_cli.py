"""`check`, `explain` and `config show` on layered policies, as real subprocesses in a real
git work tree with a project layer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "superego_mcp"]

PROJECT = """\
version: 1
extends: bundled
overrides:
  ask-force-push: {action: allow}
rules:
  - id: deny-make-release
    action: deny
    reason: "Releases come from CI."
    conditions: {shell: {program: make, args: {equals: release}}}
    examples:
      match: ["make release"]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git work tree with a project policy, and an empty user config dir."""
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".superego").mkdir()
    (root / ".superego" / "policy.yaml").write_text(PROJECT)
    return root


def run(*args: str, cwd: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SUPEREGO_")}
    env.pop("CLAUDE_PROJECT_DIR", None)
    env["XDG_CONFIG_HOME"] = str(config)
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60, check=False
    )


def test_explain_names_the_layer_and_line_of_every_rule(project: Path, tmp_path: Path) -> None:
    # Run from a subdirectory: the project is still the work tree's root.
    r = run(
        "explain",
        "--json",
        "--",
        "git push --force; make release",
        cwd=project / "src",
        config=tmp_path / "cfg",
    )
    assert r.returncode == 2, r.stderr  # explain's status for deny
    data = json.loads(r.stdout)
    layers = [(la["layer"], la["path"]) for la in data["policy"]["layers"]]
    assert layers[-1] == ("project", str(project / ".superego" / "policy.yaml"))
    push, release = data["units"]
    assert (push["rule_id"], push["layer"]) == ("ask-force-push", "bundled")
    assert push["where"].startswith("bundled ")
    assert "default_policy.yaml:" in push["where"]
    assert "may not loosen ask-force-push" in push["note"]
    assert release["where"] == f"project {project / '.superego' / 'policy.yaml'}:6"
    text = run("explain", "--", "make release", cwd=project, config=tmp_path / "cfg").stdout
    assert f"(project {project / '.superego' / 'policy.yaml'}:6)" in text


def test_check_warns_about_a_file_that_replaces_the_bundled_policy(
    project: Path, tmp_path: Path
) -> None:
    lone = tmp_path / "lone.yaml"
    lone.write_text("version: 1\nrules: []\n")
    r = run("check", "--rules", str(lone), cwd=project, config=tmp_path / "cfg")
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{lone}:1: warning: this file replaces the bundled policy" in r.stderr
    assert f"layer project: {project / '.superego' / 'policy.yaml'}" in r.stdout
    lone.write_text("version: 1\nextends: none\nrules: []\n")
    r = run("check", "--rules", str(lone), cwd=project, config=tmp_path / "cfg")
    assert "warning" not in r.stderr


def test_check_names_the_file_of_a_failing_example_in_a_layer(
    project: Path, tmp_path: Path
) -> None:
    policy = project / ".superego" / "policy.yaml"
    policy.write_text(PROJECT.replace('match: ["make release"]', 'match: ["make test"]'))
    r = run("check", cwd=project, config=tmp_path / "cfg")
    assert r.returncode == 1
    assert f"{policy}:11: rule deny-make-release: example 'make test' should match" in r.stdout


def test_config_show_lists_the_layers(project: Path, tmp_path: Path) -> None:
    user = tmp_path / "cfg" / "superego" / "policy.yaml"
    user.parent.mkdir(parents=True)
    user.write_text("version: 1\nextends: bundled\nproject_may_loosen: [ask-force-push]\n")
    r = run("config", "show", cwd=project, config=tmp_path / "cfg")
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    assert [(la["layer"], la["exists"]) for la in shown["policy_layers"]] == [
        ("bundled", True),
        ("user", True),
        ("project", True),
    ]
    assert shown["user_rules"] == str(user)
    # With the user's permission, the project's override stands.
    r = run("explain", "--json", "--", "git push --force", cwd=project, config=tmp_path / "cfg")
    assert json.loads(r.stdout)["decision"]["decision"] == "allow"
