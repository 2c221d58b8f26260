"""Every condition type, on real tool calls and real shell analyses."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from policy_helpers import HOME, bash, call, judge, rules


def _matches(rule_conditions: str, c: object) -> bool:
    p = rules(
        f"""\
        - id: hit
          action: deny
          reason: hit
          conditions: {rule_conditions}
        """,
        default="allow",
    )
    return judge(p, c).rule_id == "hit"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cond", "tool", "expected"),
    [
        ("{tool: Read}", "Read", True),
        ("{tool: Read}", "read", False),  # case-sensitive
        ("{tool: [Write, Edit]}", "Edit", True),
        ("{tool: 'mcp__*'}", "mcp__github__get_issue", True),
        ("{tool: 'mcp__github__*'}", "mcp__gitlab__x", False),
        ("{tool: 're:^mcp__.*delete'}", "mcp__db__delete_row", True),
        ("{tool: 're:^mcp__.*delete'}", "mcp__db__get_row", False),
        ("{tool: 'Rea?'}", "Read", True),
    ],
)
def test_tool(cond: str, tool: str, expected: bool) -> None:
    assert _matches(cond, call(tool)) is expected


def test_param_matchers() -> None:
    c = call(
        "mcp__x__y",
        url="https://docs.python.org/3/",
        size=2048,
        tags=["a", "b"],
        edits=[{"new_string": "safe"}, {"new_string": "eval(x)"}],
        flag=True,
    )
    cases = {
        "{param: {url: 'https://docs.python.org/3/'}}": True,
        "{param: {url: 'https://docs.python.org'}}": False,
        "{param: {url: {regex: 'python\\.org'}}}": True,
        "{param: {url: {regex: '^python'}}}": False,
        "{param: {url: {glob: 'https://*.org/*'}}}": True,
        "{param: {url: {contains: docs}}}": True,
        "{param: {url: {equals: x, ignore_case: true}}}": False,
        "{param: {url: {equals: 'HTTPS://DOCS.PYTHON.ORG/3/', ignore_case: true}}}": True,
        "{param: {size: {gt: 1024}}}": True,
        "{param: {size: {le: 1024}}}": False,
        "{param: {size: {ge: 2048, lt: 4096}}}": True,
        "{param: {url: {len_gt: 100}}}": False,
        "{param: {tags: {contains: b}}}": True,
        "{param: {tags: {len_lt: 3}}}": True,
        "{param: {missing: {exists: false}}}": True,
        "{param: {url: {exists: false}}}": False,
        "{param: {'$.edits[*].new_string': {regex: 'eval\\('}}}": True,
        "{param: {'$.edits[0].new_string': {regex: 'eval\\('}}}": False,
        "{param: {\"$['edits'][1]['new_string']\": {contains: eval}}}": True,
        "{param: {'$..new_string': safe}}": True,
        "{param: {'$..*': {regex: '^eval'}}}": True,
        "{param: {flag: true}}": True,
        "{param: {size: '2048'}}": True,
        "{param: {url: {regex: python}, size: {gt: 9999}}}": False,  # keys are ANDed
    }
    for cond, expected in cases.items():
        assert _matches(cond, c) is expected, cond


def test_path_globs_on_tool_paths() -> None:
    read = call("Read", file_path="~/.ssh/id_rsa")
    assert _matches("{path: ['~/.ssh/**']}", read)
    assert _matches("{path: ['${home}/.ssh/id_*']}", read)
    assert _matches("{path: ['/home/*/.ssh/*']}", read)
    assert not _matches("{path: ['/home/*/id_rsa']}", read)  # '*' stays in one segment
    assert _matches("{path: ['/home/**/id_rsa']}", read)
    assert _matches("{path: [id_rsa]}", read)  # relative: any depth
    assert _matches("{path: ['~/.ssh/**']}", call("Glob", pattern="*", path="~/.ssh"))
    # A directory glob also matches the directory itself.
    assert _matches("{path: ['~/.ssh/**']}", call("Grep", pattern="x", path=f"{HOME}/.ssh"))
    # Relative tool paths resolve against the call's cwd; '..' is folded.
    assert _matches("{path: ['${project}/src/**']}", call("Read", file_path="src/a.py"))
    assert not _matches("{path: ['${project}/**']}", call("Read", file_path="../other/a.py"))
    assert _matches("{path: ['${tmp}/**']}", call("Write", file_path="/tmp/x", content=""))
    assert _matches("{path: ['~/.{bashrc,zshrc}']}", call("Edit", file_path="~/.zshrc"))
    assert _matches("{path: ['/etc/host?']}", call("Read", file_path="/etc/hosts"))
    # Glob/Grep without a path search the cwd.
    assert _matches("{path: {all: ['${project}/**']}}", call("Grep", pattern="x"))
    # A Glob pattern that climbs out of the project counts as a path.
    assert _matches("{path: ['~/.ssh/id_*']}", call("Glob", pattern="~/.ssh/id_*"))


def test_path_any_all_none() -> None:
    inside = call("Write", file_path="src/a.py", content="")
    outside = call("Write", file_path="/etc/a", content="")
    no_path = call("WebSearch", query="x")
    all_project = "{path: {all: ['${project}/**', '${tmp}/**']}}"
    assert _matches(all_project, inside)
    assert not _matches(all_project, outside)
    assert not _matches(all_project, no_path)  # 'all' is never vacuously true
    assert _matches("{path: {none: ['/etc/**']}}", inside)
    assert not _matches("{path: {none: ['/etc/**']}}", outside)
    assert _matches("{path: {any: ['/etc/**'], none: ['/etc/passwd']}}", outside)


def test_path_symlink_resolved_form(tmp_path: object) -> None:
    # A link inside the project pointing at a secret matches the secret's glob.
    base = str(tmp_path)
    os.makedirs(f"{base}/secret")
    with open(f"{base}/secret/key", "w") as fh:
        fh.write("x")
    os.makedirs(f"{base}/proj")
    os.symlink(f"{base}/secret/key", f"{base}/proj/link")
    c = call("Read", cwd=f"{base}/proj", file_path="link")
    assert _matches(f"{{path: ['{base}/secret/**']}}", c)
    assert not _matches("{path: {all: ['${project}/**']}}", c)


def test_cwd_and_time() -> None:
    assert _matches("{cwd: '~/project'}", call("Read"))
    assert _matches("{cwd: ['/srv/**', '~/**']}", call("Read"))
    assert not _matches("{cwd: '/srv/**'}", call("Read"))
    p = rules(
        """\
        - id: hours
          action: deny
          reason: office hours
          conditions:
            time: {start: "09:00", end: "17:00", timezone: Europe/Paris, days: [mon, tue]}
        - id: night
          action: ask
          reason: night
          conditions: {time: {start: "22:00", end: "06:00"}}
        """,
        default="allow",
    )
    monday_10_paris = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)  # 10:00 in Paris (UTC+2)
    assert judge(p, call("Read"), now=monday_10_paris).rule_id == "hours"
    assert judge(p, call("Read"), now=datetime(2025, 6, 2, 15, 0, tzinfo=UTC)).rule_id is None
    assert judge(p, call("Read"), now=datetime(2025, 6, 4, 8, 0, tzinfo=UTC)).rule_id is None
    assert judge(p, call("Read"), now=datetime(2025, 6, 4, 23, 30, tzinfo=UTC)).rule_id == "night"
    assert judge(p, call("Read"), now=datetime(2025, 6, 4, 5, 59, tzinfo=UTC)).rule_id == "night"
    assert judge(p, call("Read"), now=datetime(2025, 6, 4, 6, 0, tzinfo=UTC)).rule_id is None


def test_combinators() -> None:
    c = call("Write", file_path="src/a.py", content="")
    assert _matches("{all: [{tool: Write}, {path: ['*.py']}]}", c)
    assert not _matches("{all: [{tool: Write}, {path: ['*.js']}]}", c)
    assert _matches("{any: [{tool: Read}, {path: ['*.py']}]}", c)
    assert not _matches("{any: [{tool: Read}, {path: ['*.js']}]}", c)
    assert _matches("{not: {tool: Read}}", c)
    assert not _matches("{tool: Write, not: {path: ['*.py']}}", c)
    assert _matches("{}", c)  # empty conditions match every call


def test_shell_program_subcommand_flags() -> None:
    assert _matches("{shell: {program: rm, flags: [-rf]}}", bash("rm -r -f build"))
    assert _matches("{shell: {program: rm, flags: [--recursive]}}", bash("rm -Rf build"))
    assert _matches("{shell: {program: rm, flags: [recursive, force]}}", bash("rm -fr x"))
    assert not _matches("{shell: {program: rm, flags: [-rf]}}", bash("rm -r build"))
    assert _matches("{shell: {program: [rm, rmdir], any_flags: [-f, -r]}}", bash("rm -r x"))
    assert _matches(
        "{shell: {program: git, subcommand: push, any_flags: [-f]}}",
        bash("git push --force origin main"),
    )
    assert not _matches(
        "{shell: {program: git, subcommand: push, any_flags: [-f]}}", bash("git push origin main")
    )
    assert _matches("{shell: {program: 'mkfs*'}}", bash("mkfs.ext4 /dev/sdb1"))
    assert _matches("{shell: {program: rm}}", bash("/bin/rm x"))
    assert _matches("{shell: {program: rm}}", bash("'r''m' x"))


def test_shell_args_pipes_via_redirects_findings() -> None:
    assert _matches(
        "{shell: {program: dd, args: {regex: '^of=/dev/sd'}}}", bash("dd if=/dev/zero of=/dev/sda")
    )
    assert _matches("{shell: {program: sh, piped_from: curl}}", bash("curl -s x | sh"))
    assert _matches("{shell: {program: curl, piped_to: [sh, bash]}}", bash("curl -s x | bash"))
    assert _matches("{shell: {program: rm, via: sudo}}", bash("sudo rm -rf /var/x"))
    assert not _matches("{shell: {program: rm, via: sudo}}", bash("rm -rf /var/x"))
    assert _matches("{shell: {redirect: ['~/.bashrc']}}", bash("echo x >> ~/.bashrc"))
    assert not _matches("{shell: {redirect: ['~/.bashrc']}}", bash("cat < ~/.bashrc"))
    assert _matches("{shell: {finding: fork_bomb}}", bash(":(){ :|:& };:"))
    assert _matches("{shell: {finding: download_to_shell}}", bash("curl x | sh"))
    assert _matches("{shell: {program: rm, dynamic: true}}", bash("rm -rf $UNKNOWN_DIR"))
    assert not _matches("{shell: {program: rm, dynamic: true}}", bash("rm -rf build"))
    # Shell tests never hold for non-shell tools.
    assert not _matches("{shell: {dynamic: false}}", call("Read", file_path="a"))


def test_shell_paths() -> None:
    assert _matches("{path: ['~/.ssh/**']}", bash("cat ~/.ssh/id_rsa"))
    assert _matches("{path: ['~/.ssh/**']}", bash('cat "$HOME/.ssh/id_rsa"'))
    assert _matches("{path: {all: ['${project}/**']}}", bash("rm -rf build"))
    assert not _matches("{path: {all: ['${project}/**']}}", bash("rm -rf build ~/x"))
    # A path hidden behind a run-time value satisfies neither 'all' nor 'none'.
    assert not _matches("{path: {all: ['${project}/**']}}", bash("rm -rf build/$X"))
    assert not _matches("{path: {none: ['/etc/**']}}", bash("rm -rf $X"))
    assert _matches("{path: {none: ['/etc/**']}}", bash("rm -rf build"))
    # Every unit has its own paths: the second command's secret does not taint the first.
    p = rules("""\
        - id: secret
          action: deny
          reason: secret
          conditions: {path: ['~/.ssh/**']}
        - id: ls
          action: allow
          reason: ls
          conditions: {shell: {program: ls}}
        """)
    d = p.judge(bash("ls && cat ~/.ssh/id_rsa"), home=HOME)
    assert [u.rule.id if u.rule else None for u in d.units] == ["ls", "secret"]
