"""The everyday and dangerous corpora: loading them and judging them with a policy.

Shared by ``tests/corpus/test_corpus.py`` and ``bench/bench_corpus.py``. Each corpus is a YAML
mapping of family -> list of calls; a string is a Bash command line, a mapping is
``{tool, input}``; ``{command, source}`` is a Bash command line with where it was found
(the public corpus); ``{command, files}`` a Bash command line judged in a temporary project
holding ``files`` (name -> text; e.g. a package.json whose install scripts it runs), with
``written``: those of them the agent wrote earlier in the session (``by`` a tool, default
Write; session memory), ``executable``: those of them made executable (git hooks),
``committed``: a git work tree whose one commit holds these files (name -> text) before
``files`` are written over them, and ``links``: symlinks made in the project (name -> target
as written, relative to it; a missing target is made a directory). Calls are judged as
``superego-mcp check`` judges examples: in ``/home/user/project`` with home ``/home/user``;
a command entry's ``cwd`` (relative to the project) is the directory its source ran it in
(`cd build` on the line before), the project staying ``/home/user/project``. ``asks`` on an
entry says why a public everyday call is rightly interrupted (it reaches outside the project
or throws work away): the corpus test checks that it is asked, and reports it apart.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from superego_mcp.decide import decide
from superego_mcp.model import ToolCall
from superego_mcp.policy import Policy

HERE = Path(__file__).parent
EVERYDAY = HERE / "everyday.yaml"
DANGEROUS = HERE / "dangerous.yaml"
PUBLIC = HERE / "public_everyday.yaml"
# The public corpus's family whose answer is the install family's setting, measured apart.
INSTALLS = "installs"
HOME = "/home/user"
CWD = "/home/user/project"


class Case:
    """One corpus entry: its family, the call, and how to show it."""

    __slots__ = ("asks", "call", "family", "text")

    def __init__(self, family: str, call: ToolCall, text: str, asks: str = "") -> None:
        self.family = family
        self.call = call
        self.text = text
        # Why this everyday call is rightly asked about ("" for an ordinary one).
        self.asks = asks


def load(path: Path) -> list[Case]:
    """Every call of a corpus file, in file order."""
    data: dict[str, list[Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases: list[Case] = []
    for family, entries in data.items():
        for entry in entries:
            if isinstance(entry, str):
                cases.append(Case(family, ToolCall("Bash", {"command": entry}, CWD), entry))
            elif "files" in entry:
                cases.append(_with_files(family, entry))
            elif "command" in entry:
                text = entry["command"]
                cwd = f"{CWD}/{entry['cwd']}" if "cwd" in entry else CWD
                call = ToolCall("Bash", {"command": text}, cwd, project=CWD)
                shown = f"(in {entry['cwd']}) {text}" if "cwd" in entry else text
                cases.append(Case(family, call, shown, entry.get("asks", "")))
            else:
                call = ToolCall(entry["tool"], dict(entry["input"]), CWD)
                cases.append(Case(family, call, f"{entry['tool']} {entry['input']!r}"))
    return cases


_PROJECTS: list[tempfile.TemporaryDirectory[str]] = []


def _with_files(family: str, entry: dict[str, Any]) -> Case:
    """A Bash call judged in a project of its own holding ``files`` (name -> text): what an
    install runs of the project (package.json scripts) is read from disk."""
    holder = tempfile.TemporaryDirectory(prefix="superego-corpus-")
    _PROJECTS.append(holder)  # removed when the process ends
    project = Path(holder.name).resolve() / "project"
    committed = entry.get("committed")
    if committed is not None:
        _commit(project, committed)
    for name, text in entry["files"].items():
        target = project / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if name in entry.get("executable", ()):
            target.chmod(0o755)
    for name, pointed in entry.get("links", {}).items():
        link = project / name
        link.parent.mkdir(parents=True, exist_ok=True)
        (link.parent / pointed).mkdir(parents=True, exist_ok=True)
        link.symlink_to(pointed)
    command = entry["command"]
    call = ToolCall("Bash", {"command": command}, str(project), project=str(project))
    written = entry.get("written", [])
    if written:  # written by the agent earlier in the session (superego_mcp.memory)
        from superego_mcp.memory import FileStore, Written, open_memory

        store = str(Path(holder.name) / "writes")
        by = entry.get("by", "Write")
        FileStore(store).append("corpus", [Written(str(project / w), by, 1.0) for w in written])
        call.session_id = "corpus"
        call.memory = open_memory("corpus", store)
    shown = f"{command} (with {', '.join(entry['files'])}"
    return Case(family, call, shown + (f"; {by} wrote {', '.join(written)})" if written else ")"))


def _commit(project: Path, files: dict[str, str]) -> None:
    """Make ``project`` a git work tree whose one commit holds ``files``."""
    import subprocess

    for name, text in files.items():
        target = project / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    project.mkdir(parents=True, exist_ok=True)
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "--allow-empty", "-m", "c")):
        subprocess.run(
            ["git", "-c", "user.name=c", "-c", "user.email=c@example.com", *args],
            cwd=project,
            check=True,
            capture_output=True,
        )


def judge(policy: Policy, case: Case) -> str:
    """The final answer for a case: what an agent would get with no reviewer configured
    (``review`` resolves to ask, any error fails closed)."""
    return decide(policy, case.call, home=HOME).action


def rates(policy: Policy, cases: list[Case]) -> tuple[Counter[str], list[tuple[Case, str]]]:
    """Counts per final action, and every (case, action)."""
    results = [(c, judge(policy, c)) for c in cases]
    return Counter(a for _, a in results), results
