"""`defer`, the default_action override, and the rule language pieces added with it:
`path: {any, except}`, `shell: {redirect_outside}`, `shell: {writes, writes_outside}`, and the
program prefilter."""

from __future__ import annotations

import pytest
from policy_helpers import CWD, HOME, bash, call, rules

from superego_mcp.decide import decide
from superego_mcp.model import ACTIONS, more_restrictive
from superego_mcp.policy.engine import Policy


def _action(p: Policy, c: object) -> str:
    return p.evaluate(c, home=HOME).action  # type: ignore[arg-type]


def test_restrictiveness_order() -> None:
    order = ["allow", "defer", "review", "ask", "deny"]
    assert set(order) == set(ACTIONS)
    for i, low in enumerate(order):
        for high in order[i:]:
            assert more_restrictive(low, high) == high  # type: ignore[arg-type]
            assert more_restrictive(high, low) == high  # type: ignore[arg-type]


DEFER_LS = """\
- id: allow-ls
  action: allow
  reason: ls
  conditions: {shell: {program: ls}}
- id: defer-make
  action: defer
  reason: make is for the agent to decide
  conditions: {shell: {program: make}}
"""


def test_defer_default_and_most_restrictive_unit() -> None:
    p = rules(DEFER_LS, default="defer")
    assert _action(p, bash("ls")) == "allow"
    assert _action(p, bash("frob")) == "defer"
    assert _action(p, bash("ls && frob")) == "defer"  # defer outranks allow
    assert _action(p, bash("make")) == "defer"  # a rule may defer too
    # decide() passes defer through untouched.
    assert decide(p, bash("frob"), home=HOME).action == "defer"


def test_an_unanalysable_line_is_never_deferred() -> None:
    p = rules(DEFER_LS, default="defer")
    d = p.evaluate(bash("echo 'unterminated"), home=HOME)
    assert d.action == "ask"
    assert "could not fully analyse" in d.reason


@pytest.mark.parametrize("setting", ["ask", "allow", "defer"])
def test_with_default_replaces_only_the_default(setting: str) -> None:
    p = rules(DEFER_LS, default="defer")
    q = p.with_default(setting)  # type: ignore[arg-type]
    assert _action(q, bash("frob")) == setting
    if setting != "defer":  # already the default: the policy is returned as it is
        assert setting in q.evaluate(bash("frob"), home=HOME).reason
    assert _action(q, bash("ls")) == "allow"  # rules are untouched
    assert _action(p, bash("frob")) == "defer"  # the original is not changed
    assert p.with_default(None) is p
    assert _action(q, bash("echo 'x")) == "ask"  # whatever the default


HOME_READS = """\
- id: ask-home
  action: ask
  reason: private
  conditions:
    path: {any: ['~/**'], except: ['${project}/**']}
"""


def test_path_except_narrows_any() -> None:
    p = rules(HOME_READS, default="allow")
    assert _action(p, bash("cat ~/notes.txt")) == "ask"
    assert _action(p, bash("cat README.md")) == "allow"  # in home, but in the project
    assert _action(p, bash("cat README.md ~/x")) == "ask"
    assert _action(p, call("Read", file_path=f"{CWD}/a.py")) == "allow"


REDIRECTS = """\
- id: ask-outside
  action: ask
  reason: outside
  conditions:
    shell: {redirect_outside: ['${project}/**', /dev/null]}
"""


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("echo x > out.txt", "allow"),
        ("echo x 2>/dev/null", "allow"),
        ("make 2>&1", "allow"),
        ("echo x > /etc/motd", "ask"),
        ('echo x > "$OUT"', "ask"),
        ("echo x > out.txt > ~/y", "ask"),
        ("cat < /etc/hosts", "allow"),  # reading is not a writing redirect
    ],
)
def test_redirect_outside(command: str, expected: str) -> None:
    assert _action(rules(REDIRECTS, default="allow"), bash(command)) == expected


WRITES = """\
- id: ask-writes-outside
  action: ask
  reason: outside
  conditions:
    shell: {writes_outside: ['${project}/**']}
- id: deny-writes-etc
  priority: 50
  action: deny
  reason: etc
  conditions:
    shell: {writes: ['/etc/**']}
"""


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        # a copy's source and a symbolic link's text are not written
        ("cp /usr/bin/busybox initramfs/bin/", "allow"),
        ("ln -sf ../bin/busybox initramfs/sbin/poweroff", "allow"),
        ("cp /etc/hosts hosts.bak", "allow"),
        ("cp a.txt ~/a.txt", "ask"),
        ("cp -t ~/bin build/tool", "ask"),
        ("install -m 644 conf /etc/app.conf", "deny"),
        ("cp a /etc/", "deny"),  # into a directory: the file inside it too
        ("echo x > ~/y", "ask"),  # a writing redirect is a write
        ("sed -i s/a/b/ /etc/hosts", "deny"),
        ("cat /etc/hosts", "allow"),  # a read is no write
    ],
)
def test_writes_and_writes_outside(command: str, expected: str) -> None:
    assert _action(rules(WRITES, default="allow"), bash(command)) == expected


PREFILTER = """\
- id: shell-or-read
  action: deny
  reason: either
  conditions:
    any:
      - shell: {program: rm}
      - tool: Read
- id: only-git
  action: ask
  reason: git
  conditions:
    shell: {program: git}
    any:
      - shell: {subcommand: push}
      - shell: {program: [git, hg], subcommand: pull}
"""


def test_program_prefilter_is_only_a_shortcut() -> None:
    p = rules(PREFILTER, default="allow")
    by_id = {r.id: r for r in p.rules}
    assert by_id["shell-or-read"].programs is None  # a non-shell branch: always tried
    assert by_id["only-git"].programs == frozenset({"git"})
    assert _action(p, call("Read", file_path="a")) == "deny"
    assert _action(p, bash("rm x")) == "deny"
    assert _action(p, bash("git push")) == "ask"
    assert _action(p, bash("git pull")) == "ask"
    assert _action(p, bash("hg pull")) == "allow"  # the rule also needs git
    assert _action(p, bash("ls")) == "allow"
