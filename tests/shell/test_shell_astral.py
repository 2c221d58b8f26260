"""Characters above U+FFFF: the parser can crash the process on them (tree-sitter-bash
#337), so they never reach it; results still show them as written."""

from __future__ import annotations

import subprocess
import sys

from shell_helpers import Analyze, only

# Random lines of braces and astral characters, analyzed in a child process: a crash of the
# parser kills that process (SIGSEGV), which a test in this process could not observe.
_CRASH_CORPUS = """
import random
from superego_mcp.shell import analyze
random.seed(7)
for _ in range(3000):
    bits = ["{", "}", " ", "x", "$", "(", '"']
    line = "".join(
        random.choice([*bits, chr(random.randint(0x10000, 0x10FFFF))])
        for _ in range(random.randint(2, 30))
    )
    analyze(line, cwd="/w", home="/h")
print("survived")
"""


def test_braces_with_astral_characters_do_not_crash_the_process() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CRASH_CORPUS], capture_output=True, text=True, timeout=100
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "survived"


def test_astral_characters_are_kept_in_results(run: Analyze, dirs: tuple[str, str]) -> None:
    _, home = dirs
    result = run("echo {a,b} 🚀 > ~/🚀.txt; rm -rf ~/😀dir")
    assert not result.failed, result.findings
    echo = only(result, "echo")
    assert echo.argv == ("a", "b", "🚀")
    assert echo.redirects[0].target == f"{home}/🚀.txt"
    assert only(result, "rm").paths == (f"{home}/😀dir",)
    assert "🚀" in echo.text


def test_astral_program_name(run: Analyze) -> None:
    assert only(run("{😀"), "{😀").argv == ()


def test_private_use_characters_mixed_with_astral_fail_closed(run: Analyze) -> None:
    assert run("echo \ue000 😀").failed
    assert not run("echo \ue000").failed
