"""Programs git runs from its configuration, read from real config files (shell/gitconfig.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from shell_helpers import Analyze, kinds

from superego_mcp.shell import gitconfig
from superego_mcp.shell.model import SCRIPT_UNREAD, Analysis, Command


def repo(cwd: str, config: str = "") -> Path:
    """A repository's git directory at ``cwd`` (as `git init` lays it out, no git run)."""
    git = Path(cwd) / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "config").write_text(config)
    return git


def configured(result: Analysis) -> list[Command]:
    """The commands walked from a git setting."""
    return [c for c in result.commands if any(v.startswith("git ") for v in c.via)]


def texts(result: Analysis) -> list[str]:
    return [c.text for c in configured(result)]


# ---------------------------------------------------------------- the file format


TRICKY = r"""# a comment
[core]
	fsmonitor = ./watch.sh ; a comment after the value
	editor = "vim -f"   # quoted
	bare
[diff "Notebook Files"]
	textconv = "python3 -m nbstripout -t" \
--extra
[alias]
	sq = "!echo \"a;b\" #x"
	tab = !printf '\t%s' x
[pager] log = less -R
[Filter "lfs"]
	Process = git-lfs filter-process
[sect.Sub]
	key = value
"""


def test_parse_reads_what_git_reads(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(TRICKY)
    listed = subprocess.run(
        ["git", "config", "--file", str(path), "--list"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # a key given without `=` is listed alone: its value is true
    expected = [(*line.split("=", 1), "true")[:2] for line in listed.splitlines()]
    ours = [(key, value) for key, value, _ in gitconfig.parse(TRICKY)]
    assert ours == expected
    assert ours[3] == ("diff.Notebook Files.textconv", "python3 -m nbstripout -t --extra")
    assert ours[4] == ("alias.sq", '!echo "a;b" #x')


@pytest.mark.parametrize(
    "bad", ["[core\n", "[core]\n\t=x\n", '[core]\n\tx = "open\n', "[c]\n\tx = \\q\n"]
)
def test_parse_refuses_what_git_refuses(bad: str, tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(bad)
    git = subprocess.run(["git", "config", "--file", str(path), "--list"], capture_output=True)
    assert git.returncode != 0
    with pytest.raises(ValueError, match=r"^\d+: "):
        gitconfig.parse(bad)


# ---------------------------------------------------------------- the repository's config


def test_fsmonitor_in_the_repository_runs_on_status(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    git = repo(cwd, "[core]\n\trepositoryformatversion = 0\n\tfsmonitor = ./watch.sh --all\n")
    (Path(cwd) / "src").mkdir()
    result = run("git status", cwd=f"{cwd}/src")
    walked = configured(result)
    assert [c.text for c in walked] == ["./watch.sh --all"]
    assert walked[0].via == ("git config core.fsmonitor",)
    assert walked[0].origin == f"{git}/config:3"
    assert walked[0].program_path == "./watch.sh"
    assert walked[0].argv == ("--all",)


def test_a_boolean_fsmonitor_runs_no_program(run: Analyze, dirs: tuple[str, str]) -> None:
    repo(dirs[0], "[core]\n\tfsmonitor = true\n")
    assert texts(run("git status")) == []


def test_each_setting_runs_only_for_the_verbs_that_run_it(
    run: Analyze, dirs: tuple[str, str]
) -> None:
    repo(
        dirs[0],
        '[diff]\n\texternal = difftool-x\n[diff "nb"]\n\ttextconv = conv-x\n'
        "[core]\n\tsshCommand = ssh-x\n\teditor = edit-x\n"
        '[merge "ours"]\n\tdriver = merge-x %O %A %B\n[pager]\n\tstatus = pager-x\n',
    )
    assert texts(run("git diff HEAD")) == ["difftool-x", "conv-x"]
    assert texts(run("git fetch origin")) == ["ssh-x"]
    assert texts(run("git status")) == ["pager-x"]
    assert texts(run("git merge topic")) == ["edit-x", "merge-x %O %A %B"]
    assert texts(run("git rev-parse HEAD")) == []


def test_includes_are_read_where_they_point(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, _ = dirs
    repo(
        cwd,
        "[include]\n\tpath = ../team.gitconfig\n"
        '[includeIf "onbranch:release"]\n\tpath = ~/more.gitconfig\n',
    )
    (Path(cwd) / "team.gitconfig").write_text("[diff]\n\texternal = sh -c 'rm -rf ~/'\n")
    (Path(dirs[1]) / "more.gitconfig").write_text("[core]\n\tfsmonitor = ./fs.sh\n")
    result = run("git diff")
    assert texts(result) == ["sh -c 'rm -rf ~/'", "rm -rf ~/", "./fs.sh"]
    rm = next(c for c in result.commands if c.program == "rm")
    assert rm.via[0] == "git config diff.external"
    assert rm.paths == (dirs[1],)


def test_an_alias_runs_its_shell_command_or_its_git_command(
    run: Analyze, dirs: tuple[str, str]
) -> None:
    repo(dirs[0], "[alias]\n\tup = !./sync.sh\n\tnuke = reset --hard\n\tst = status -sb\n")
    up = run("git up origin")
    assert texts(up) == ["./sync.sh"]
    assert gitconfig.RUNS_ALIAS in up.commands[0].flags
    nuke = run("git nuke HEAD~1")
    reset = next(c for c in nuke.commands if c.subcommand == "reset")
    assert reset.argv == ("reset", "--hard", "HEAD~1")
    assert reset.via == ("git config alias.nuke",)
    assert texts(run("git status")) == []  # an alias runs only under its own name


def test_credential_helpers_are_git_commands_unless_a_path_or_shell(
    run: Analyze, dirs: tuple[str, str]
) -> None:
    repo(
        dirs[0],
        "[credential]\n\thelper = store\n\thelper = /opt/helper get\n"
        '[credential "https://x.example"]\n\thelper = "!f() { echo password=x; }; f"\n',
    )
    assert texts(run("git push origin topic")) == [
        "git credential-store",
        "/opt/helper get",
        "echo password=x",
    ]


def test_git_dir_and_C_choose_the_repository_read(run: Analyze, dirs: tuple[str, str]) -> None:
    cwd, home = dirs
    crafted = Path(home) / "crafted"
    crafted.mkdir()
    (crafted / "config").write_text("[core]\n\tfsmonitor = ./evil\n")
    other = Path(home) / "other"
    repo(str(other), "[core]\n\tpager = pager-y\n")
    repo(cwd)
    assert texts(run("GIT_DIR=../crafted git status")) == ["./evil"]
    assert texts(run(f"git --git-dir={crafted} status")) == ["./evil"]
    assert texts(run("git -C ../other log")) == ["pager-y"]
    assert texts(run("git --no-pager -C ../other log")) == []
    assert texts(run("git log")) == []


def test_a_config_file_that_cannot_be_read_is_a_finding(
    run: Analyze, dirs: tuple[str, str]
) -> None:
    repo(dirs[0], "[core\n\tfsmonitor = ./x\n")
    assert SCRIPT_UNREAD in kinds(run("git status"))
    repo_big = Path(dirs[0]) / ".git" / "config"
    repo_big.write_text("[core]\n" + "\tx = y\n" * 20000)
    assert SCRIPT_UNREAD in kinds(run("git status"))


# ---------------------------------------------------------------- settings on the line


def test_settings_on_the_line_run_only_for_their_verbs(run: Analyze) -> None:
    assert texts(run("git -c core.sshCommand=./helper status")) == []
    assert texts(run("git -c core.sshCommand=./helper fetch")) == ["./helper"]
    assert texts(run("git -ccore.pager=./p log")) == ["./p"]
    assert texts(run("git -c core.editor=vim log")) == []
    assert texts(run("git -c pager.status=./x status")) == ["./x"]
    assert texts(run("git -c pager.status=false status")) == []
    assert texts(run("git -c gpg.ssh.program=./sign commit -S -m x")) == ["./sign"]
    assert texts(run("git -c color.ui=always log")) == []


def test_config_environment_variables_are_settings_too(run: Analyze) -> None:
    line = "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=diff.external GIT_CONFIG_VALUE_0=./d git diff"
    assert texts(run(line)) == ["./d"]
    assert texts(run("GIT_CONFIG_PARAMETERS=\"'core.pager'='./p' 'x.y=z'\" git log")) == ["./p"]
    assert texts(run("GIT_CONFIG_PARAMETERS=\"'core.fsmonitor=./f'\" git status")) == ["./f"]
    assert SCRIPT_UNREAD in kinds(run("GIT_CONFIG_PARAMETERS='core.pager=x' git log"))


def test_a_config_file_named_on_the_line_is_read(run: Analyze, dirs: tuple[str, str]) -> None:
    cfg = Path(dirs[1]) / "evil.cfg"
    cfg.write_text("[core]\n\tfsmonitor = ./fs\n")
    assert texts(run(f"GIT_CONFIG_GLOBAL={cfg} git status")) == ["./fs"]
    assert texts(run(f"git -c include.path={cfg} status")) == ["./fs"]


def test_values_only_known_at_run_time_are_findings(run: Analyze) -> None:
    assert SCRIPT_UNREAD in kinds(run("git --config-env=core.pager=PAGER_CMD log"))
    assert texts(run("PAGER_CMD=less git --config-env=core.pager=PAGER_CMD log")) == ["less"]
    assert SCRIPT_UNREAD in kinds(run('git -c core.fsmonitor="$W" status'))
    assert SCRIPT_UNREAD not in kinds(run('git -c user.name="$NAME" log'))


def test_a_url_that_names_a_command_is_a_finding(run: Analyze) -> None:
    assert SCRIPT_UNREAD in kinds(run("git -c protocol.ext.allow=always fetch origin"))
    assert SCRIPT_UNREAD not in kinds(run("git -c protocol.file.allow=always fetch origin"))


def test_git_proxy_and_ssh_variables_are_walked(run: Analyze) -> None:
    assert [c.text for c in run("GIT_PROXY_COMMAND=./proxy git fetch").commands][1:] == ["./proxy"]
    assert [c.text for c in run("GIT_SSH=./ssh-x git fetch").commands][1:] == ["./ssh-x"]


# ---------------------------------------------------------------- `git config KEY VALUE`


@pytest.mark.parametrize(
    "line",
    [
        "git config diff.external ./x.sh",
        "git config pager.status ./x.sh",
        "git config merge.ours.driver ./x.sh",
        "git config --local core.fsmonitor ./x.sh",
        "git config set gpg.ssh.program ./x.sh",
        "git config --add alias.x '!./x.sh'",
        "git config -f .git/config filter.a.smudge ./x.sh",
        "git config include.path ../team.gitconfig",
        'git config core.editor "$EDITOR"',
        "git config submodule.lib.update '!./x.sh'",
        "git config protocol.ext.allow always",
        "git config --rename-section tools alias",
        "git config rename-section tools alias",
    ],
)
def test_setting_a_program_is_marked(run: Analyze, line: str) -> None:
    assert gitconfig.SETS_PROGRAM in run(line).commands[0].flags


@pytest.mark.parametrize(
    "line",
    [
        "git config user.name x",
        "git config pull.rebase true",
        "git config alias.st status",
        "git config pager.log false",
        "git config core.fsmonitor true",
        "git config --get core.pager",
        "git config --unset core.editor",
        "git config get core.editor",
        "git config submodule.lib.update rebase",
        "git config protocol.file.allow always",
        "git config core.pager",
    ],
)
def test_other_settings_are_not(run: Analyze, line: str) -> None:
    assert gitconfig.SETS_PROGRAM not in run(line).commands[0].flags


# ---------------------------------------------------------------- the same, as options


@pytest.mark.parametrize(
    ("line", "walked"),
    [
        ("git difftool -x 'meld --diff'", "meld --diff"),
        ("git difftool --extcmd=./d.sh HEAD", "./d.sh"),
        ("git difftool -x./d.sh", "./d.sh"),
        (
            "git fetch --upload-pack='/opt/git/bin/git-upload-pack' origin",
            "/opt/git/bin/git-upload-pack",
        ),
        ("git clone -u ./up https://example.com/r", "./up"),
        ("git push --receive-pack ./rp origin topic", "./rp"),
        ("git archive --exec=./ua --remote=x HEAD", "./ua"),
        ("git send-email --sendmail-cmd='msmtp -a x' a.patch", "msmtp -a x"),
        ("git rebase -x 'make test' main", "make test"),
        ("git grep -Ovim foo", "vim"),
    ],
)
def test_options_that_name_a_command_are_walked(run: Analyze, line: str, walked: str) -> None:
    assert texts(run(line)) == [walked]


def test_options_that_do_not_name_one_walk_nothing(run: Analyze) -> None:
    assert texts(run("git grep -O foo")) == []
    assert texts(run("git clone -q https://example.com/r")) == []
    assert texts(run("git difftool -- -x")) == []
    assert SCRIPT_UNREAD in kinds(run('git difftool -x "$TOOL"'))


# ---------------------------------------------------------------- the environment git gets


def test_variables_set_earlier_on_the_line_are_settings(
    run: Analyze, dirs: tuple[str, str]
) -> None:
    walked = configured(run("export GIT_PROXY_COMMAND=./proxy; git fetch"))
    assert [(c.text, c.via) for c in walked] == [("./proxy", ("git $GIT_PROXY_COMMAND",))]
    assert texts(run("export GIT_EDITOR=./ed; git commit")) == ["./ed"]
    assert texts(run("export GIT_EDITOR=./ed; git log")) == []  # log runs no editor
    assert texts(run("PAGER=./p; git log")) == ["./p"]
    assert SCRIPT_UNREAD in kinds(run('export GIT_ASKPASS="$(pick)"; git fetch'))


def test_a_git_dir_exported_earlier_is_read(run: Analyze, dirs: tuple[str, str]) -> None:
    crafted = Path(dirs[0]) / "crafted"
    crafted.mkdir()
    (crafted / "config").write_text("[core]\n\tfsmonitor = ./evil\n")
    assert texts(run("export GIT_DIR=crafted; git status")) == ["./evil"]
    assert texts(run("GIT_DIR=crafted; export GIT_DIR; git status")) == ["./evil"]
    assert SCRIPT_UNREAD in kinds(run('export GIT_DIR="$(mktemp -d)"; git log'))
    cfg = Path(dirs[1]) / "g.cfg"
    cfg.write_text("[core]\n\tpager = ./pg\n")
    assert texts(run(f"export GIT_CONFIG_GLOBAL={cfg}; git log")) == ["./pg"]


def test_an_ext_url_is_a_command_not_read(run: Analyze) -> None:
    assert SCRIPT_UNREAD in kinds(run("GIT_ALLOW_PROTOCOL=ext git clone 'ext::sh -c x' d"))
    assert SCRIPT_UNREAD in kinds(run("git remote add evil 'EXT::sh -c x'"))
    assert SCRIPT_UNREAD not in kinds(run("git clone https://example.com/ext::x d"))


def test_a_config_file_written_earlier_on_the_line_is_not_what_runs(
    run: Analyze, dirs: tuple[str, str]
) -> None:
    from superego_mcp.shell.model import SCRIPT_WRITTEN

    repo(dirs[0], "[include]\n\tpath = ../team.gitconfig\n")
    (Path(dirs[0]) / "team.gitconfig").write_text("[user]\n\tname = x\n")
    line = "printf '[core]\\n\\tfsmonitor = ./x\\n' > team.gitconfig && git status"
    assert SCRIPT_WRITTEN in kinds(run(line))
    assert SCRIPT_WRITTEN in kinds(run("cp /tmp/evil .git/config; git log"))
    assert SCRIPT_WRITTEN in kinds(run("git init --template=/tmp/t && git log"))
    assert SCRIPT_WRITTEN not in kinds(run("cat team.gitconfig && git log"))


def test_a_repository_only_known_at_run_time_is_a_finding(run: Analyze) -> None:
    assert SCRIPT_UNREAD in kinds(run('cd "$(pick)" && git diff'))
    assert SCRIPT_UNREAD in kinds(run('git -C "$REPO" log'))
    assert SCRIPT_UNREAD in kinds(run('git --git-dir="$G" show'))
    assert SCRIPT_UNREAD not in kinds(run('cd "$(pick)" && git init'))
    assert SCRIPT_UNREAD not in kinds(run("git -C sub log"))


def test_another_exec_path_is_a_finding(run: Analyze) -> None:
    assert SCRIPT_UNREAD in kinds(run("git --exec-path=./bin fetch origin"))
    assert SCRIPT_UNREAD not in kinds(run("git --exec-path"))


def test_the_editor_runs_only_where_one_opens(run: Analyze, dirs: tuple[str, str]) -> None:
    repo(dirs[0], "[core]\n\teditor = code --wait\n")
    assert texts(run("git commit")) == ["code --wait"]
    assert texts(run("git commit -m 'fix: x'")) == []
    assert texts(run("git commit -am 'fix: x'")) == []  # -am: -a -m
    assert texts(run("git commit --message=x")) == []
    assert texts(run("git commit -m x -e")) == ["code --wait"]
    assert texts(run("git tag -a v1 -m x")) == []
    assert texts(run("git config user.name x")) == []
    assert texts(run("git config --edit")) == ["code --wait"]
    assert texts(run("git rebase -i main")) == ["code --wait"]


def test_a_hooks_path_from_an_included_file_is_where_hooks_are_read(
    run: Analyze, dirs: tuple[str, str]
) -> None:
    cwd, _ = dirs
    repo(cwd, "[include]\n\tpath = ../team.gitconfig\n")
    (Path(cwd) / "team.gitconfig").write_text("[core]\n\thooksPath = tools/hooks\n")
    hook = Path(cwd) / "tools" / "hooks" / "pre-commit"
    hook.parent.mkdir(parents=True)
    hook.write_text("#!/bin/sh\nrm -rf ~/\n")
    hook.chmod(0o755)
    result = run("git commit -m x")
    rm = next(c for c in result.commands if c.program == "rm")
    assert rm.via == ("git hook pre-commit",)
