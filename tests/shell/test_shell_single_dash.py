"""Single-dash long options (Go's flag package, java, gcc, find ...) and the files that
``find -exec`` and ``xargs`` hand to programs that act on files."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shell_helpers import Analyze, only

from superego_mcp.shell import canonical_flag
from superego_mcp.shell.flags import GO_STYLE, parse_args


@pytest.mark.parametrize(
    ("line", "program", "subcommand", "flags"),
    [
        ("terraform destroy -auto-approve", "terraform", "destroy", {"-auto-approve"}),
        ("terraform apply --auto-approve", "terraform", "apply", {"-auto-approve"}),
        ("tofu destroy -auto-approve=true", "tofu", "destroy", {"-auto-approve"}),
        ("terraform -chdir=infra plan -var env=prod", "terraform", "plan", {"-chdir", "-var"}),
        ("go test -run TestX -count=1 ./...", "go", "test", {"-run", "-count"}),
        ("go build -o bin/app -race ./cmd/app", "go", "build", {"-o", "-race"}),
        ("java -jar app.jar", "java", None, {"-jar"}),
        ("gcc -Wall -O2 -o out main.c", "gcc", None, {"-Wall", "-O2", "-o"}),
        ("kubectl -n prod get pods", "kubectl", "get", {"-n"}),
        ("find . -name x -delete", "find", None, {"name", "delete"}),
    ],
)
def test_sensible_flags(
    run: Analyze, line: str, program: str, subcommand: str | None, flags: set[str]
) -> None:
    cmd = only(run(line), program)
    assert cmd.subcommand == subcommand
    assert set(cmd.flags) == flags


def test_option_values_are_not_operands_or_paths(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd = dirs[0]
    go = only(run("go test -run TestX -count 3 ./pkg"), "go")
    assert go.positionals == ("./pkg",)
    assert go.paths == (f"{cwd}/pkg",)
    tf = only(run("terraform -chdir=infra plan -var env=prod -out plan.bin"), "terraform")
    assert set(tf.paths) == {f"{cwd}/plan.bin", f"{cwd}/infra"}
    kubectl = only(run("kubectl apply -n prod -f deploy.yaml"), "kubectl")
    assert kubectl.paths == (f"{cwd}/deploy.yaml",)


@settings(deadline=None)  # timing belongs in bench/, not in tests
@given(
    name=st.from_regex(r"[a-z][a-z-]{2,12}", fullmatch=True),
    program=st.sampled_from(sorted(GO_STYLE)),
)
def test_go_style_single_and_double_dash_are_one_flag(name: str, program: str) -> None:
    one = canonical_flag(program, None, f"-{name}")
    assert one == {f"-{name}"}
    assert canonical_flag(program, None, f"--{name}") == one
    assert canonical_flag(program, None, f"-{name}=x") == one
    assert parse_args(program, ["sub", f"-{name}=v"]).flags == one


def test_find_exec_acts_on_files_under_the_start_paths(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, home = dirs
    rm = only(run("find ~ -type f -exec rm -rf {} +"), "rm")
    assert rm.paths == (home,)
    assert rm.flags == frozenset({"recursive", "force"})
    assert not rm.dynamic  # {} is a file under ~: rm -rf of the files under ~
    local = only(run("find . -name '*.pyc' -execdir rm {} \\;"), "rm")
    assert local.paths == (cwd,)
    assert local.dynamic  # -execdir runs it in each file's directory
    reader = only(run("find . -name .env -exec cat {} +"), "cat")
    assert reader.paths == (f"{cwd}/.env",)  # the files -name names
    assert only(run("find . -name .env -exec echo {} +"), "echo").paths == ()
    shell = only(run("find ~ -exec sh -c 'rm \"$1\"' _ {} \\;"), "sh")
    assert shell.dynamic  # not a program that takes files: unchanged


def test_xargs_gets_what_find_lists_or_echo_prints(run: Analyze, dirs: tuple[str, str]) -> None:
    _, home = dirs
    rm = only(run("find ~/ -name '*.log' -print0 | xargs -0 rm -f"), "rm")
    assert rm.paths == (home,)
    assert rm.dynamic  # xargs may split names: still only known at run time
    echoed = [c for c in run("echo ~/a ~/b | xargs rm -rf").commands if c.program == "rm"]
    # as xargs runs it (dynamic, the echoed words as paths), and the line the text makes
    assert [c.via for c in echoed] == [("xargs",), ("echo | xargs",)]
    assert echoed[0].paths == (f"{home}/a", f"{home}/b")
    assert echoed[1].argv == ("-rf", f"{home}/a", f"{home}/b")
    assert not echoed[1].dynamic
    assert only(run("git ls-files | xargs rm"), "rm").paths == ()
