"""The decision cache is honest only if judging reads nothing it does not note: every file,
directory, symlink, environment variable and clock read made while a call is judged goes
through ``superego_mcp.observe`` (policy/judgecache.py reuses an answer while each noted read
still gives the same value).

The corpora (and a project of real files, scripts, symlinks, a git repository and agents'
hook files) are judged as the server's cache judges them, with the raw readers of the
standard library (``os.stat``, ``open``, ``os.environ``, ``time.time``, ...) watched. A read
made outside ``observe`` is accounted for when checking the answer again (what the cache does
before reusing it) reads the same thing again: a file's content or its fingerprint for
``open``, the directory's names for ``listdir``, the path for a ``stat``, the variable for the
environment; or when the answer was not to be kept at all (a clock read, git's index). Loading
code (imports, the grammars' libraries) is no input. Anything else is a read the cache does
not know about: the test names it with the code that made it.
"""

from __future__ import annotations

import builtins
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from corpus_helpers import DANGEROUS, EVERYDAY, HOME, PUBLIC, load

from superego_mcp import observe
from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy, load_policy
from superego_mcp.shell.parser import _load_binding

_OBSERVE = observe.__file__
# Loading a grammar's C library (shell/parser.py), as an import is: no input of a decision.
_LOADING_CODE = _load_binding.__code__

# What each raw reader reads: "content" (a file's bytes), "names" (a directory's entries),
# "meta" (a file's type, size, times, or a symlink), "env", "clock".
_PATH_READERS: dict[str, tuple[Any, str, str]] = {
    "os.stat": (os, "stat", "meta"),
    "os.lstat": (os, "lstat", "meta"),
    "os.access": (os, "access", "meta"),
    "os.readlink": (os, "readlink", "meta"),
    "os.listdir": (os, "listdir", "names"),
    "os.scandir": (os, "scandir", "names"),
    "os.open": (os, "open", "content"),
    "open": (builtins, "open", "content"),
    "io.open": (io, "open", "content"),
    "os.path.realpath": (os.path, "realpath", "meta"),
}
_CLOCKS = ("time", "time_ns", "localtime", "gmtime", "ctime")


class Read:
    """One raw read made while judging, outside ``observe``."""

    __slots__ = ("kind", "reader", "stack", "target", "where")

    def __init__(self, reader: str, kind: str, target: str, stack: tuple[Any, ...]) -> None:
        self.reader = reader
        self.kind = kind
        self.target = target
        self.stack = stack  # code objects, innermost first
        self.where = _caller(stack)

    def __repr__(self) -> str:
        return f"{self.reader}({self.target!r}) at {self.where}"


def _caller(stack: tuple[Any, ...]) -> str:
    """The innermost frame in the package: where the read was written."""
    for code in stack:
        if "superego_mcp" in code.co_filename:
            name = code.co_filename.split("superego_mcp/")[-1]
            return f"{name}:{code.co_firstlineno} ({code.co_name})"
    return "outside the package"


class Watch:
    """The raw reads made on this thread while ``active``: outside ``observe`` while judging,
    all of them while an answer is checked again (``rechecking``)."""

    def __init__(self) -> None:
        self.active = False
        self.rechecking = False
        self.reads: list[Read] = []

    def note(self, reader: str, kind: str, target: object) -> None:
        if not self.active:
            return
        stack: list[Any] = []
        frame: FrameType | None = sys._getframe(2)
        while frame is not None:
            code = frame.f_code
            if code.co_filename == _OBSERVE and not self.rechecking:
                return  # observe's own reads are what it notes
            if code.co_filename.startswith("<frozen importlib") or code is _LOADING_CODE:
                return  # loading code: no input of a decision
            stack.append(code)
            frame = frame.f_back
        if isinstance(target, int):
            return  # a descriptor opened by a read already seen
        if isinstance(target, bytes):
            target = os.fsdecode(target)
        self.reads.append(Read(reader, kind, str(target), tuple(stack)))


def _spy(watch: Watch, name: str, kind: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def spy(*args: Any, **kwargs: Any) -> Any:
        target = args[0] if args else kwargs.get("path", kwargs.get("file", "."))
        if isinstance(target, os.PathLike):
            target = os.fspath(target)
        watch.note(name, kind, target)
        return real(*args, **kwargs)

    return spy


def _clock_spy(watch: Watch, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def spy(*args: Any) -> Any:
        if not args or args[0] is None:  # gmtime(seconds) converts, gmtime() reads the clock
            watch.note(f"time.{name}", "clock", "")
        return real(*args)

    return spy


@pytest.fixture
def watch(monkeypatch: pytest.MonkeyPatch) -> Watch:
    found = Watch()
    for name, (owner, attr, kind) in _PATH_READERS.items():
        monkeypatch.setattr(owner, attr, _spy(found, name, kind, getattr(owner, attr)))
    for attr in _CLOCKS:
        monkeypatch.setattr(time, attr, _clock_spy(found, attr, getattr(time, attr)))
    environ_type = type(os.environ)
    real_getitem = environ_type.__getitem__

    def getitem(self: Any, key: str) -> Any:
        found.note("os.environ", "env", key)
        return real_getitem(self, key)

    monkeypatch.setattr(environ_type, "__getitem__", getitem)
    return found


def _unaccounted(
    reads: list[Read], rereads: list[Read], recording: observe.Recording
) -> list[Read]:
    """The reads of a judgement that checking its answer again (``rereads``, made by
    ``recording.still_true()``) does not cover (see the module docstring)."""
    if not recording.stable:
        return []  # an answer that is not kept may read anything
    again: dict[str, set[str]] = {}
    for read in rereads:
        again.setdefault(read.target, set()).add(read.kind)
    fingerprinted = {arg for fn, arg in recording.checks if fn is observe._stat_fingerprint}
    out: list[Read] = []
    for read in reads:
        kinds = again.get(read.target, set())
        if read.kind == "content":
            ok = "content" in kinds or read.target in fingerprinted
        elif read.kind == "meta":
            ok = bool(kinds & {"meta", "content"})
        else:  # names, env; a clock read makes the recording volatile (above)
            ok = read.kind in kinds
        if not ok:
            out.append(read)
    return out


def _judge_all(policy: Policy, calls: list[ToolCall], watch: Watch) -> list[tuple[str, Read]]:
    problems: list[tuple[str, Read]] = []
    for call in calls:
        del watch.reads[:]
        recording = observe.start()
        watch.active = True
        try:
            policy.judge(call, home=call.home or HOME)
        finally:
            watch.active = False
            observe.stop()
        reads = list(watch.reads)
        del watch.reads[:]
        watch.active = watch.rechecking = True
        try:
            recording.still_true()  # what the cache does before reusing the answer
        finally:
            watch.active = watch.rechecking = False
        for read in _unaccounted(reads, watch.reads, recording):
            problems.append((f"{call.tool_name} {call.tool_input}"[:120], read))
    return problems


def _project(root: Path) -> list[ToolCall]:
    """A project of real files: scripts a command runs or sources, a Makefile, package.json,
    Python and JavaScript files, a symlink, a git repository with an upstream, agents' hook
    files; and calls that read each of them while judged."""
    home = root / "home"
    project = home / "work" / "app"
    (project / "scripts").mkdir(parents=True)
    (project / "scripts" / "build.sh").write_text("#!/bin/sh\nmake all\nrm -rf dist\n")
    (project / "env.sh").write_text("export PATH=/opt/bin:$PATH\nalias ll='ls -l'\n")
    (project / "Makefile").write_text("all:\n\tpython3 tool.py\n\tcurl -s https://x.example\n")
    (project / "package.json").write_text(
        '{"scripts": {"test": "node index.js", "postinstall": "sh scripts/build.sh"}}'
    )
    (project / "tool.py").write_text("import os, shutil\nshutil.rmtree(os.path.expanduser('~'))\n")
    (project / "index.js").write_text("require('child_process').execSync('rm -rf /tmp/x')\n")
    (project / "linked").symlink_to(project / "scripts")
    # task runners' TOML files: pyproject.toml tasks, hatch.toml, cargo aliases (the
    # project's and the home's), an entry point's module
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\n[project.scripts]\napp = "app.cli:main"\n'
        '[tool.hatch.envs.default.scripts]\ntest = "pytest {args}"\n'
        '[tool.pdm.scripts]\nstart = {call = "app.cli:main"}\n'
        '[tool.poe.tasks]\ncheck = ["lint"]\nlint = "ruff check ."\n'
    )
    (project / "hatch.toml").write_text('[envs.lint.scripts]\nstyle = "ruff check {root}"\n')
    (project / "app").mkdir()
    (project / "app" / "cli.py").write_text("import os\nos.system('ls')\n")
    (project / ".cargo").mkdir()
    (project / ".cargo" / "config.toml").write_text('[alias]\ndev = "run --package dev --"\n')
    (project / "deno.jsonc").write_text('{"tasks": {"dev": "deno run main.ts", } // x\n}')
    (project / "composer.json").write_text('{"scripts": {"post-install-cmd": "echo hi"}}')
    (project / "Taskfile.yml").write_text("version: '3'\ntasks:\n  build: go build ./...\n")
    (project / "mise.toml").write_text('[tasks.test]\nrun = "cargo test"\n')
    (project / "tox.ini").write_text("[testenv]\ncommands = pytest {posargs}\n")
    (project / "mise-tasks").mkdir()
    (project / "mise-tasks" / "clean").write_text("#!/bin/sh\nrm -rf dist\n")
    (home / ".cargo").mkdir()
    (home / ".cargo" / "config.toml").write_text('[alias]\nmine = "fmt"\n')
    git = project / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/feature\n")
    (git / "config").write_text(
        '[branch "feature"]\n\tremote = origin\n\tmerge = refs/heads/main\n'
        '[remote "origin"]\n\turl = https://example.com/r.git\n'
    )
    # git hooks: a shell hook, a Python one, a husky layout under core.hooksPath
    (git / "hooks").mkdir()
    (git / "hooks" / "pre-commit").write_text("#!/bin/sh\nruff check .\n")
    (git / "hooks" / "pre-push").write_text("#!/usr/bin/env python3\nprint(1)\n")
    (git / "hooks" / "post-checkout.sample").write_text("#!/bin/sh\n")
    (project / ".husky" / "_").mkdir(parents=True)
    (project / ".husky" / "_" / "pre-commit").write_text('#!/usr/bin/env sh\n. "${0%/*}/h"')
    (project / ".husky" / "_" / "h").write_text('sh -e "${0%/*/*}/pre-commit"\n')
    (project / ".husky" / "pre-commit").write_text(
        '#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"\nnpx lint-staged\n'
    )
    (project / ".husky" / "_" / "husky.sh").write_text("")
    for hook in ("hooks/pre-commit", "hooks/pre-push", "hooks/post-checkout.sample"):
        (git / hook).chmod(0o755)
    (project / ".husky" / "_" / "pre-commit").chmod(0o755)
    (project / ".husky" / "pre-commit").chmod(0o755)
    (home / ".gitconfig").write_text("[user]\n\tname = me\n")
    (home / ".claude").mkdir()
    (home / ".claude" / "settings.json").write_text('{"hooks": {"PreToolUse": []}}')
    (project / ".claude").mkdir()
    (project / ".claude" / "settings.local.json").write_text("{}")
    lines = [
        "sh scripts/build.sh",
        "bash ./scripts/build.sh && ./linked/build.sh",
        "source env.sh && ll",
        ". ./env.sh",
        "make all",
        "make",
        "npm install",
        "npm test",
        "python3 tool.py",
        "node index.js",
        "git push",
        "git push origin HEAD",
        "git commit -m x",
        "git checkout main",
        "git -c core.hooksPath=.husky/_ commit -m x",
        "git -c core.hooksPath=.husky merge x",
        "git config core.hooksPath .husky",
        "cat linked/build.sh | sh",
        "rm ~/.claude/settings.json",
        "cat .claude/settings.local.json",
        "ls -la linked/ && cd linked && ls",
        "find . -name '*.sh' -exec sh {} \\;",
        "GIT_SSH_COMMAND='ssh -i k' git fetch",
        "superego-mcp hooks status",
        "cp /bin/ls ./superego-mcp",
        "echo $CODEX_HOME",
        "hatch run test -x",
        "hatch run lint:style",
        "pdm run start",
        "poe check",
        "uv run app",
        "cargo dev check",
        "cargo mine",
        "cargo nextest run",
        "cargo --config 'target.x.runner = \"./scripts/build.sh\"' run",
        "deno task dev",
        "composer install",
        "task build",
        "mise run test",
        "mise run clean",
        "tox -e py -- -x",
        # deletions judged by git (policy/gitloss.py): git runs here and fails (no objects)
        "rm -rf scripts",
        "rm -rf gone && git checkout -- tool.py",
    ]
    calls = [
        ToolCall("Bash", {"command": line}, str(project), project=str(project), home=str(home))
        for line in lines
    ]
    for tool, field in (("Read", "file_path"), ("Write", "file_path"), ("Edit", "file_path")):
        for target in ("linked/build.sh", ".claude/settings.local.json", "../../.ssh/id_rsa"):
            path = str(project / target)
            call = ToolCall(tool, {field: path, "content": "x"}, str(project), home=str(home))
            call.project = str(project)
            calls.append(call)
    return calls


def test_judging_reads_only_through_observe(watch: Watch, tmp_path: Path) -> None:
    policy = load_policy(None)
    calls = [c.call for path in (EVERYDAY, DANGEROUS, PUBLIC) for c in load(path)]
    calls += _project(tmp_path.resolve())
    assert len(calls) > 1000
    problems = _judge_all(policy, calls, watch)
    places = sorted({f"{read.reader} at {read.where}" for _, read in problems})
    shown = sorted({f"{read!r} (judging {call})" for call, read in problems})
    assert not places, (
        "reads the decision cache does not know about (route them through superego_mcp.observe):\n"
        + "\n".join(places)
        + "\nfor example:\n"
        + "\n".join(shown[:20])
    )


def test_an_unobserved_read_is_caught(
    watch: Watch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The watch itself: judging that reads a file and the environment directly (as a new
    # condition's code might) is reported.
    from superego_mcp.policy import engine

    target = tmp_path / "flag"
    target.write_text("1")
    real = engine.Policy.judge

    def judge_and_peek(self: Policy, call: ToolCall, **kw: Any) -> Any:
        with open(target) as fh:  # a direct read, as a careless condition would make
            fh.read()
        os.environ.get("SUPEREGO_TEST_UNOBSERVED")
        return real(self, call, **kw)

    monkeypatch.setattr(engine.Policy, "judge", judge_and_peek)
    calls = [ToolCall("Read", {"file_path": str(target)}, str(tmp_path))]
    problems = _judge_all(load_policy(None), calls, watch)
    assert sorted({read.reader for _, read in problems}) == ["open", "os.environ"], problems
