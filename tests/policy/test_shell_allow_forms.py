"""Shell-level forms that only read, report or change project files (issue 26, allow side):
each allowed form beside a sibling that changes something else and must not be allowed."""

from __future__ import annotations

import pytest
from policy_helpers import CWD, HOME

from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy
from superego_mcp.shell import analyze

DENY, ASK, ALLOW, DEFER, REVIEW = "deny", "ask", "allow", "defer", "review"

CASES: list[tuple[str, str]] = [
    # git reset that only unstages; one that moves HEAD is not allowed outright
    ("git reset", ALLOW),
    ("git reset HEAD file.txt", ALLOW),
    ("git reset --mixed HEAD", ALLOW),
    ("git reset -q -- src/a.py", ALLOW),
    ("git reset HEAD~1", DEFER),
    ("git reset --soft HEAD~1", DEFER),
    ("git reset --hard", ASK),
    ("git reset --keep HEAD", DEFER),
    ("ls | xargs git reset", DEFER),
    # git's own reports and bookkeeping
    ("git -v", ALLOW),
    ("git --version", ALLOW),
    ("git -v reset HEAD~1", DEFER),
    ("git rerere", ALLOW),
    ("git rerere forget x", DEFER),
    ("git replace -l", ALLOW),
    ("git replace -d abc", ASK),
    ("git lfs fetch", ALLOW),
    ("git archive HEAD", ALLOW),
    ("git archive -o build/src.tar HEAD", ALLOW),
    ("git archive --output=/etc/x.tar HEAD", DEFER),
    # --exec names the program git runs: walked, and asked when no rule knows it
    ("git archive --remote=origin --exec=/tmp/x HEAD", ASK),
    # 7-Zip's reading commands anywhere readable; writing ones only into the project
    ("7zz", ALLOW),
    ("7zz -h", ALLOW),
    ("7zz l archive.7z", ALLOW),
    ("7zz t -scrcSHA256 archive.7z", ALLOW),
    ("7zz b -mmt=8", ALLOW),
    ("7zz l ~/private.7z", ASK),
    ("7zz x archive.7z", DEFER),
    ("7z x archive.7z -obuild/out", ALLOW),
    ("7z x archive.7z -o/etc", DEFER),
    ("7z x archive.7z -o../elsewhere", DEFER),
    ("7z x archive.7z -spf", DEFER),
    # network and key listings; their changing forms
    ("ifconfig", ALLOW),
    ("ifconfig -a", ALLOW),
    ("ifconfig en0", ALLOW),
    ("ifconfig eth0 down", ASK),
    ("ifconfig eth0 -arp", ASK),
    ("ifconfig eth0 10.0.0.2", ASK),
    ("ssh-add -l", ALLOW),
    ("ssh-add -L", ALLOW),
    ("ssh-add -D", DEFER),
    ("ssh-keygen -l", ALLOW),
    ("ssh-keygen -t ed25519", DEFER),
    ("ssh-keygen -l -f ~/.ssh/id_rsa.pub", ASK),
    ("curl -X OPTIONS https://example.com", ALLOW),
    ("curl --request=TRACE https://example.com", ALLOW),
    ("curl -X PATCH https://example.com", ASK),
    # manual pages, not the pager they are told of
    ("man ls", ALLOW),
    ("man -P 'sh -c id' ls", DEFER),
    ("MANPAGER='rm -rf ~' man ls", DENY),
    # project housekeeping: tee without a file, rmdir, dd between project files
    ("tee", ALLOW),
    ("echo hello | tee -a", ALLOW),
    ("tee /etc/motd", ASK),
    ("rmdir empty_folder", ALLOW),
    ("rmdir /etc/x", ASK),
    ("dd if=zero.dat of=/dev/null bs=1M count=1", ALLOW),
    ("dd if=/dev/zero of=disk.img bs=1M", ALLOW),
    ("dd if=/dev/urandom of=random.dat count=1", ALLOW),
    ("dd if=/dev/sda of=./backup.img", DEFER),
    ("dd if=/dev/zero of=/dev/sda", DENY),
    ("sort --compress-program=sh data.txt", DEFER),
    # a TLS handshake that prints the server's certificates, sending nothing
    ("openssl s_client -connect example.com:443 -showcerts", ALLOW),
    ("echo QUIT | openssl s_client -connect example.com:443", DEFER),
    ("openssl s_client -connect example.com:443 < notes.txt", DEFER),
    ("openssl s_client -connect example.com:443 -sess_out build/s", DEFER),
    # a .env file's name, size or mode, not its content
    ("stat .env", ALLOW),
    ("ls -la .env.local", ALLOW),
    ("ls > .env", ASK),
    ("cat .env", ASK),
    # rsync inside the project, as cp -r; its dry runs
    ("rsync -avz src/ dest/", ALLOW),
    ("rsync -avzn src/ dest/", ALLOW),
    ("rsync --delete --dry-run src/ dest/", ALLOW),
    ("rsync -a --delete src/ dest/", ASK),
    ("rsync -a src/ ~/backup/", ASK),
    ("rsync -a build/ host:/srv/", ASK),
    ("rsync -e 'ssh -p 2' src/ dest/", DEFER),
    # Perl and Ruby one-liners that only print constants; any other code is reviewed
    ("perl -e 'print \"ok\\n\"'", ALLOW),
    ("ruby -rjson -e 'puts 1'", ALLOW),
    ("ruby -e 'puts File.read(\"x\")'", REVIEW),
    ("perl -e 'print 1; unlink \"x\"'", REVIEW),
    # inline code run by xargs: what it adds must be the code's arguments (input-args)
    ("xargs sh -c 'echo hello'", ALLOW),
    ("find src -type f | sort | xargs -n1 sh -c 'wc -l \"$1\"' _", ALLOW),
    ("xargs sh -c 'cat \"$1\"' _", DEFER),  # cat of a name only known at run time
    ("xargs sh -c 'rm -rf \"$1\"' _", ASK),
    ("xargs -I{} sh -c 'cat {}'", ASK),  # the input becomes code
    ("xargs python -c 'print(1)'", ALLOW),
    ("xargs -I{} node -e 'console.log(1)' -- {}", ALLOW),
    ("xargs node -e 'console.log(1)'", DEFER),  # node reads options after its code
    ("xargs perl -e 'print 1' --", ALLOW),
    ("xargs perl -e 'print 1'", REVIEW),  # `-e CODE` in the input would run
]


@pytest.mark.parametrize(("command", "expected"), CASES, ids=[c for c, _ in CASES])
def test_shell_forms(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)


def test_reset_of_a_file_on_disk_is_index_only(tmp_path: object) -> None:
    """A lone operand naming a file on disk is a path (git refuses a name that is both a
    file and a revision), so the reset only unstages it; a name that is no file is taken
    for a revision."""
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "notes.txt").write_text("x")
    on_disk = analyze("git reset notes.txt", cwd=str(root), home=HOME).commands[0]
    revision = analyze("git reset main", cwd=str(root), home=HOME).commands[0]
    assert "index-only" in on_disk.flags
    assert "index-only" not in revision.flags


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        # git refuses these before touching anything
        ("git restore --no-worktree file.txt", ALLOW),
        ("git restore -W --no-worktree file.txt", ALLOW),
        # these restore the worktree
        ("git restore --no-worktree -W file.txt", ASK),
        ("git restore -S --no-staged file.txt", ASK),
        ("git restore --wor file.txt", ASK),
        ("git restore -s HEAD~1 file.txt", ASK),
        ("git restore --source=HEAD --unified=3 file.txt", ASK),
        ("git restore --source --no-worktree file.txt", ASK),  # the source's value
        ("git restore -s --no-worktree file.txt", ASK),
        ("git restore --future-option file.txt", ASK),  # a later git may know it
        ("git restore file.txt --version", ASK),
        ("git restore file.txt", ASK),
        ("git restore --no-worktree --staged file.txt", ALLOW),  # the index only
    ],
)
def test_restore_git_refuses(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("bash <<'EOF'\necho hello\nEOF", ALLOW),
        ("sh <<EOF\ngit status\nEOF", ALLOW),
        ("printf 'cat README.md' | bash", ALLOW),
        ("eval 'printf safe'", ALLOW),
        ("bash <<'EOF'\nrm -rf ~\nEOF", DENY),
        ("mytool | bash", DEFER),  # its program is another program's output
        ("bash", DEFER),
        ('eval "$CMD"', ASK),
        ("sh <<EOF\ncat $F\nEOF", DEFER),  # a name only known at run time
    ],
)
def test_shell_reading_given_code(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (d.rule_id, d.reason)
