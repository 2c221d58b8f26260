"""Walk a tree-sitter-bash tree and list every command that would run.

The walk follows bash's evaluation order closely enough to track what is statically known:
variables, functions and aliases defined earlier on the line, the working directory after
``cd``, positional parameters of ``bash -c`` and of function calls. Anything it cannot see
through becomes a finding (``UNPARSEABLE``, ``TOO_COMPLEX``, ``DYNAMIC_PROGRAM``) so the
engine fails closed. Recursion is bounded: the tree's depth is checked (iteratively) before
walking, and every nested source (``bash -c``, ``eval``, substitutions) counts against
``max_depth``.

This module is the entry point; the walk lives in :mod:`.statements` (statements, lists,
pipelines, compound commands, functions and aliases), :mod:`.simple_command` (one simple
command to a ``Command``), :mod:`.redirections` and :mod:`.code_text` (code given as text:
``bash -c``, ``eval``, ``source``, heredocs, interpreters), all over the ``Walker`` of
:mod:`.state`, which carries :mod:`.walk` (their one way back in).
"""

from __future__ import annotations

from . import astral, statements, walk
from .model import REVERSE_SHELL, TOO_COMPLEX, UNPARSEABLE, Analysis, Command, Finding
from .state import Ctx, Limit, Scope, Unparseable, Walker, clip_text
from .words import IFS_DEFAULT

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Mapping


def _decode_results(commands: list[Command], findings: list[Finding]) -> None:
    """Map the private-use stand-ins of :mod:`astral` back in every string of the result."""
    d = astral.decode
    for cmd in commands:
        cmd.program, cmd.program_path, cmd.text = d(cmd.program), d(cmd.program_path), d(cmd.text)
        cmd.argv = tuple(map(d, cmd.argv))
        cmd.positionals = tuple(map(d, cmd.positionals))
        cmd.paths = tuple(map(d, cmd.paths))
        cmd.flags = frozenset(map(d, cmd.flags))
        cmd.subcommand = None if cmd.subcommand is None else d(cmd.subcommand)
        cmd.via = tuple(map(d, cmd.via))
        cmd.piped_from = tuple(map(d, cmd.piped_from))
        cmd.piped_to = tuple(map(d, cmd.piped_to))
        cmd.assignments = tuple(map(d, cmd.assignments))
        cmd.origin = None if cmd.origin is None else d(cmd.origin)
        cmd.program_files = tuple(map(d, cmd.program_files))
        cmd.script = None if cmd.script is None else d(cmd.script)
        cmd.runs = tuple(map(d, cmd.runs))
        cmd.writes = tuple(map(d, cmd.writes))
        cmd.built_from = tuple(map(d, cmd.built_from))
        cmd.installs = tuple((d(name), d(where)) for name, where in cmd.installs)
        for r in cmd.redirects:
            r.target = None if r.target is None else d(r.target)
    for f in findings:
        f.detail = d(f.detail)


def analyze(
    source: str,
    *,
    cwd: str,
    home: str,
    env: Mapping[str, str] | None = None,
    max_length: int = 100_000,
    max_depth: int = 32,
    max_commands: int = 500,
    read_scripts: bool = True,
) -> Analysis:
    """Every command ``source`` would run, and findings; never raises.

    With ``read_scripts``, scripts the line runs that are on disk (``bash x.sh``, ``source
    f``, ``./x.sh``, ``make``, ``npm run``, ``just``; see :mod:`.scripts`) are read and their
    commands listed too, each with ``origin`` "FILE:LINE".

    Any internal failure is reported as an ``UNPARSEABLE`` finding and over-limit input as
    ``TOO_COMPLEX``; both make ``Analysis.failed`` true so the caller fails closed.
    """
    given: object = source  # callers pass decoded JSON: check rather than trust the type
    if not isinstance(given, str):
        return Analysis("", (), (Finding(UNPARSEABLE, "command is not text"),))
    if len(source) > max_length:
        detail = f"command is {len(source)} characters, over the {max_length} limit"
        return Analysis(source, (), (Finding(TOO_COMPLEX, detail),))
    if "\x00" in source:
        # What runs depends on how the agent hands the line over: as an argument (`bash -c`)
        # it ends at the NUL, read from stdin bash drops the NUL and runs the rest too. One
        # line, two programs: not something to judge as either.
        detail = "command holds a NUL byte: what runs depends on how the shell receives it"
        return Analysis(source, (), (Finding(UNPARSEABLE, detail),))
    walker = Walker(home, max_depth, max_commands, walk=walk, read_scripts=read_scripts)
    encoded = astral.needs_encoding(source)
    if encoded and astral.ambiguous(source):
        detail = "mixes characters above U+FFFF with private-use characters U+E000-U+E7FF"
        return Analysis(source, (), (Finding(UNPARSEABLE, detail),))
    text = astral.encode(source) if encoded else source
    try:
        scope = Scope()
        if env:
            scope.vars.update(env)
        scope.vars.update({"HOME": home, "PWD": cwd, "IFS": IFS_DEFAULT})
        scope.cwd = cwd
        ctx = Ctx((), 0, ())
        statements.source(walker, text, scope, ctx)
        statements.uncalled_functions(walker, ctx)
    except (Limit, RecursionError) as exc:
        walker.findings.append(Finding(TOO_COMPLEX, clip_text(str(exc) or "nested too deeply")))
    except Unparseable as exc:
        walker.findings.append(Finding(UNPARSEABLE, str(exc)))
        if "/dev/tcp/" in source or "/dev/udp/" in source:
            # The parser cannot read some reverse-shell forms (exec 5<>/dev/tcp/...).
            walker.findings.append(Finding(REVERSE_SHELL, "mentions /dev/tcp or /dev/udp"))
    except Exception as exc:  # never raise: fail closed instead
        walker.findings.append(Finding(UNPARSEABLE, f"analysis failed: {type(exc).__name__}"))
    analysed = frozenset(walker.file_cache) | walker.analysed
    if encoded or walker.encoded:
        _decode_results(walker.commands, walker.findings)
        analysed = frozenset(map(astral.decode, analysed))
    return Analysis(source, tuple(walker.commands), tuple(walker.findings), analysed)
