"""What scripts and people rely on from the command line: ``explain``'s exit status, and a
description in every subcommand's ``--help``."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import pytest

from superego_mcp.cli import build_parser

CLI = [sys.executable, "-m", "superego_mcp"]
CWD = "/home/user/project"
# Subcommands whose arguments cli.py itself declares.
CORE = {"serve", "stdio", "hook", "hooks", "init", "check", "explain", "config", "healthcheck"}


def _explain(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEREGO_")}
    env["HOME"] = "/home/user"
    return subprocess.run(
        [*CLI, "explain", "--cwd", CWD, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("command", "decision", "status"),
    [
        ("ls -la", "allow", 0),
        ("sudo apt-get install jq", "ask", 1),
        ("frobnicate --all", "defer", 1),  # no rule has an opinion
        ("rm -rf ~", "deny", 2),
    ],
)
def test_explain_exit_status_follows_the_decision(command: str, decision: str, status: int) -> None:
    r = _explain("--json", command)
    assert json.loads(r.stdout)["decision"]["decision"] == decision
    assert r.returncode == status, r.stderr


def test_explain_review_resolves_to_ask_and_exits_1() -> None:
    r = _explain("--json", "perl -e 'print `id`'")
    data = json.loads(r.stdout)
    assert (data["evaluation"]["decision"], data["decision"]["decision"]) == ("review", "ask")
    assert r.returncode == 1


def test_explain_errors_exit_3_never_2() -> None:
    # 2 means deny: a script must not read a broken invocation as a refusal (or as allowed).
    assert _explain().returncode == 3  # nothing to explain
    assert _explain("--input", "{bad").returncode == 3
    assert _explain("--no-such-flag", "ls").returncode == 3  # argparse's own error
    assert _explain("--rules", "/nonexistent/rules.yaml", "ls").returncode == 3


def _subcommands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(((*prefix, name), sub))
                found += _subcommands(sub, (*prefix, name))
    return found


def test_every_subcommand_has_a_description_and_documented_arguments() -> None:
    commands = _subcommands(build_parser())
    names = {" ".join(path) for path, _ in commands}
    assert {"serve", "stdio", "hook", "hooks", "init", "check", "explain", "config"} <= names
    for path, sub in commands:
        assert sub.description, path
        assert len(sub.description) > 10, path
        if path[0] not in CORE:
            continue  # built by the module that owns it (audit)
        for action in sub._actions:
            assert action.help, f"{' '.join(path)}: {action.option_strings or action.dest}"


def test_help_output_shows_the_description() -> None:
    r = subprocess.run([*CLI, "explain", "--help"], capture_output=True, text=True, check=False)
    assert r.returncode == 0
    assert "0 allow, 1 ask or" in " ".join(r.stdout.split())
