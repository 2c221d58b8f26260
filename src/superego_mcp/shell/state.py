"""The analyzer's walking state: what is known (``Scope``), where it is (``Ctx``), what it
has recorded so far (``Walker``), the two ways a walk stops early, and the walk's one
dispatch (``Walk``).

The walk itself is plain functions over a ``Walker``: :mod:`.statements` (the syntax tree,
word expansion and its substitutions, simple command nodes and their redirections),
:mod:`.simple_command` (a command after expansion), :mod:`.code_text`, :mod:`.scripts`,
:mod:`.pipes` and :mod:`.redirections`. They import each other only downwards (statements >
pipes > simple_command > code_text > scripts; redirections under the first two). A line
without code inside its commands is walked top-down only; where a lower one finds code to
walk again (``bash -c``, a script, a function, ``python -m``, a variable or git config that
holds a command) it goes back in through ``Walker.walk``, the entry points :mod:`.walk`
gathers.
"""

from __future__ import annotations

from .. import paths as _paths
from . import astral
from .model import Command, Finding
from .words import clip

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from typing import Protocol

    from tree_sitter import Node

    from .containers import Mounts
    from .model import Redirect
    from .words import Field

    class Walk(Protocol):
        """The walk's entry points for code found inside a command (checked by mypy against
        the module :mod:`.walk`, which is what :func:`.analyzer.analyze` gives)."""

        def source(
            self,
            w: Walker,
            text: str,
            scope: Scope,
            ctx: Ctx,
            origin: tuple[str, int] | None = None,
        ) -> None:
            """Parse and walk shell text (:func:`.statements.source`)."""

        def call_function(
            self, w: Walker, name: str, args: list[Field], scope: Scope, ctx: Ctx
        ) -> None:
            """Walk a function's body (:func:`.statements.call_function`)."""

        def run(
            self,
            w: Walker,
            fields: list[Field],
            unknown: bool,
            env_scope: Scope,
            scope: Scope,
            ctx: Ctx,
            *,
            redirects: list[Redirect],
            stdin: str | None,
            assignments: tuple[str, ...],
            text: str,
            subst: dict[int, tuple[int, int]],
        ) -> None:
            """Run a command given as fields (:func:`.simple_command.run`)."""


# Programs that only look at a file: naming a file earlier on the line does not change
# it (a script a command runs, a config file git reads).
_LOOKS_ONLY = frozenset(
    {
        "chmod",
        "ls",
        "cat",
        "test",
        "[",
        "stat",
        "file",
        "head",
        "tail",
        "wc",
        "less",
        "more",
        "grep",
        "rg",
        "shellcheck",
        "bash",
        "sh",
        "source",
        "diff",
        "md5sum",
        "sha256sum",
        "git",
        "echo",
        "printf",
        "cd",
    }
)
_TEXT_LIMIT = 200
_DETAIL_LIMIT = 300


class Limit(Exception):
    """Over a size / depth / count limit."""


class Unparseable(Exception):
    """The parser could not make sense of (part of) the source."""


class Scope:
    """What is known at a point of the walk. Copied for subshells and branches."""

    __slots__ = ("aliases", "cwd", "funcs", "positional", "vars")

    def __init__(self) -> None:
        self.vars: dict[str, str | None] = {}
        self.positional: list[str] | None = None  # None: unknown ($1 of the hook's shell)
        self.cwd: str | None = None
        self.funcs: dict[str, Node] = {}
        self.aliases: dict[str, str] = {}

    def copy(self) -> Scope:
        """An independent copy (subshells, branches)."""
        new = Scope()
        new.vars = dict(self.vars)
        new.positional = None if self.positional is None else list(self.positional)
        new.cwd = self.cwd
        new.funcs = dict(self.funcs)
        new.aliases = dict(self.aliases)
        return new

    def merge(self, branch: Scope) -> None:
        """After a branch that may or may not have run: differing values become unknown."""
        for name in set(self.vars) | set(branch.vars):
            if self.vars.get(name, "\0unset") != branch.vars.get(name, "\0unset"):
                self.vars[name] = None
        if self.cwd != branch.cwd:
            self.cwd = None
        self.funcs.update(branch.funcs)
        self.aliases.update(branch.aliases)

    def lookup(self, name: str) -> str | None:
        """A variable's value: known text, or None when only known at run time."""
        if name in self.vars:
            return self.vars[name]
        if self.positional is not None:
            if name.isdigit():
                k = int(name)
                if k == 0:
                    return None
                return self.positional[k - 1] if k <= len(self.positional) else ""
            if name in ("@", "*"):
                return " ".join(self.positional)
            if name == "#":
                return str(len(self.positional))
        return None


class Ctx:
    """Where the walk is: how we got here (``via``), nesting depth, enclosing pipelines."""

    __slots__ = ("depth", "pipes", "via")

    def __init__(self, via: tuple[str, ...], depth: int, pipes: tuple[tuple[int, int], ...]):
        self.via = via
        self.depth = depth
        self.pipes = pipes

    def nested(self, label: str | None, *, keep_pipes: bool = False) -> Ctx:
        """One level deeper, reached through ``label`` (outside any pipeline unless kept)."""
        via = (*self.via, label) if label else self.via
        return Ctx(via, self.depth + 1, self.pipes if keep_pipes else ())


class Walker:
    """The state of one analysis: the commands and findings recorded so far (bounded by
    ``max_commands``), the cross-command facts later commands need (what feeds a pipe, text
    fed on stdin, files downloaded earlier on the line) and the work counters that keep
    fan-out bounded."""

    def __init__(
        self,
        home: str,
        max_depth: int,
        max_commands: int,
        *,
        walk: Walk,
        read_scripts: bool = True,
    ) -> None:
        self.home = home
        self.walk = walk  # the way back in for code found inside a command
        self.max_depth = max_depth
        self.max_commands = max_commands
        self.commands: list[Command] = []
        self.pipes: list[tuple[tuple[int, int], ...]] = []
        self.findings: list[Finding] = []
        self.reads_program: set[int] = set()  # shells/interpreters reading code from stdin
        self.stdin_text: dict[int, str] = {}  # heredoc / herestring text fed to a command
        # heredoc / herestring texts with parts only known at run time (kept as written)
        self.dynamic_texts: set[str] = set()
        self.stdin_feed: dict[int, tuple[int, int]] = {}  # commands feeding "< <(...)"
        self.downloaded: set[str] = set()  # files a downloader writes earlier on the line
        self.pipe_ids = 0
        self.steps = 0
        self.call_stack: list[str] = []
        # Every function definition seen (name, body, scope) and the bodies called so far
        # (by identity: the Node objects stay alive in `defined`).
        self.defined: list[tuple[str, Node, Scope]] = []
        self.called: set[int] = set()
        self.alias_stack: list[str] = []
        # Scripts read from disk (see .scripts): whether to read them, how many files and
        # bytes were read, what is being walked (to stop loops), the text being walked
        # (a script's (file, first line) or None for text from the command line) and the
        # "FILE:LINE" of the script statement being walked, given to commands as origin.
        self.read_scripts = read_scripts
        self.files_read = 0
        self.bytes_read = 0
        self.script_stack: list[str] = []
        self.file_cache: dict[str, str] = {}
        self.func_origin: dict[int, tuple[str, int]] = {}  # id(body) -> its script
        self.sources: list[tuple[str, int] | None] = []
        self.where: str | None = None
        self.encoded = False  # some script text needed astral encoding
        # Files whose whole text was analysed besides the shell scripts read (file_cache):
        # an analyser of another language (superego_mcp.lang) adds each file it analysed
        # completely, so that running a file the agent wrote is judged by its content
        # (superego_mcp.memory) rather than asked about.
        self.analysed: set[str] = set()
        # While a container's command is walked: its bind mounts, through which its paths
        # are the host's (shell.containers.Mounts); None on the host.
        self.mounts: Mounts | None = None

    def path_forms(self, word: str, scope: Scope) -> tuple[str, ...]:
        """Normalized forms of a path word; () when it cannot be resolved."""
        if not word or "\n" in word or "\0" in word or "://" in word:
            return ()
        if word.startswith("/dev/fd/") or word in (
            "/dev/null",
            "/dev/stdin",
            "/dev/stdout",
            "/dev/stderr",
            "/dev/tty",
        ):
            return (word,)
        if not word.startswith("/") and scope.cwd is None:
            # In a container whose directory is not known (the image's), a relative name
            # may be anywhere: under every mount, or the container's own.
            return () if self.mounts is None else self.mounts_forms("/")
        # Tilde was already expanded if unquoted; a literal '~' left here is a file name.
        safe = "./" + word if word.startswith("~") else word
        # Resolve symlinks on the real name; results are re-encoded until the end.
        plain = astral.decode(safe)
        if self.mounts is None:
            forms = _paths.normalize(plain, scope.cwd or "/", self.home)
        else:
            cwd = self.mounts.inside(scope.cwd) if scope.cwd is not None else "/"
            forms = self.mounts_forms(_paths.lexical(plain, cwd, self.home))
        return tuple(astral.encode(f) for f in forms)

    def written_before(self, k: int, forms: tuple[str, ...]) -> bool:
        """Whether a command before ``k`` on the line writes (or may write) one of ``forms``."""
        wanted = set(forms)
        for cmd in self.commands[:k]:
            if any(r.writes and r.target in wanted for r in cmd.redirects):
                return True
            if cmd.program not in _LOOKS_ONLY and wanted.intersection(cmd.paths):
                return True
        return False

    def place(self, word: str, cwd: str) -> str:
        """The lexical host path a word names from ``cwd`` (a directory or file an option
        gives: ``make -C DIR``, ``--prefix DIR``): in a container, through its mounts; a
        place of the container's own, or above mounts, is not the host's (nothing there
        is read)."""
        mounts = self.mounts
        if mounts is None:
            return _paths.lexical(word, cwd, self.home)
        plain = _paths.lexical(word, mounts.inside(cwd), self.home)
        return mounts.directory(plain) or mounts.local + plain

    def mounts_forms(self, path: str) -> tuple[str, ...]:
        """A path of the container whose command is walked, as the host paths it is
        (through its mounts; symlinks resolved on the host) or the container's own."""
        mounts = self.mounts
        assert mounts is not None
        out: list[str] = []
        for form in mounts.forms(path):
            local = form.startswith(mounts.local)  # the container's own: never on disk
            out.extend((form,) if local else _paths.normalize(form, "/", "/"))
        return tuple(dict.fromkeys(out))

    def add(self, cmd: Command, ctx: Ctx, assignments: tuple[str, ...] = ()) -> int:
        """Record a command (bounded by ``max_commands``); return its index."""
        if len(self.commands) >= self.max_commands:
            raise Limit(f"more than {self.max_commands} commands")
        if assignments:
            cmd.assignments = assignments
        if cmd.origin is None:
            cmd.origin = self.where
        self.commands.append(cmd)
        self.pipes.append(ctx.pipes)
        return len(self.commands) - 1

    def finding(self, kind: str, detail: str, k: int | None = None) -> None:
        """Record a finding once per kind and command."""
        if not any(f.kind == kind and f.command == k for f in self.findings):
            self.findings.append(Finding(kind, detail, k))


def clip_text(text: str, limit: int = _TEXT_LIMIT) -> str:
    """``text`` shortened for a command's ``text`` or a finding's detail."""
    return clip(text, limit)


def code_detail(program: str, code: str) -> str:
    """A finding's detail for code a program runs: the program and the code, shortened."""
    return clip_text(f"{program}: {code}", _DETAIL_LIMIT)


def dedupe(items: tuple[str, ...]) -> tuple[str, ...]:
    """``items`` without repeats, in first-seen order."""
    return tuple(dict.fromkeys(items))
