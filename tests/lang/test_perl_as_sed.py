"""Perl used as sed (`superego_mcp.lang.perl`): a one-liner of only substitutions runs no
code of its own and is judged by its files, like sed; anything else stays code execution
(asked without a reviewer). Judged by the bundled policy in a real temp project."""

from __future__ import annotations

from pathlib import Path

import pytest

from superego_mcp.decide import decide
from superego_mcp.lang.perl import substitutions_only
from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy
from superego_mcp.shell import analyze


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["-0", "-i", "-pe", r"s/\[patch\.crates-io\].+\n\[/[/s", "Cargo.toml"], None),
        (["-pi", "-e", "s/foo/bar/g", "a.txt"], None),
        (["-pe", "s{a}{b}g; tr/a-z/A-Z/"], None),
        (["-0777", "-pi.bak", "-e", "s#x#y#"], None),
        (["-lpe", r"s/\s+$//"], None),
        (["-pe", "s/(\\d+)/${1}x/"], None),
        (["-pe", "s/[$@]/x/; y/a/b/;"], None),
        (["-ne", "s'a'$b'"], None),
    ],
)
def test_substitutions_only(argv: list[str], code: str | None) -> None:
    code = code or next(a for i, a in enumerate(argv) if i and argv[i - 1].endswith("e"))
    assert substitutions_only(tuple(argv), code)


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["-pe", "s/a/b/e"], "s/a/b/e"),  # the replacement is evaluated as code
        (["-pe", "s/a/b/ee"], "s/a/b/ee"),
        (["-pe", "s/a/@{[`id`]}/"], "s/a/@{[`id`]}/"),
        (["-pe", "s/a/${\\ `id`}/"], "s/a/${\\ `id`}/"),
        (["-pe", "s/a/${ `id` }/"], "s/a/${ `id` }/"),
        (["-pe", "s/a/$x[system('id')]/"], "s/a/$x[system('id')]/"),
        (["-pe", "s/a/$h{`id`}/"], "s/a/$h{`id`}/"),
        (["-pe", "s/a/$r->m/"], "s/a/$r->m/"),
        (["-pe", "s/a/$$x/"], "s/a/$$x/"),
        (["-pe", "s/(?{system 1})//"], "s/(?{system 1})//"),
        (["-pe", "s'(??{`id`})'x'"], "s'(??{`id`})'x'"),  # literal patterns run code blocks too
        (["-MPOSIX", "-pe", "s/a/b/"], "s/a/b/"),  # loads a module
        (["-pe", "s/a/b/", "-I/tmp"], "s/a/b/"),
        (["-x", "-pe", "s/a/b/"], "s/a/b/"),
        (["-pe", "s/a/b/", "-e", "system 1"], "s/a/b/"),  # a second -e
        (["-pe", "s/a/b/; system 1"], "s/a/b/; system 1"),
        (["-pe", "print"], "print"),
        (["-e", "say 1"], "say 1"),
        (["-pe", "s{a}{{b}}"], "s{a}{{b}}"),  # nested brackets are not followed
        (["-pe", ""], ""),
    ],
)
def test_anything_else_is_code(argv: list[str], code: str) -> None:
    assert not substitutions_only(tuple(argv), code)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("perl -0 -i -pe 's/\\[patch\\].+\\n\\[/[/s' Cargo.toml", "allow"),
        ("perl -pi -e 's/foo/bar/g' src/a.py", "allow"),
        ("perl -pe 's/a/b/' src/a.py > build/out.txt", "allow"),
        ("perl -pi -e 's/a/b/' /etc/hosts", "ask"),
        ("perl -pi -e 's/a/b/' ~/.bashrc", "ask"),
        ("perl -pe 's/a/b/' ~/notes.txt", "ask"),
        ("perl -pi -e 's/a/b/' ~/.ssh/id_rsa", "deny"),
        ('perl -pi -e "s/a/b/" "$F"', "ask"),
        ("perl -pi -e 's/a/`id`/e' src/a.py", "ask"),
        ("perl -pi -e 'system(q(rm -rf ~))' src/a.py", "ask"),
    ],
)
def test_perl_as_sed_judged_by_its_files(
    bundled: Policy, tmp_path: Path, command: str, expected: str
) -> None:
    home = (tmp_path / "home").resolve()
    proj = home / "project"
    (proj / "src").mkdir(parents=True)
    (proj / "src" / "a.py").write_text("a = 1\n")
    call = ToolCall("Bash", {"command": command}, str(proj), project=str(proj))
    # decide(): a `review` with no reviewer configured is the fail mode, ask
    assert decide(bundled, call, home=str(home)).action == expected, command


def test_the_files_are_its_paths_and_no_finding() -> None:
    got = analyze("perl -pi -e 's/a/b/' src/a.py", cwd="/p", home="/h")
    (cmd,) = got.commands
    assert "/p/src/a.py" in cmd.paths
    assert not got.findings
    code = analyze("perl -pi -e 's/a/b/e' src/a.py", cwd="/p", home="/h")
    assert {f.kind for f in code.findings} == {"code_execution"}
