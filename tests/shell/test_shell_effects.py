"""What a command runs and writes (``Command.runs``, ``.writes``, ``.built_from``; see
``shell/effects.py``), in a real project folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from shell_helpers import Analyze, only


@pytest.mark.parametrize(
    ("line", "program", "runs"),
    [
        ("python3 x.py -o out.txt", "python3", ["x.py"]),
        ("node scripts/x.js", "node", ["scripts/x.js"]),
        ("ruby a.rb", "ruby", ["a.rb"]),
        ("perl -w a.pl", "perl", ["a.pl"]),
        ("bash x.sh", "bash", ["x.sh"]),
        ("bun a.ts", "bun", ["a.ts"]),
        ("tsx src/a.ts", "tsx", ["src/a.ts"]),
        ("go run main.go util.go", "go", ["main.go", "util.go"]),
        ("go run .", "go", ["*.go"]),
        ("python -m pkg.mod", "python", ["pkg/mod.py", "pkg/mod/__main__.py"]),
        ("pip install -e .", "pip", ["setup.py"]),
        ("pip install ./lib", "pip", ["lib/setup.py"]),
        ("uv sync", "uv", ["setup.py"]),
        ("cargo build --release", "cargo", ["build.rs"]),
        ("cargo test", "cargo", ["build.rs"]),
        ("cd sub && ruby ../a.rb", "ruby", ["a.rb"]),
    ],
)
def test_files_a_command_runs(
    run: Analyze, dirs: tuple[str, str], line: str, program: str, runs: list[str]
) -> None:
    cwd, _ = dirs
    (Path(cwd) / "sub").mkdir(exist_ok=True)
    cmd = only(run(line), program)
    for name in runs:
        assert f"{cwd}/{name}" in cmd.runs, cmd.runs


def test_the_program_by_its_path(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    (Path(cwd) / "sub").mkdir()
    assert only(run("cd sub && ./x"), "x").program_files == (f"{cwd}/sub/x",)
    assert only(run("ls"), "ls").runs == ()


@pytest.mark.parametrize(
    ("line", "program", "writes"),
    [
        ("echo hi > out.sh", "echo", ["out.sh"]),
        ("echo hi >> log.txt", "echo", ["log.txt"]),
        ("cat a | tee b c", "tee", ["b", "c"]),
        ("cp a b", "cp", ["b"]),
        ("cp a b dir/", "cp", ["dir/a", "dir/b"]),
        ("cp -t dir a", "cp", ["dir/a"]),
        ("mv x.py y.py", "mv", ["y.py"]),
        ("install -m 755 tool bin/tool", "install", ["bin/tool"]),
        ("sed -i s/a/b/ f.txt", "sed", ["f.txt"]),
        ("sed -i -e s/a/b/ f.txt g.txt", "sed", ["f.txt", "g.txt"]),
        ("perl -pi -e 's/a/b/' f.txt", "perl", ["f.txt"]),
        ("curl -fsSL -o tool https://example.com/tool", "curl", ["tool"]),
        ("wget -O tool https://example.com/tool", "wget", ["tool"]),
        ("dd if=/dev/zero of=disk.img bs=1M count=1", "dd", ["disk.img"]),
        ("gcc -o build/app main.c", "gcc", ["build/app"]),
    ],
)
def test_files_a_command_writes(
    run: Analyze, dirs: tuple[str, str], line: str, program: str, writes: list[str]
) -> None:
    cwd, _ = dirs
    (Path(cwd) / "dir").mkdir()
    cmd = only(run(line), program)
    for name in writes:
        assert f"{cwd}/{name}" in cmd.writes, cmd.writes


def test_what_a_compiler_builds_from(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    gcc = only(run("gcc -Wall -o app main.c util.c -lm"), "gcc")
    assert gcc.built_from == (f"{cwd}/main.c", f"{cwd}/util.c")
    go = only(run("go build -o bin/app ./cmd/app"), "go")
    assert go.built_from == (f"{cwd}/cmd/app/*.go",)
    assert go.writes == (f"{cwd}/bin/app",)
    assert only(run("gcc -c main.c"), "gcc").built_from == ()  # no -o: nothing named


def test_reading_commands_write_nothing(run: Analyze) -> None:
    for line, program in (("cat a.txt", "cat"), ("grep -r x .", "grep"), ("sed s/a/b/ f", "sed")):
        assert only(run(line), program).writes == (), line


def test_analysed_lists_the_files_read_whole(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    (Path(cwd) / "build.sh").write_text("echo hi\n")
    (Path(cwd) / "hello.py").write_text("print('hi')\n")
    assert f"{cwd}/build.sh" in run("bash build.sh").analysed
    assert f"{cwd}/hello.py" in run("python3 hello.py").analysed
    assert run("ruby x.rb").analysed == frozenset()
