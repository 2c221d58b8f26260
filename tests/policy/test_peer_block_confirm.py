"""Issue 26, the block and confirm side: what the peer corpus's `block` and `confirm` cases
showed missing, as general capabilities of the bundled policy, each with what must stay as
it was (docs/peer-corpus.md lists the labels we dispute)."""

from __future__ import annotations

import pytest
from policy_helpers import CWD, HOME

from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy

DENY, ASK, ALLOW, DEFER = "deny", "ask", "allow", "defer"


def judge(policy: Policy, command: str) -> tuple[str, str | None]:
    d = policy.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    return d.action, d.rule_id


# Commands run somewhere else (a container, a pod, another host, under script(1)) are
# judged as the commands they are; the wrapper alone keeps its own answer.
ELSEWHERE: list[tuple[str, str]] = [
    ("docker exec nginx rm -rf /", DENY),
    ("docker exec -it -u root nginx sh -c 'rm -rf /'", DENY),
    ("podman exec web git reset --hard", ASK),
    ("kubectl exec -it pod -c app -- rm -rf /", DENY),
    ("ssh user@host 'git reset --hard HEAD'", ASK),
    ("ssh -p 2222 host 'cd repo && git clean -fd'", ASK),
    ("ssh root@host 'sudo rm /etc/passwd'", ASK),
    ("script -q /dev/null bash -c 'rm -rf /'", DENY),
    ("script -c 'git reset --hard' out.log", ASK),
    ("ssh host ls", DEFER),  # the remote login itself: the agent's own settings decide
    ("ssh -N -L 8080:localhost:80 host", DEFER),
    ("docker exec web ls", DEFER),
]


@pytest.mark.parametrize(("command", "expected"), ELSEWHERE, ids=[c for c, _ in ELSEWHERE])
def test_commands_run_elsewhere(bundled: Policy, command: str, expected: str) -> None:
    action, rule = judge(bundled, command)
    assert action == expected, rule


# SQL handed to any CLI in an option named for it, or after a `query` subcommand.
SQL: list[tuple[str, str]] = [
    ("aws athena start-query-execution --query-string 'DROP TABLE foo'", ASK),
    ("aws athena start-query-execution --query-string='DELETE FROM foo'", ASK),
    ("sqlcmd query 'TRUNCATE TABLE users'", ASK),
    ("sqlcmd query --query 'DROP TABLE users'", ASK),
    ("duckdb -cmd 'DROP TABLE users' app.db", ASK),
    ("aws athena start-query-execution --query-string 'SELECT * FROM t'", DEFER),
    ("az --query delete vm show", ALLOW),  # one word is not a statement (a JMESPath here)
    ("fzf --query=execute", ALLOW),
]


@pytest.mark.parametrize(("command", "expected"), SQL, ids=[c for c, _ in SQL])
def test_sql_in_any_cli(bundled: Policy, command: str, expected: str) -> None:
    action, rule = judge(bundled, command)
    assert action == expected, rule


# A program whose name is the destroying verb; code in `--eval=`; spellings.
SIBLINGS: list[tuple[str, str]] = [
    ("dropdb production", ASK),
    ("shred -u secret.txt", ASK),
    ('eval "shred secret"', ASK),
    ("python -c 'import os; os.system(\"shred -u secret.txt\")'", ASK),
    ("shred", DEFER),  # nothing to destroy: prints its usage
    ("dropbox status", DEFER),
    ("node --eval=\"require('child_process').execSync('rm -rf ~')\"", DENY),
    ("node --eval='console.log(1)'", ALLOW),
    ("GIT CHECKOUT -- file", ASK),
    ("parallel --header : git reset --hard ::: x", ASK),
]


@pytest.mark.parametrize(("command", "expected"), SIBLINGS, ids=[c for c, _ in SIBLINGS])
def test_siblings(bundled: Policy, command: str, expected: str) -> None:
    action, rule = judge(bundled, command)
    assert action == expected, rule


# Text printed literally into xargs or parallel (or parallel's ::: arguments) becomes the
# arguments or command lines they run; a dry run or --version runs nothing (but parallel
# evaluates `{= perl =}` even then).
FED: list[tuple[str, str]] = [
    ("printf 'reset --hard\\n' | xargs git", ASK),
    ("printf '%s\\n' -delete | xargs find .", ASK),
    ("echo / | xargs --replace bash -c 'rm -rf {}'", DENY),
    ("echo ok | xargs -R 2 python -c 'import os; os.system(\"rm -rf /\")'", DENY),
    ("printf 'rm -rf /\\n' | parallel", DENY),
    ("echo 'rm -rf /' | parallel bash -c {}", DENY),
    ("parallel ::: 'rm -rf /'", DENY),
    ("parallel bash -c ::: 'rm -rf /'", DENY),
    ("parallel --dry-run rm -rf '{1}' ::: /", DEFER),
    ("parallel --dry-run echo '{= system(\"rm -rf /\") =}' ::: v", ASK),
    ("echo hi | xargs", ALLOW),
    ("printf '%s\\n' a.txt | xargs wc -l", ALLOW),  # as before
]


@pytest.mark.parametrize(("command", "expected"), FED, ids=[c for c, _ in FED])
def test_text_fed_to_xargs_and_parallel(bundled: Policy, command: str, expected: str) -> None:
    action, rule = judge(bundled, command)
    assert action == expected, rule


# A patch's file names are what it writes; an unknown program whose operands are a command
# line is taken to run it (readers and printers are not).
MORE: list[tuple[str, str]] = [
    ("git apply <<'EOF'\n--- a/.env\n+++ b/.env\nEOF", ASK),
    ("patch -p1 <<'EOF'\n--- a/.env.production\n+++ b/.env.production\nEOF", ASK),
    ("git apply <<'EOF'\n--- a/src/x.py\n+++ b/src/x.py\nEOF", ALLOW),
    ("rtk git push --force origin main", ASK),
    ("mytool sh -c 'git reset --hard'", ASK),
    ("mytool find . -delete", ASK),
    ("mytool git status", DEFER),
    ("wc rm -rf /", ALLOW),  # counts the words of files named rm, -rf and /
    ("echo git reset --hard", ALLOW),
]


@pytest.mark.parametrize(("command", "expected"), MORE, ids=[c for c, _ in MORE])
def test_patches_and_unknown_runners(bundled: Policy, command: str, expected: str) -> None:
    action, rule = judge(bundled, command)
    assert action == expected, rule


# confirm: what reaches outside the project (remote, shared, machine-wide) is not allowed
# outright; what stays in it keeps its answer.
OUTWARD: list[tuple[str, str]] = [
    ("az keyvault set-policy --name v --object-id o --secret-permissions get list", DEFER),
    ("az keyvault key list --vault-name v", ALLOW),
    ("terraform init -migrate-state", DEFER),
    ("terraform init", ALLOW),
    ("./mvnw release:perform", ASK),
    ("mvn deploy", ASK),
    ("./gradlew publish", ASK),
    ("./gradlew publishToMavenLocal", ALLOW),
    ("mvn package", ALLOW),
    ("git config --global user.email 'a@b.c'", ASK),
    ("git config --global --edit", ASK),
    ("git maintenance start", ASK),
    ("git config --global user.name", ALLOW),
    ("git config user.name 'A B'", ALLOW),
    ("git maintenance run", ALLOW),
    ('git push origin "$BRANCH"', ASK),
    ("xargs git push", ASK),
    ("git push -u origin feature/x", ALLOW),
    ("xargs -I{} git stash {}", DEFER),
    ("xargs git log --oneline", ALLOW),
    ("fd -x rm", ASK),
    ("fd -e py -x python", DEFER),
    ("fd --type f --exec cat {}", ALLOW),
]


@pytest.mark.parametrize(("command", "expected"), OUTWARD, ids=[c for c, _ in OUTWARD])
def test_outward_and_machine_wide(bundled: Policy, command: str, expected: str) -> None:
    action, rule = judge(bundled, command)
    assert action == expected, rule
