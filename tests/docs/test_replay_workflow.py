"""docs/replay.md's GitHub Actions workflow, as written: actionlint and zizmor find nothing in
it, it runs when `.superego/policy.yaml` changes, and its steps, run by bash in a git
checkout whose `.superego/trail.jsonl` was recorded by real hook processes and exported by the
real `audit export`, pass for a tightening policy and the unchanged one and fail for a
loosening one. Only `uvx` is stood in for: it runs the `superego-mcp` installed here."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.hook import SCRIPT
from support.server import clean_env
from support.trail import LOOSER, TIGHTER, HookProcesses, record

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs/replay.md"
CALLS = [
    ("git status", "allow"),
    ("ls -la", "allow"),
    ("git push --force origin main", "ask"),
    ("rm -rf ~", "deny"),
]
UNCHANGED = "version: 1\nextends: bundled\nrules: []\n"


def workflow() -> tuple[str, dict[str, Any]]:
    """The workflow block of docs/replay.md: its text and its parsed form."""
    text = DOC.read_text()
    blocks = re.findall(r"^```yaml\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    [block] = [b for b in blocks if "superego-mcp" in b and "jobs:" in b]
    data = yaml.safe_load(block)
    assert isinstance(data, dict)
    return block, data


def test_it_runs_when_the_project_policy_changes() -> None:
    _, data = workflow()
    paths = data[True]["pull_request"]["paths"]  # YAML 1.1 reads the key `on` as True
    assert any(fnmatch.fnmatch(".superego/policy.yaml", p.replace("**", "*")) for p in paths)


def test_actionlint_and_zizmor_find_nothing(tmp_path: Path) -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck): actionlint needs it")
    text, _ = workflow()
    target = tmp_path / ".github/workflows/superego-policy.yml"
    target.parent.mkdir(parents=True)
    target.write_text(text)
    tools = Path(sys.executable).parent
    lint = subprocess.run(
        [str(tools / "actionlint"), str(target)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    for persona in ("regular", "auditor"):
        audit = subprocess.run(
            [str(tools / "zizmor"), "--offline", f"--persona={persona}", str(target.parent)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert audit.returncode == 0, audit.stdout + audit.stderr


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git checkout of a project on the bundled policy whose trail real hook processes
    recorded and `audit export` wrote to .superego/trail.jsonl."""
    assert SCRIPT is not None
    root = tmp_path_factory.mktemp("workflow")
    project = root / "checkout"
    (project / ".superego").mkdir(parents=True)
    (root / "home").mkdir()
    env = clean_env(
        HOME=str(root / "home"),
        SUPEREGO_CACHE_DIR=str(root / "cache"),
        XDG_STATE_HOME=str(root / "state"),
        CLAUDE_PROJECT_DIR=str(project),
        SUPEREGO_AUDIT=f"sqlite://{root / 'audit.db'}",
    )
    record(HookProcesses(env, project), CALLS, sessions=len(CALLS))
    with (project / ".superego/trail.jsonl").open("w") as out:
        subprocess.run(
            [SCRIPT, "audit", "export", "--since", "1d"],
            stdout=out,
            env=env,
            cwd=project,
            timeout=120,
            check=True,
        )
    assert len((project / ".superego/trail.jsonl").read_text().splitlines()) == len(CALLS)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, timeout=60)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True, timeout=60)
    subprocess.run([*git, "commit", "-qm", "trail"], cwd=project, check=True, timeout=60)
    return project


def run_steps(project: Path, policy: str, tmp_path: Path) -> tuple[int, str]:
    """The workflow's `run:` steps in order, as GitHub runs them (bash -e, stopping at the
    first failure, `if: always()` steps even then); the replay step's exit status and the
    step summary."""
    assert SCRIPT is not None
    (project / ".superego/policy.yaml").write_text(policy)
    stand_in = tmp_path / "bin"
    stand_in.mkdir()
    # uvx PACKAGE@VERSION ARGS...: the superego-mcp installed here, with ARGS.
    (stand_in / "uvx").write_text(f'#!/bin/sh\nshift\nexec "{SCRIPT}" "$@"\n')
    (stand_in / "uvx").chmod(0o755)
    summary = tmp_path / "summary.md"
    _, data = workflow()
    [job] = data["jobs"].values()
    env = clean_env(
        **{k: str(v) for k, v in job.get("env", {}).items()},
        HOME=str(tmp_path),
        PATH=f"{stand_in}{os.pathsep}{os.environ['PATH']}",
        GITHUB_STEP_SUMMARY=str(summary),
    )
    env.pop("CLAUDE_PROJECT_DIR", None)
    failed = False
    replay_status = -1
    for step in job["steps"]:
        if "run" not in step or (failed and step.get("if") != "always()"):
            continue
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", "-c", step["run"]],
            capture_output=True,
            text=True,
            env=env,
            cwd=project,
            timeout=300,
            check=False,
        )
        if " replay " in step["run"]:
            replay_status = proc.returncode
        failed = failed or proc.returncode != 0
    return replay_status, summary.read_text() if summary.exists() else ""


def test_a_tightening_policy_passes_and_shows_what_it_asks(checkout: Path, tmp_path: Path) -> None:
    status, summary = run_steps(checkout, TIGHTER, tmp_path)
    assert status == 0
    assert "### Superego replay: 1 changed, 0 looser" in summary
    assert "| allow | ask | 1 |" in summary
    assert "Git needs a person here." in summary


def test_the_unchanged_policy_passes_with_no_change(checkout: Path, tmp_path: Path) -> None:
    status, summary = run_steps(checkout, UNCHANGED, tmp_path)
    assert status == 0
    assert "### Superego replay: no change" in summary


def test_a_loosening_policy_fails_the_job(checkout: Path, tmp_path: Path) -> None:
    status, summary = run_steps(checkout, LOOSER, tmp_path)
    assert status == 1
    assert "### Superego replay: 1 changed, 1 looser" in summary
    assert "| ask | allow | 1 |" in summary
    assert "Force pushes are fine here." in summary
