"""The bundled policy on statements that are only redirections (``> /dev/sda``)."""

from __future__ import annotations

import pytest
from policy_helpers import CWD, HOME

from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy

DENY, ASK, ALLOW = "deny", "ask", "allow"

# (command line, action, deciding rule; None for the default)
CASES: list[tuple[str, str, str | None]] = [
    # disks
    ("> /dev/sda", DENY, "deny-write-to-block-device"),
    (">/dev/nvme0n1", DENY, "deny-write-to-block-device"),
    ("> /dev/mmcblk0", DENY, "deny-write-to-block-device"),
    ("> /dev/vda", DENY, "deny-write-to-block-device"),
    ("> /dev/xvda", DENY, "deny-write-to-block-device"),
    ("> /dev/disk2", DENY, "deny-write-to-block-device"),
    ("cat x | > /dev/sda", DENY, "deny-write-to-block-device"),
    ("{ > /dev/sda; }", DENY, "deny-write-to-block-device"),
    ("echo $( > /dev/sda)", DENY, "deny-write-to-block-device"),
    ("sudo bash -c '> /dev/sda'", DENY, "deny-write-to-block-device"),
    ("<> /dev/sda", ASK, "ask-unanalysable-command"),  # the parser cannot read `<>`
    # credentials
    ("> ~/.ssh/id_rsa", DENY, "deny-credential-files"),
    ("< ~/.aws/credentials", DENY, "deny-credential-files"),
    ('echo "$(< ~/.ssh/id_ed25519)"', DENY, "deny-credential-files"),
    # asked about
    (">> ~/.bashrc", ASK, "ask-write-persistence"),
    ("> ~/.zshrc", ASK, "ask-write-persistence"),
    ("> .git/hooks/pre-commit", ASK, "ask-write-git-hooks"),
    ("> .claude/settings.json", ASK, "ask-write-agent-settings"),
    ("> ~/.ssh/authorized_keys", ASK, "ask-ssh-directory"),
    ("> /etc/passwd", ASK, "ask-write-outside-project"),
    ('> "$out"', ASK, "ask-write-outside-project"),
    ('cd "$d" && > notes.txt', ASK, "ask-write-outside-project"),
    # harmless
    ("> build/log.txt", ALLOW, "allow-read-only-commands"),
    (": > out.txt", ALLOW, "allow-read-only-commands"),
    ("> /tmp/scratch.log", ALLOW, "allow-read-only-commands"),
    ("> /dev/null", ALLOW, "allow-read-only-commands"),
]


def _decide(p: Policy, command: str) -> tuple[str, str | None]:
    d = p.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    return d.action, d.rule_id


@pytest.mark.parametrize(("command", "action", "rule"), CASES, ids=[c for c, _, _ in CASES])
def test_bare_redirects(bundled: Policy, command: str, action: str, rule: str | None) -> None:
    assert _decide(bundled, command) == (action, rule)


@pytest.mark.parametrize(
    "target",
    ["/dev/sda", "~/.bashrc", "~/.ssh/id_rsa", "/etc/passwd", "build/log.txt", "out.txt", "/tmp/x"],
)
@pytest.mark.parametrize("op", [">", ">>"])
def test_bare_redirect_is_judged_like_true(bundled: Policy, op: str, target: str) -> None:
    # Bash runs nothing for a bare redirection: it is the no-op, as `true`/`:` are.
    bare = _decide(bundled, f"{op} {target}")
    assert bare == _decide(bundled, f"true {op} {target}")
    assert bare == _decide(bundled, f": {op} {target}")
