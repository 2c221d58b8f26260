"""Canonical flags, subcommands, paths and redirects."""

from __future__ import annotations

import os

import pytest
from shell_helpers import Analyze, only

from superego_mcp.shell import canonical_flag


@pytest.mark.parametrize(
    ("program", "sub", "spelling", "names"),
    [
        ("rm", None, "-rf", {"recursive", "force"}),
        ("rm", None, "-Rf", {"recursive", "force"}),
        ("rm", None, "--recursive", {"recursive"}),
        ("rm", None, "--rec", {"recursive"}),
        ("rm", None, "recursive", {"recursive"}),
        ("cp", None, "-a", {"archive", "recursive"}),
        ("git", "push", "-f", {"force"}),
        ("git", "push", "--force", {"force"}),
        ("git", "push", "--force-with-lease", {"force-with-lease"}),
        ("git", "reset", "--hard", {"hard"}),
        ("git", "clean", "-fdx", {"force", "dirs", "ignored"}),
        ("git", "branch", "-D", {"force-delete"}),
        ("curl", None, "--data-binary", {"data"}),
        ("curl", None, "-d", {"data"}),
        ("curl", None, "-XPOST", {"request"}),  # value attached: stop at -X
        ("sed", None, "-i.bak", {"in-place"}),
        ("chmod", None, "-R", {"recursive"}),
        ("rsync", None, "--delete-after", {"delete"}),
        ("docker", "run", "--privileged", {"privileged"}),
        ("unknowntool", None, "-xz", {"-x", "-z"}),
        ("unknowntool", None, "--long=value", {"--long"}),
        ("npm", "install", "-g", {"global"}),
        ("pip", "install", "--break-system-packages", {"break-system-packages"}),
    ],
)
def test_canonical_flag(program: str, sub: str | None, spelling: str, names: set[str]) -> None:
    assert canonical_flag(program, sub, spelling) == names


def test_flags_from_a_command_line_match_the_rule_spelling(run: Analyze) -> None:
    for line in ("rm -r -f x", "rm -fr x", "rm --force --recursive x", "rm -R -f x"):
        rm = only(run(line), "rm")
        assert rm.flags == canonical_flag("rm", None, "-rf"), line


def test_double_dash_ends_flags(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    rm = only(run("rm -- -rf"), "rm")
    assert rm.flags == frozenset()
    assert rm.positionals == ("-rf",)
    assert rm.paths == (f"{cwd}/-rf",)


@pytest.mark.parametrize(
    ("line", "program", "sub", "flags"),
    [
        ("git -C /repo push --force origin main", "git", "push", {"force"}),
        ("git push origin +main", "git", "push", {"force"}),
        ("git -c user.name=x commit -am msg", "git", "commit", {"all", "message"}),
        ("git reset --hard HEAD~1", "git", "reset", {"hard"}),
        ("npm i -g left-pad", "npm", "install", {"global"}),
        ("pip3 install --user x", "pip3", "install", {"user"}),
        ("docker run --privileged --pid=host alpine", "docker", "run", {"privileged", "pid=host"}),
        ("docker -H tcp://h:1 rm -f c", "docker", "rm", {"force"}),
        ("docker system prune -af", "docker", "system prune", {"all", "force"}),
        ("kubectl -n prod delete pods --all", "kubectl", "delete", {"all"}),
        ("systemctl --user stop nginx", "systemctl", "stop", set()),
        ("cargo --locked build", "cargo", "build", set()),
        ("uv pip install x", "uv", "pip install", set()),
    ],
)
def test_subcommands(run: Analyze, line: str, program: str, sub: str, flags: set[str]) -> None:
    cmd = only(run(line), program)
    assert cmd.subcommand == sub
    assert flags <= cmd.flags


def test_container_command_options_are_not_docker_flags(run: Analyze) -> None:
    cmd = only(run("docker run alpine rm -rf /"), "docker")
    assert "recursive" not in cmd.flags
    assert "-r" not in cmd.flags


def test_old_style_tar_flags(run: Analyze) -> None:
    tar = only(run("tar xzf a.tgz -C /"), "tar")
    assert {"extract", "gzip", "file", "directory"} <= tar.flags
    assert "/" in tar.paths


def test_option_values_are_not_positionals(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    curl = only(run("curl -o /tmp/out -X POST https://example.com/x"), "curl")
    assert curl.positionals == ("https://example.com/x",)
    assert "/tmp/out" in curl.paths
    assert all("example.com" not in p for p in curl.paths)  # URLs are not paths
    git = only(run('git commit -m "rm -rf /"'), "git")
    assert git.positionals == ()
    assert git.paths == ()
    del cwd


def test_dd_operands(run: Analyze) -> None:
    dd = only(run("dd if=/dev/zero of=/dev/sda bs=1M"), "dd")
    assert dd.paths == ("/dev/zero", "/dev/sda")


def test_patterns_are_not_paths(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    grep = only(run('grep -r "rm -rf" docs/'), "grep")
    assert grep.paths == (f"{cwd}/docs",)
    chmod = only(run("chmod 755 bin/x"), "chmod")
    assert chmod.paths == (f"{cwd}/bin/x",)
    assert only(run("echo /etc/passwd"), "echo").paths == ()


def test_redirects(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, home = dirs
    result = run("cmd > out.txt 2>> ~/err.log < in.txt &> all.log 2>&1 >| f")
    cmd = only(result, "cmd")
    got = [(r.op, r.target, r.writes) for r in cmd.redirects]
    assert got == [
        (">", f"{cwd}/out.txt", True),
        (">>", f"{home}/err.log", True),
        ("<", f"{cwd}/in.txt", False),
        ("&>", f"{cwd}/all.log", True),
        (">&", None, False),
        (">|", f"{cwd}/f", True),
    ]
    assert f"{home}/err.log" in cmd.paths
    assert f"{cwd}/in.txt" in cmd.paths


def test_redirect_to_dev_null_is_kept(run: Analyze) -> None:
    cmd = only(run("ls 2>/dev/null"), "ls")
    assert cmd.redirects[0].target == "/dev/null"


def test_redirect_hung_on_the_wrong_node_keeps_arguments(run: Analyze) -> None:
    rm = only(run("rm 2>/dev/null -rf /"), "rm")
    assert rm.argv == ("-rf", "/")
    assert {"recursive", "force"} <= rm.flags


def test_redirect_of_a_group_applies_inside(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    result = run("{ echo a; echo b; } > out.txt")
    assert all(f"{cwd}/out.txt" in c.paths for c in result.commands)


def test_symlinks_are_resolved(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, home = dirs
    os.makedirs(f"{home}/.ssh")
    os.symlink(f"{home}/.ssh", f"{cwd}/link")
    cat = only(run("cat link/id_rsa"), "cat")
    assert cat.paths == (f"{cwd}/link/id_rsa", f"{home}/.ssh/id_rsa")


def test_piped_from_and_to(run: Analyze) -> None:
    result = run("curl -s x | sudo tee /etc/f > /dev/null")
    tee = only(result, "tee")
    assert tee.piped_from == ("curl",)
    assert only(result, "curl").piped_to == ("sudo", "tee")
    assert "/etc/f" in tee.paths


def test_write_to_an_unknown_file_is_dynamic(run: Analyze) -> None:
    cmd = only(run('echo hi > "$OUT"'), "echo")
    assert cmd.dynamic
    assert cmd.redirects[0].target is None
    assert not only(run("echo hi 2>&1 > /dev/null"), "echo").dynamic
