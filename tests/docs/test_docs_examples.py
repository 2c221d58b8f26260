"""The docs' code blocks that show a policy or a command, run: what the docs say holds.

- Every ``yaml`` block that is a whole policy (a mapping with ``version`` and ``rules``) is
  written to a file and passes ``superego-mcp check`` (valid, every example as stated).
- In every ``sh`` block, the ``superego-mcp init | check | explain`` lines run in order, in a
  fresh directory per block (so ``init --path x.yaml`` then ``check --rules x.yaml`` works);
  each must succeed (``check`` exit 0, ``explain`` not 3), and an ``explain`` line ending in
  ``# => allow`` (``ask``, ``defer``, ``deny``) must give that answer (its exit status).
- docs/server.md's settings table is the one ``scripts/settings_table.py`` makes.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SCRIPT = str(Path(sys.executable).parent / "superego-mcp")
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
_RESULT = re.compile(r"#\s*=>\s*(allow|ask|defer|deny)\b")
_EXIT = {"allow": 0, "ask": 1, "defer": 1, "deny": 2}
_RUN = ("init", "check", "explain")


def _blocks(kind: tuple[str, ...]) -> list[tuple[str, str]]:
    """(``file:line``, text) of every fenced block whose language is in ``kind``."""
    found = []
    for doc in DOCS:
        text = doc.read_text()
        for m in _FENCE.finditer(text):
            if m.group(1) in kind:
                line = text.count("\n", 0, m.start()) + 1
                found.append((f"{doc.relative_to(ROOT)}:{line}", m.group(2)))
    return found


def _policies() -> list[tuple[str, str]]:
    out = []
    for where, text in _blocks(("yaml", "yml")):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            continue  # a fragment (one condition, a rule excerpt) is not a policy
        if isinstance(data, dict) and "version" in data and "rules" in data:
            out.append((where, text))
    return out


def _command_blocks() -> list[tuple[str, list[str]]]:
    out = []
    for where, text in _blocks(("sh", "bash", "console", "shell")):
        lines = [
            line.strip()
            for line in text.splitlines()
            if line.strip().startswith("superego-mcp ")
            and line.strip().split()[1:2] in ([c] for c in _RUN)
        ]
        if lines:
            out.append((where, lines))
    return out


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPEREGO_", "CLAUDE_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    env.update(XDG_CACHE_HOME=str(home / ".cache"), XDG_STATE_HOME=str(home / ".state"))
    return env


def _run(argv: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_env(home),
        timeout=120,
        check=False,
    )


def test_the_docs_have_blocks_to_run() -> None:
    # A guard against the harness quietly finding nothing (a renamed fence, a moved doc).
    assert len(_policies()) >= 3
    assert sum(len(lines) for _, lines in _command_blocks()) >= 5


@pytest.mark.parametrize(("where", "text"), _policies(), ids=lambda v: str(v)[:40])
def test_policy_blocks_pass_check(where: str, text: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    policy = tmp_path / "policy.yaml"
    policy.write_text(text)
    r = _run(["check", "--rules", str(policy)], tmp_path, home)
    assert r.returncode == 0, f"{where}: {r.stdout}{r.stderr}"


@pytest.mark.parametrize(("where", "lines"), _command_blocks(), ids=lambda v: str(v)[:40])
def test_command_blocks_run_and_their_shown_results_hold(
    where: str, lines: list[str], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    project = home / "project"
    project.mkdir(parents=True)
    (project / ".git").mkdir()  # a repository: the project root is this directory
    for line in lines:
        argv = shlex.split(line, comments=True)[1:]
        r = _run(argv, project, home)
        shown = _RESULT.search(line)
        if argv[0] == "explain":
            assert r.returncode != 3, f"{where}: {line}: {r.stderr}"
            if shown:
                expected = _EXIT[shown.group(1)]
                assert r.returncode == expected, f"{where}: {line}:\n{r.stdout}"
        else:
            assert r.returncode == 0, f"{where}: {line}: {r.stdout}{r.stderr}"


def test_the_settings_table_is_generated_from_the_settings_model() -> None:
    spec = importlib.util.spec_from_file_location(
        "settings_table", ROOT / "scripts/settings_table.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.DOC.read_text()
    assert module.render(text) == text, (
        "docs/server.md's settings table differs from config.Settings: run "
        "`python3 scripts/uv.py run python scripts/settings_table.py`"
    )
