"""The peer corpus: other guards' labelled test cases, judged as Claude Code's hook would.

Shared by ``tests/corpus/test_peer_corpus.py`` and ``bench/bench_peer.py``. The corpus is
not part of this repository (it is the peers' test data): it is read from
``$SUPEREGO_TEST_PEER_CORPUS`` when set, else ``../shared/peer-corpus/corpus3.jsonl`` beside the
clone. Each case is run in a throwaway home with the cwd at a project inside it (``{HOME}``
and ``{CWD}`` in the case are replaced by those paths), judged by the hook's own code: the
hook's compiled-policy cache, its input parser, its project placement and its decision path
(``hook.runner``), in this process for speed. :func:`hook_subprocess` runs the real
``superego-mcp hook`` process on a case, to show the two agree.

Labels (see the corpus README): ``block`` wants deny or ask; ``allow`` wants allow and never
ask/deny; ``confirm`` wants anything but allow. Cases we think are mislabelled are listed,
with the reason, in ``docs/peer-corpus.md`` (:func:`disagreements`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO.parent / "shared" / "peer-corpus" / "corpus3.jsonl"
DISAGREEMENTS = REPO / "docs" / "peer-corpus.md"
EXPECTS = ("block", "allow", "confirm")
ACTIONS = ("allow", "defer", "ask", "deny")


def corpus_path() -> Path | None:
    """Where the corpus is, or ``None`` when it is not on this machine."""
    given = os.environ.get("SUPEREGO_TEST_PEER_CORPUS")
    path = Path(given) if given else DEFAULT_CORPUS
    return path if path.is_file() else None


class PeerCase:
    """One labelled call: its id, command family, label, peers and the tool call (with the
    ``{HOME}``/``{CWD}`` placeholders still in it)."""

    __slots__ = ("cls", "expect", "id", "peers", "source", "tool_input", "tool_name")

    def __init__(self, row: dict[str, Any]) -> None:
        self.id: str = row["id"]
        self.cls: str = row["class"]
        self.expect: str = row["expect"]
        self.peers: tuple[str, ...] = tuple(row["peers"])
        self.source: tuple[str, ...] = tuple(row.get("source", ()))
        self.tool_name: str = row["tool_name"]
        self.tool_input: dict[str, Any] = row["tool_input"]
        if self.expect not in EXPECTS:
            raise ValueError(f"{self.id}: unknown expect {self.expect!r}")

    @property
    def text(self) -> str:
        """How the case reads in a report: the command, else the tool and its input."""
        command = self.tool_input.get("command")
        if self.tool_name == "Bash" and isinstance(command, str):
            return command
        return f"{self.tool_name} {json.dumps(self.tool_input, sort_keys=True)}"


def load(path: Path) -> list[PeerCase]:
    """Every case of the corpus file, in file order."""
    with path.open(encoding="utf-8") as f:
        return [PeerCase(json.loads(line)) for line in f if line.strip()]


def _substitute(value: Any, home: str, cwd: str) -> Any:
    if isinstance(value, str):
        return value.replace("{HOME}", home).replace("{CWD}", cwd)
    if isinstance(value, list):
        return [_substitute(v, home, cwd) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, home, cwd) for k, v in value.items()}
    return value


class Sandbox:
    """A throwaway home with a project directory in it, and the environment a hook process
    gets there: HOME, its own cache and config, no ``SUPEREGO_*`` settings of the caller's,
    the audit trail off (it does not change answers), ``CLAUDE_PROJECT_DIR`` the project."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.project = self.home / "project"
        self.project.mkdir(parents=True)
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SUPEREGO_")}
        for k in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "http_proxy", "https_proxy"):
            env.pop(k, None)
        env.update(
            HOME=str(self.home),
            SUPEREGO_CACHE_DIR=str(root / "cache"),
            SUPEREGO_AUDIT="off",
            XDG_STATE_HOME=str(root / "state"),
            CLAUDE_PROJECT_DIR=str(self.project),
        )
        self.env = env

    def payload(self, case: PeerCase) -> dict[str, object]:
        """The PreToolUse hook input Claude Code would send for ``case`` here."""
        home, cwd = str(self.home), str(self.project)
        return {
            "session_id": "peer-corpus",
            "transcript_path": str(self.home / "transcript.jsonl"),
            "cwd": cwd,
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": case.tool_name,
            "tool_input": _substitute(case.tool_input, home, cwd),
            "tool_use_id": f"toolu_{case.id}",
        }


@contextmanager
def sandbox() -> Iterator[Sandbox]:
    """A :class:`Sandbox` in a temp dir, removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="superego-peer-"))
    try:
        yield Sandbox(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def action_of(code: int, stdout: bytes) -> str:
    """The answer Claude Code takes from a hook's exit code and PreToolUse output:
    ``allow`` / ``ask`` / ``deny``, ``defer`` for no decision (``{}``), exit 2 = deny."""
    if code == 2:
        return "deny"
    if code != 0:
        return f"error (exit {code})"
    out = json.loads(stdout)
    if out == {}:
        return "defer"
    decision = out["hookSpecificOutput"]["permissionDecision"]
    return str(decision)


class InProcessHook:
    """The hook's decision path without the process: one compiled policy (through the
    hook's own cache), then per call the hook's parser, placement and ``_judge``."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box
        with self._environment():
            from superego_mcp.hook.cache import load as load_compiled

            self.compiled = load_compiled(None, None, str(box.project))

    @contextmanager
    def _environment(self) -> Iterator[None]:
        saved = dict(os.environ)
        cwd = Path.cwd()
        os.environ.clear()
        os.environ.update(self.box.env)
        os.chdir(self.box.project)
        try:
            yield
        finally:
            os.chdir(cwd)
            os.environ.clear()
            os.environ.update(saved)

    def judge_all(self, cases: Iterable[PeerCase]) -> list[tuple[PeerCase, str]]:
        """Each case and the answer the hook gives it."""
        from superego_mcp.hook import runner
        from superego_mcp.hook.agents import claude, wire

        mode = self.compiled.fail_mode
        results: list[tuple[PeerCase, str]] = []
        with self._environment():
            for case in cases:
                raw = json.dumps(self.box.payload(case)).encode()
                request = claude.parse_hook_input(
                    wire.decode_hook_input(raw), default_cwd=str(self.box.project)
                )
                call = request.call
                assert call is not None
                runner._place(call)
                out = runner._judge(self.compiled, claude, request, call, mode)
                results.append((case, action_of(out.code, out.stdout)))
        return results


def hook_script() -> str:
    """The installed ``superego-mcp`` console script next to this interpreter."""
    found = shutil.which("superego-mcp", path=str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError("superego-mcp is not installed next to this interpreter (uv sync)")
    return found


def hook_subprocess(box: Sandbox, case: PeerCase, timeout: float = 60) -> str:
    """The answer of a real ``superego-mcp hook`` process to ``case`` (cwd the project)."""
    proc = subprocess.run(
        [hook_script(), "hook"],
        input=json.dumps(box.payload(case)).encode(),
        capture_output=True,
        env=box.env,
        cwd=box.project,
        timeout=timeout,
        check=False,
    )
    return action_of(proc.returncode, proc.stdout)


# A table row whose first cell holds one case id, or several (a group disputed for one reason).
_ROW = re.compile(r"^\|((?:\s*`?p\d{4,}`?,?)+)\s*\|", re.MULTILINE)
_ID = re.compile(r"p\d{4,}")


def disagreements(path: Path = DISAGREEMENTS) -> set[str]:
    """Ids of the cases whose label we dispute (table rows of ``docs/peer-corpus.md`` whose
    first cell is a case id or a list of them)."""
    if not path.is_file():
        return set()
    text = path.read_text(encoding="utf-8")
    return {i for cell in _ROW.findall(text) for i in _ID.findall(cell)}


def wrong(case: PeerCase, action: str) -> bool:
    """Whether ``action`` misses the case's label (``block``: not deny/ask; ``allow``: not
    allow; ``confirm``: allow)."""
    if case.expect == "block":
        return action not in ("deny", "ask")
    if case.expect == "allow":
        return action != "allow"
    return action == "allow"


class Rates:
    """Counts of answers per label for one group of cases."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {e: Counter() for e in EXPECTS}

    def add(self, case: PeerCase, action: str) -> None:
        """Count one judged case."""
        self.counts[case.expect][action] += 1

    def n(self, expect: str) -> int:
        """How many cases carry label ``expect``."""
        return sum(self.counts[expect].values())

    def share(self, expect: str, *actions: str) -> float:
        """The fraction of ``expect`` cases answered with one of ``actions`` (NaN when
        there are none)."""
        total = self.n(expect)
        if not total:
            return float("nan")
        return sum(self.counts[expect][a] for a in actions) / total

    def caught(self) -> float:
        """``block`` cases denied or asked."""
        return self.share("block", "deny", "ask")

    def allowed(self) -> float:
        """``allow`` cases allowed outright."""
        return self.share("allow", "allow")

    def interrupted(self) -> float:
        """``allow`` cases asked or denied."""
        return self.share("allow", "deny", "ask")

    def confirm_allowed(self) -> float:
        """``confirm`` cases allowed outright."""
        return self.share("confirm", "allow")


def tally(
    results: list[tuple[PeerCase, str]], skip: frozenset[str] | set[str] = frozenset()
) -> dict[str, Rates]:
    """Rates overall (``all``), per peer (``peer:NAME``) and per class (``class:NAME``),
    leaving out the cases whose ids are in ``skip``."""
    groups: dict[str, Rates] = defaultdict(Rates)
    for case, action in results:
        if case.id in skip:
            continue
        keys = ["all", *(f"peer:{p}" for p in case.peers), f"class:{case.cls}"]
        for key in keys:
            groups[key].add(case, action)
    return dict(groups)


def _pct(x: float) -> str:
    return "   -  " if x != x else f"{100 * x:5.1f}%"


def table(groups: dict[str, Rates]) -> str:
    """The rates as a fixed-width table: one line per group."""
    head = (
        f"{'group':28} {'block':>6} {'caught':>7} {'allowed':>8} | {'allow':>6} "
        f"{'allowed':>8} {'interr.':>8} | {'confirm':>7} {'allowed':>8}"
    )
    lines = [head, "-" * len(head)]
    order = sorted(groups, key=lambda k: (k != "all", not k.startswith("peer:"), k))
    for key in order:
        r = groups[key]
        lines.append(
            f"{key:28} {r.n('block'):6} {_pct(r.caught()):>7} "
            f"{r.counts['block']['allow']:8} | {r.n('allow'):6} {_pct(r.allowed()):>8} "
            f"{_pct(r.interrupted()):>8} | {r.n('confirm'):7} {_pct(r.confirm_allowed()):>8}"
        )
    return "\n".join(lines)
