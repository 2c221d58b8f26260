"""The hook's last line of defence: an error nothing else catches, inside the judging
process, answers with the fail mode (never allow, never defer); when even that answer
cannot be written, exit 2, which every agent takes as a block."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support.hook import bash

# hook.cache fails to import inside handle()'s try, after the input was parsed: nothing
# but the final `except BaseException` sees it.
BROKEN = (
    "import sys; sys.modules['superego_mcp.hook.cache'] = None\n"
    "from superego_mcp.cli import main; main(['hook', *sys.argv[1:]])"
)


def _hook(
    prelude: str, args: list[str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[bytes]:
    """``superego-mcp hook ARGS`` for a Bash call, in a process that runs ``prelude``."""
    return subprocess.run(
        [sys.executable, "-c", prelude, *args],
        input=json.dumps(bash("ls", cwd=str(cwd))).encode(),
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(("args", "expected"), [([], "ask"), (["--fail-mode", "deny"], "deny")])
def test_an_internal_error_answers_the_fail_mode(
    hook_env: dict[str, str], tmp_path: Path, args: list[str], expected: str
) -> None:
    r = _hook(BROKEN, args, hook_env, tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)["hookSpecificOutput"]
    assert out["permissionDecision"] == expected
    assert "internal error (ModuleNotFoundError)" in out["permissionDecisionReason"]


# The agents' wire module fails to import: the input cannot be decoded, and the fail-closed
# answer cannot be rendered either.
UNRENDERABLE = (
    "import sys; sys.modules['superego_mcp.hook.agents.wire'] = None\n"
    "from superego_mcp.cli import main; main(['hook', *sys.argv[1:]])"
)


@pytest.mark.parametrize("agent", [[], ["--agent", "codex"], ["--agent", "cursor"]])
def test_an_answer_that_cannot_be_rendered_blocks_with_exit_2(
    hook_env: dict[str, str], tmp_path: Path, agent: list[str]
) -> None:
    r = _hook(UNRENDERABLE, agent, hook_env, tmp_path)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == b""
    assert b"could not judge this tool call: internal error" in r.stderr
