"""The bundled policy on words only partly known before the command runs (issue 20): find
-exec's ``{}`` given to a program whose operands are files, substitutions whose output is
data (a pattern, a message, a define), names xargs hands to a viewer; and git update-index's
local flags. Each allowed form beside a sibling that must not be allowed."""

from __future__ import annotations

import pytest
from policy_helpers import CWD, HOME

from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy

DENY, ASK, ALLOW, DEFER = "deny", "ask", "allow", "defer"

CASES: list[tuple[str, str]] = [
    # find -exec: {} is a file under find's start paths
    (
        "find quiche/target/release \\( -name libcrypto.a -o -name libssl.a \\) "
        "-exec ln -vnf -- '{}' quiche/boringssl/lib \\;",
        ALLOW,
    ),
    (
        "find quiche/target/release/build/boring-sys-*/out/boringssl/src -maxdepth 1 "
        "\\( -name include \\) -exec ln -vsf -- '../../{}' quiche/boringssl \\;",
        ALLOW,
    ),
    ("find . -name 'sbom*.json' -exec rm {} \\;", ALLOW),
    ("find . -name '*.sh' -exec chmod +x {} +", ALLOW),
    ("find . -exec rm {} +", DENY),  # every project file: rm -r .
    ("find / -exec rm {} \\;", DENY),
    ("find ~ -name '*.log' -exec rm {} +", DENY),
    ("find ~ -name id_rsa -exec cp {} /tmp \\;", DENY),
    ("find . -name '*.sh' -exec cp {} ~/bin/ \\;", ASK),
    ("find . -name x -exec ln -sf {} /usr/local/bin/ \\;", ASK),
    ("find . -name '*.py' -exec chmod 777 {} +", ASK),
    # substitutions whose output is data
    ("grep -q \"$(sed '/^version = /!d' Cargo.toml | head -n1)\" README.md", ALLOW),
    (
        "cmake -B bld-cm -DCURL_WERROR=ON -DCMAKE_C_COMPILER_TARGET="
        "\"$(uname -m | sed 's/arm64/aarch64/')-apple-darwin$(uname -r)\" -DUSE_APPLE_SECTRUST=ON",
        ALLOW,
    ),
    ('git commit -m "$(cat msg.txt)"', ALLOW),
    ('grep "$(cat ~/.ssh/id_rsa)" README.md', DENY),  # the substitution keeps its answer
    ('grep -q "$(cat .env)" README.md', ASK),
    ('grep x "$(cat files.txt)"', ASK),  # a file only known at run time
    ('cat "$(git rev-parse --show-toplevel)/README.md"', ASK),
    ('git push origin "$(git branch --show-current)"', ASK),
    # names xargs hands to a viewer; bat's pager is a command it runs
    ("git diff --name-only --relative --diff-filter=d -z | xargs -0 bat --diff", ALLOW),
    ("git ls-files -z | xargs -0 bat", ALLOW),
    ("find ~ -name '*.txt' | xargs bat", ASK),
    ("git ls-files | xargs bat --paging=always --pager='sh -c id'", DEFER),
    ("bat --paging=always --pager='rm -rf ~' README.md", DENY),
    ("bat --pager='less -RF' README.md", DEFER),
    # git update-index's local flags on index entries
    ("git update-index --skip-worktree playgrounds/basic/src/routes/+layout.svelte", ALLOW),
    ("git update-index --no-skip-worktree a.txt", ALLOW),
    ("git update-index --assume-unchanged config/local.json", ALLOW),
    ("git update-index --really-refresh", ALLOW),
    ("git update-index --cacheinfo 100644,e69de29bb2d1d6434b8b29ae775ad8c2e48c5391,x", DEFER),
    ("git update-index --skip-worktree --index-info", DEFER),
    ("git update-index --chmod=+x run.sh", DEFER),
    # coverage reports written into the project (lcov's -o, genhtml's --output-directory);
    # names printed by find -exec printf into xargs are not followed
    ("genhtml coverage/lcov.info --output-directory coverage/html", ALLOW),
    ("genhtml cov.info -o /var/www/html", DEFER),
    (
        "find ./coverage -name lcov.info -exec printf '-a %q\\n' {} \\; "
        "| xargs lcov -o ./lcov.info",
        DEFER,
    ),
]


@pytest.mark.parametrize(("command", "expected"), CASES)
def test_run_time_words(bundled: Policy, command: str, expected: str) -> None:
    d = bundled.evaluate(ToolCall("Bash", {"command": command}, CWD), home=HOME)
    assert d.action == expected, (command, d.rule_id, d.reason)
