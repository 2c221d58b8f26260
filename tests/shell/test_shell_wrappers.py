"""Wrappers are emitted themselves and the command they run is seen through them."""

from __future__ import annotations

from pathlib import Path

import pytest
from shell_helpers import Analyze, only, programs


@pytest.mark.parametrize(
    ("source", "wrapper"),
    [
        ("sudo rm -rf /", "sudo"),
        ("sudo -u root -E -- rm -rf /", "sudo"),
        ("sudo -uroot rm -rf /", "sudo"),
        ("sudo -Eu root rm -rf /", "sudo"),
        ("sudo --user=root --preserve-env=PATH rm -rf /", "sudo"),
        ("timeout -k5 10 rm -rf /", "timeout"),
        ("doas -u root rm -rf /", "doas"),
        ("env rm -rf /", "env"),
        ("env -i A=1 B=2 rm -rf /", "env"),
        ("env -u HOME rm -rf /", "env"),
        ("timeout 10 rm -rf /", "timeout"),
        ("timeout -s KILL -k 5 10s rm -rf /", "timeout"),
        ("nice -n 5 rm -rf /", "nice"),
        ("nice -10 rm -rf /", "nice"),
        ("ionice -c 3 rm -rf /", "ionice"),
        ("nohup rm -rf / &", "nohup"),
        ("time rm -rf /", "time"),
        ("command rm -rf /", "command"),
        ("exec rm -rf /", "exec"),
        ("setsid -f rm -rf /", "setsid"),
        ("flock /tmp/lock rm -rf /", "flock"),
        ("flock -w 5 /tmp/lock rm -rf /", "flock"),
        ("stdbuf -o0 rm -rf /", "stdbuf"),
        ("chroot /mnt rm -rf /", "chroot"),
        ("strace -f -o /tmp/trace rm -rf /", "strace"),
        ("watch -x rm -rf /", "watch"),
        ("uv run rm -rf /", "uv run"),
        ("sudo timeout 5 nice rm -rf /", "nice"),
    ],
)
def test_wrapped_command_is_seen(run: Analyze, source: str, wrapper: str) -> None:
    result = run(source)
    assert not result.failed, result.findings
    assert wrapper.split()[0] in programs(result)
    rm = only(result, "rm")
    assert {"recursive", "force"} <= rm.flags
    assert rm.paths[0] == "/"
    assert wrapper in rm.via


def test_nested_wrappers_keep_their_order(run: Analyze) -> None:
    result = run("sudo timeout 5 nice rm -rf /")
    assert programs(result) == ["sudo", "timeout", "nice", "rm"]
    assert only(result, "rm").via == ("sudo", "timeout", "nice")


@pytest.mark.parametrize(
    "source",
    [
        "sudo -l",
        "sudo -v",
        "sudo -u rm true",  # "rm" is the user
        "env",
        "env -u rm true",  # "rm" is a variable name
        "timeout 5 true",
        "command -v rm",  # only looks rm up
        "nice -n 10 true",
        "flock /tmp/rm true",
    ],
)
def test_wrapper_options_are_not_commands(run: Analyze, source: str) -> None:
    result = run(source)
    assert not result.failed, result.findings
    assert "rm" not in programs(result)


def test_wrapper_shell_strings(run: Analyze) -> None:
    for source in (
        "flock /tmp/l -c 'rm -rf /'",
        "su -c 'rm -rf /' root",
        "watch 'rm -rf /'",
        "sudo sh -c 'rm -rf /'",
        "env -S 'rm -rf /'",
    ):
        rm = only(run(source), "rm")
        assert "/" in rm.paths, source


def test_env_assignments_reach_the_inner_shell(run: Analyze) -> None:
    result = run("env X=rm sh -c '$X -rf /'")
    assert only(result, "rm").flags >= {"recursive", "force"}
    assert only(result, "sh").assignments == ("X=rm",)


def test_prefix_assignment_is_recorded_and_reaches_child_shell(run: Analyze) -> None:
    result = run("LD_PRELOAD=/tmp/evil.so X=rm bash -c '$X -rf /'")
    bash = only(result, "bash")
    assert bash.assignments == ("LD_PRELOAD=/tmp/evil.so", "X=rm")
    assert "/" in only(result, "rm").paths


def test_prefix_assignment_does_not_leak_to_later_commands(run: Analyze) -> None:
    # bash: X=rm applies to "true" only; "$X" later is unknown -> dynamic program.
    result = run("X=rm true; $X -rf /")
    assert "rm" not in programs(result)
    assert any(f.kind == "dynamic_program" for f in result.findings)


def test_xargs_runs_its_command_with_unknown_arguments(run: Analyze) -> None:
    result = run("find . -name '*.tmp' | xargs -0 -n1 -P4 rm -rf")
    rm = only(result, "rm")
    assert rm.via == ("xargs",)
    assert rm.dynamic
    assert {"recursive", "force"} <= rm.flags
    assert rm.piped_from == ("find",)


def test_xargs_without_command_runs_echo(run: Analyze) -> None:
    result = run("ls | xargs")
    assert programs(result) == ["ls", "xargs", "echo"]


def test_xargs_replace_string_option(run: Analyze) -> None:
    result = run("ls | xargs -I{} sh -c 'rm {}'")
    assert only(result, "rm").via == ("xargs", "sh -c")


@pytest.mark.parametrize("op", ["-exec", "-execdir", "-ok", "-okdir"])
@pytest.mark.parametrize("end", [r"\;", "';'", "+"])
def test_find_exec(run: Analyze, op: str, end: str) -> None:
    result = run(f"find / -name x {op} rm -rf {{}} {end}")
    rm = only(result, "rm")
    assert rm.via == (f"find {op}",)
    assert rm.dynamic  # {} is a file found at run time
    assert {"recursive", "force"} <= rm.flags
    find = only(result, "find")
    assert "exec" in find.flags or op.lstrip("-") in find.flags
    assert "rf" not in find.flags


def test_find_several_execs(run: Analyze) -> None:
    result = run(r"find . -exec chmod 644 {} \; -exec chown u {} +")
    assert programs(result) == ["find", "chmod", "chown"]


def test_find_delete_is_a_synthetic_rm(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    result = run("find build /tmp/x -name '*.o' -delete")
    rm = only(result, "rm")
    assert rm.flags == {"delete"}
    assert rm.via == ("find -delete",)
    assert rm.paths == (f"{cwd}/build", "/tmp/x")


def test_find_without_delete_deletes_nothing(run: Analyze) -> None:
    result = run("find . -name '*.o' -print")
    assert programs(result) == ["find"]


def test_parallel_command(run: Analyze) -> None:
    result = run("parallel rm -rf ::: a b")
    rms = [c for c in result.commands if c.program == "rm"]
    assert [c.via for c in rms] == [("parallel",)] * 3
    # the command lines its ::: arguments make, and the command as parallel runs it
    # (arguments from its input)
    assert [(c.argv, c.dynamic) for c in rms] == [
        (("-rf", "a"), False),
        (("-rf", "b"), False),
        (("-rf",), True),
    ]


def test_python_m_runs_the_module(run: Analyze) -> None:
    result = run("python3 -m pip install --user requests")
    pip = only(result, "pip")
    assert pip.subcommand == "install"
    assert "user" in pip.flags
    assert pip.via == ("python3 -m",)


def test_npx_runs_the_package(run: Analyze) -> None:
    assert only(run("npx rimraf /"), "rimraf").paths == ("/",)


def test_builtin_and_command_skip_functions(run: Analyze) -> None:
    result = run("rm() { echo no; }; command rm -rf /")
    assert only(result, "rm").via == ("command",)


def test_uv_run_is_a_wrapper_with_its_subcommand(run: Analyze) -> None:
    result = run("uv run --frozen pytest -x")
    assert only(result, "uv").subcommand == "run"
    assert only(result, "pytest").via == ("uv run",)


def test_wrapper_flags_are_its_own(run: Analyze) -> None:
    result = run("sudo -Eu root rm -rf /")
    # "runs-command": the wrapper runs a command of its own (env alone only prints)
    assert only(result, "sudo").flags == {"-E", "-u", "runs-command"}
    assert only(run("nice -10 true"), "nice").flags == {"-n", "runs-command"}
    assert only(run("env -i"), "env").flags == {"-i"}


def test_su_with_attached_command(run: Analyze) -> None:
    result = run("su -c'rm -rf /' root")
    assert only(result, "rm").argv == ("-rf", "/")


def test_xargs_replace_string_is_run_time_input(run: Analyze) -> None:
    rm = only(run("ls | xargs -I % rm -rf %/x"), "rm")
    assert rm.dynamic
    assert rm.paths == ()


@pytest.mark.parametrize(
    ("source", "wrapper"),
    [
        ("pnpm exec rm -rf /", "pnpm exec"),
        ("npm exec -- rm -rf /", "npm exec"),
        ("yarn exec rm -rf /", "yarn exec"),
        ("mise x node@20 -- rm -rf /", "mise x"),
        ("mise exec -C . node -- rm -rf /", "mise exec"),
    ],
)
def test_package_and_toolchain_managers_exec_what_they_are_given(
    run: Analyze, source: str, wrapper: str
) -> None:
    rm = only(run(source), "rm")
    assert rm.paths[0] == "/"
    assert rm.via == (wrapper,)


@pytest.mark.parametrize("source", ["pnpm exec -c 'rm -rf /'", "mise x -c 'rm -rf /'"])
def test_exec_shell_mode_runs_its_string(run: Analyze, source: str) -> None:
    assert only(run(source), "rm").paths[0] == "/"


def test_xargs_fed_listed_names_takes_the_listers_places(run: Analyze, tmp_path: Path) -> None:
    # Any program xargs gives only listed names knows where they come from: the listers'
    # paths (through filters), else the lister's directory; anything else loses the flag.
    fmt = only(run(f"find {tmp_path}/src -name '*.sh' | sort | xargs shfmt -w"), "shfmt")
    assert "listed-names" in fmt.flags
    assert f"{tmp_path}/src" in fmt.paths
    fmt = only(run("git ls-files -z | xargs -0 shfmt -w", cwd=str(tmp_path)), "shfmt")
    assert "listed-names" in fmt.flags
    assert str(tmp_path) in fmt.paths
    for fed in ("cat l.txt | xargs shfmt -w", "xargs -a l.txt shfmt -w", "curl x | xargs shfmt"):
        assert "listed-names" not in only(run(fed), "shfmt").flags, fed


def test_find_exec_gives_any_program_the_files_under_its_start(
    run: Analyze, tmp_path: Path
) -> None:
    black = only(run(f"find {tmp_path}/src -type f -exec black {{}} +"), "black")
    assert "listed-names" in black.flags
    assert black.paths == (f"{tmp_path}/src",)
    # a word beside {} only known at run time, {} inside a word, -ok (a prompt), a deleter
    for source in (
        "find . -exec black {} $OUT \\;",
        "find . -exec black {}.py \\;",
        "find . -ok black {} \\;",
    ):
        assert "listed-names" not in only(run(source), "black").flags, source
    assert "listed-names" not in only(run("find . -exec rm {} +"), "rm").flags


@pytest.mark.parametrize(
    ("source", "program"),
    [
        ("npx eslint@8 .", "eslint"),
        ("npx -y playwright@1.49 install chromium", "playwright"),
        ("npx @tailwindcss/cli@4 -i a.css -o b.css", "cli"),
        ("npx @tailwindcss/cli -i a.css", "cli"),
        ("pnpm dlx prettier@3.2.0 --check .", "prettier"),
        ("yarn dlx create-vite@latest app", "create-vite"),
        ("bunx cowsay@1 hi", "cowsay"),
        ("uvx ruff@0.5 check .", "ruff"),
        ("uv tool run black@24.1.0 .", "black"),
    ],
)
def test_a_package_runner_runs_the_package_whatever_its_version(
    run: Analyze, source: str, program: str
) -> None:
    # Rules about a program (`playwright install`, `eslint`) hold for `npx NAME@VERSION`.
    assert programs(run(source))[-1] == program
