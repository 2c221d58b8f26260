"""What reading a piece of Python or JavaScript found: effects as shell command lines, gaps.

An *effect* is something the code would do to the machine, written as the shell command
that does the same (``shutil.rmtree(p)`` -> ``rm -rf -- p``, ``requests.post(u)`` ->
``curl -s -X POST -d @- u``, ``os.system(s)`` -> ``s`` itself), so the shell analysis and
the same rules judge it. A *gap* is something the reader could not follow (a string only
known at run time given to ``exec``, a path only known at run time given to a deletion, an
unknown module's function): the code was not fully analysed. Plain ``__slots__`` classes:
this module is imported on the hook path when a call carries code.
"""

from __future__ import annotations

import shlex


class Effect:
    """One thing the code would do: ``shell`` is the equivalent command line, ``line`` its
    1-based line in the code."""

    __slots__ = ("line", "shell")

    def __init__(self, line: int, shell: str) -> None:
        self.line = line
        self.shell = shell

    def __repr__(self) -> str:
        return f"Effect({self.line}, {self.shell!r})"


class Report:
    """Effects and gaps of one piece of code. ``complete`` is true when nothing was left
    unfollowed: everything the code does to the machine is in ``effects``."""

    __slots__ = ("_seen", "effects", "gaps")

    def __init__(self) -> None:
        self.effects: list[Effect] = []
        self.gaps: list[tuple[int, str]] = []
        self._seen: set[str] = set()

    @property
    def complete(self) -> bool:
        """True when the code was fully analysed."""
        return not self.gaps

    def effect(self, line: int, shell: str) -> None:
        """Record an effect, once per command line (its first line is shown): a file that
        reads one path in many places is judged once, within the command-count limit."""
        if shell not in self._seen:
            self._seen.add(shell)
            self.effects.append(Effect(line, shell))

    def gap(self, line: int, why: str) -> None:
        """Record something not followed (once per line and reason)."""
        if (line, why) not in self.gaps:
            self.gaps.append((line, why))

    def first_gap(self) -> str:
        """The first gap as "line N: reason" (for findings), or ""."""
        if not self.gaps:
            return ""
        line, why = min(self.gaps)
        more = f" (and {len(self.gaps) - 1} more)" if len(self.gaps) > 1 else ""
        return f"line {line}: {why}{more}"


# Environment variables that change what a program later started runs or loads: setting
# one in code is a gap (``LD_PRELOAD=x ls`` is judged by the shell rules; the code's child
# processes are judged without it).
RISKY_ENV = frozenset(
    {"LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "DYLD_INSERT_LIBRARIES",
     "DYLD_LIBRARY_PATH", "PATH", "BASH_ENV", "ENV", "PROMPT_COMMAND", "NODE_OPTIONS",
     "NODE_PATH", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "PERL5OPT", "RUBYOPT",
     "GIT_SSH_COMMAND", "GIT_SSH", "GIT_EXEC_PATH", "GIT_EXTERNAL_DIFF", "GIT_PAGER", "PAGER",
     "EDITOR", "VISUAL", "GIT_EDITOR", "SHELL", "HOME", "GIT_ASKPASS", "SSH_ASKPASS",
     "SUDO_ASKPASS", "LESSOPEN", "BROWSER", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_PARAMETERS"}
)  # fmt: skip


def word(text: str) -> str:
    """One shell word for ``text``; a leading ``~`` stays unquoted so the shell (and the
    analysis) expands it to the home directory, as ``expanduser`` / ``os.homedir()`` did."""
    if text == "~":
        return "~"
    if text.startswith("~/"):
        rest = text[2:]
        return "~/" + shlex.quote(rest) if rest else "~/"
    return shlex.quote(text)


def command(*words: str) -> str:
    """A shell command line of already-quoted words."""
    return " ".join(words)


def curl(url: str, method: str = "GET", *, data: bool = False, out: str | None = None) -> str:
    """The curl command line that does what an HTTP call does: a read (GET/HEAD) or a
    request that sends data (any other method, or a body)."""
    parts = ["curl", "-s"]
    method = method.upper()
    if out is not None:
        parts += ["-o", word(out)]
    if method == "HEAD":
        parts.append("-I")
    elif method not in ("GET", "OPTIONS") or data:
        parts += ["-X", shlex.quote(method if method != "GET" else "POST"), "-d", "@-"]
    parts.append(shlex.quote(url))
    return command(*parts)
