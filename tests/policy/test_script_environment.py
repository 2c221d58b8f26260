"""ask-environment-hijack applies to the commands Superego reads from disk for a call (a
script, a Makefile, a package.json script, a git hook), not only to the call's own text:
real files in tmp_path, judged by the bundled policy; the reason names FILE:LINE."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy, load_policy
from superego_mcp.policy.errors import PolicyError

RULE = "ask-environment-hijack"


def write(root: Path, files: dict[str, str], executable: tuple[str, ...] = ()) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if name in executable:
            path.chmod(0o755)


def judged(policy: Policy, command: str, root: Path) -> tuple[str, str | None, str]:
    d = policy.judge(ToolCall("Bash", {"command": command}, str(root), project=str(root))).decision
    return d.action, d.rule_id, d.reason


@pytest.mark.parametrize(
    ("command", "files", "where"),
    [
        (
            "bash scripts/setup.sh",
            {"scripts/setup.sh": "set -e\nexport LD_PRELOAD=/tmp/x.so\nls\n"},
            "scripts/setup.sh:2",
        ),
        (
            "bash run.sh",
            {"run.sh": "echo hi\nLD_LIBRARY_PATH=/tmp/lib\nexport LD_LIBRARY_PATH\nls\n"},
            "run.sh:2",
        ),
        (
            "bash run.sh",
            {"run.sh": "declare -x DYLD_INSERT_LIBRARIES=/tmp/x.dylib\nls\n"},
            "run.sh:1",
        ),
        (
            "bash run.sh",
            {"run.sh": "\nenv NODE_OPTIONS='--require /tmp/x.js' node a.js\n"},
            "run.sh:2",
        ),
        ("bash run.sh", {"run.sh": "PERL5OPT=-Mx perl t.pl\n"}, "run.sh:1"),
        ("bash run.sh", {"run.sh": "f() {\n  local PATH=/tmp/bin\n  ls\n}\nf\n"}, "run.sh:2"),
        (
            "bash run.sh",
            {"run.sh": "bash -c 'RUBYOPT=-r/tmp/x.rb; export RUBYOPT; ruby -v'\n"},
            "run.sh:1",
        ),
        (
            "npm run build",
            {"package.json": '{"scripts": {"build": "NODE_OPTIONS=--require=/tmp/x.js node b"}}'},
            "package.json:1",
        ),
        (
            "make build",
            {"Makefile": "CC = cc\nexport LD_PRELOAD = /tmp/x.so\nbuild:\n\tcc -o app main.c\n"},
            "Makefile:2",
        ),
        (
            "make",
            {"Makefile": "BASH_ENV = /tmp/x.sh\nexport BASH_ENV\nall:\n\tbash -c true\n"},
            "Makefile:2",
        ),
        (
            "just build",
            {
                "justfile": (
                    'version := "1"\nexport LD_PRELOAD := "/tmp/x.so"\n\nbuild:\n    cc main.c\n'
                )
            },
            "justfile:2",
        ),
        ("just", {"justfile": 'set export\nPATH := "/tmp/bin"\n\nbuild:\n    ls\n'}, "justfile:2"),
        (
            "task build",
            {
                "Taskfile.yml": (
                    "version: '3'\nenv:\n  LD_PRELOAD: /tmp/x.so\n"
                    "tasks:\n  build:\n    cmds:\n      - ls\n"
                )
            },
            "Taskfile.yml:2",
        ),
        (
            "task build",
            {
                "Taskfile.yml": (
                    "version: '3'\ntasks:\n  build:\n    env:\n"
                    "      PATH: /tmp/bin\n    cmds:\n      - ls\n"
                )
            },
            "Taskfile.yml:4",
        ),
        (
            "mise run dev",
            {
                "mise.toml": (
                    '[env]\nNODE_OPTIONS = "-r /tmp/x.js"\n\n[tasks.dev]\nrun = "node a.js"\n'
                )
            },
            "mise.toml:4",
        ),
        (
            "mise run dev",
            {"mise.toml": '[env]\n_.path = ["/tmp/bin"]\n\n[tasks.dev]\nrun = "ls"\n'},
            "mise.toml:4",
        ),
        (
            "tox",
            {
                "tox.ini": (
                    "[testenv]\nsetenv =\n    PYTHONSTARTUP = /tmp/x.py\ncommands =\n    pytest\n"
                )
            },
            "tox.ini:1",
        ),
        (
            "make",
            {"Makefile": "CC = cc\nLD_PRELOAD = /tmp/x.so\nexport\nall:\n\tls\n"},
            "Makefile:2",
        ),
        (
            "make",
            {"Makefile": ".EXPORT_ALL_VARIABLES:\nLD_PRELOAD = /tmp/x.so\nall:\n\tls\n"},
            "Makefile:2",
        ),
        # PATH is in make's environment: changed by the Makefile, the recipes get it.
        ("make", {"Makefile": "PATH := /tmp/bin:$(PATH)\nall:\n\tls\n"}, "Makefile:1"),
    ],
)
def test_hijack_in_read_code_is_asked_with_its_line(
    bundled: Policy, tmp_path: Path, command: str, files: dict[str, str], where: str
) -> None:
    write(tmp_path, files)
    action, rule, reason = judged(bundled, command, tmp_path)
    assert (action, rule) == ("ask", RULE)
    assert reason.endswith(f"(in {tmp_path / where})")


def test_hijack_in_a_git_hook(bundled: Policy, tmp_path: Path) -> None:
    hook = ".git/hooks/pre-commit"
    write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n"})
    write(tmp_path, {hook: "#!/bin/sh\nexport LD_PRELOAD=/tmp/x.so\ngit diff\n"}, (hook,))
    action, rule, reason = judged(bundled, "git commit -m x", tmp_path)
    assert (action, rule) == ("ask", RULE)
    assert reason.endswith(f"(in {tmp_path / hook}:2)")


@pytest.mark.parametrize(
    ("command", "files"),
    [
        ("bash ci.sh", {"ci.sh": "export NODE_ENV=test\nFOO=bar ls\nCI=1\nls\n"}),
        ("bash ci.sh", {"ci.sh": "PATH=/usr/bin:/bin\nexport PATH\nls\n"}),
        (
            "bash ci.sh",
            {"ci.sh": 'BASH_ENV= bash -c true\nwhile IFS= read -r l; do echo "$l"; done < f\n'},
        ),
        ("make", {"Makefile": "CFLAGS = -O2\nexport GOFLAGS = -mod=mod\nall:\n\tls\n"}),
        ("npm test", {"package.json": '{"scripts": {"test": "NODE_ENV=test node t.js"}}'}),
        ("just", {"justfile": 'version := "1"\nexport RUST_LOG := "debug"\n\nb:\n    ls\n'}),
        (
            "task b",
            {
                "Taskfile.yml": (
                    "version: '3'\nenv:\n  CGO_ENABLED: '0'\ntasks:\n  b:\n    cmds: [ls]\n"
                )
            },
        ),
        ("mise run b", {"mise.toml": '[env]\nRUST_LOG = "debug"\n\n[tasks.b]\nrun = "ls"\n'}),
        ("tox", {"tox.ini": "[testenv]\nsetenv =\n    PYTHONHASHSEED = 0\ncommands = ls\n"}),
    ],
)
def test_ordinary_settings_in_read_code_are_not(
    bundled: Policy, tmp_path: Path, command: str, files: dict[str, str]
) -> None:
    write(tmp_path, files)
    assert judged(bundled, command, tmp_path)[1] != RULE


def test_make_passes_an_environment_variable_only_when_the_environment_has_it(
    bundled: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"Makefile": "LD_LIBRARY_PATH = /tmp/lib\nall:\n\tls\n"})
    monkeypatch.delenv("LD_LIBRARY_PATH", raising=False)
    assert judged(bundled, "make", tmp_path)[1] != RULE  # a make variable, not passed on
    monkeypatch.setenv("LD_LIBRARY_PATH", "/usr/lib")
    assert judged(bundled, "make", tmp_path)[1] == RULE


def test_sets_needs_a_value_test(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nrules:\n  - id: r\n    action: ask\n    reason: x\n"
        "    conditions:\n      shell: {sets: {exists: true}}\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match=r"rules.yaml:7.*'sets' needs a value test"):
        load_policy(str(rules))


def test_sets_tests_each_assignment(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\ndefault: {action: allow, reason: ok}\nrules:\n  - id: r\n    action: deny\n"
        "    reason: x\n    conditions:\n      shell: {sets: {regex: '^DEBUG=1$'}}\n",
        encoding="utf-8",
    )
    policy = load_policy(str(rules))
    home = os.environ.get("HOME", "/")
    for command, rule in [
        ("DEBUG=1 make", "r"),
        ("export A=0 DEBUG=1", "r"),
        ("env DEBUG=1 make", "r"),
        ("DEBUG=0 make", None),
        ("echo DEBUG=1", None),
        ("DEBUG=1", None),  # a bare assignment on the call's own line: the rules read its text
    ]:
        d = policy.judge(ToolCall("Bash", {"command": command}, home)).decision
        assert d.rule_id == rule, command
