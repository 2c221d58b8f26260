"""The analyzer's output types (interface shared with the policy engine).

Plain ``__slots__`` classes: imported on the hook path.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)

if TYPE_CHECKING:
    from typing import Final, TypeAlias

    # A host path mounted in a container: (source as written, target, read-only).
    Bind: TypeAlias = tuple[str, str, bool]


# Finding kinds the analyzer reports. Rules match them with ``shell: {finding: KIND}``.
UNPARSEABLE: Final = "unparseable"  # the parser found a syntax error, or analysis failed
TOO_COMPLEX: Final = "too_complex"  # over the size / nesting / command-count limits
DYNAMIC_PROGRAM: Final = "dynamic_program"  # the program name is only known at run time
DOWNLOAD_TO_SHELL: Final = "download_to_shell"  # curl/wget ... | sh, sh <(curl ...), ...
DECODE_TO_SHELL: Final = "decode_to_shell"  # base64 -d / rev / xxd -r ... | sh
# python -c, node -e, perl -e, ... one-liners: code Superego did not read, or could not
# follow everywhere (Python and JavaScript are read: superego_mcp.lang).
CODE_EXECUTION: Final = "code_execution"
# Python / JavaScript code given inline that Superego read completely: everything it does to
# the machine is listed as commands of its own (origin "python -c:LINE", ...).
CODE_READ: Final = "code_read"
# A Python / JavaScript file the command runs was read, but not everything it does could be
# followed (the detail names the first place): what was followed is listed as commands.
CODE_PARTIAL: Final = "code_partial"
FORK_BOMB: Final = "fork_bomb"  # a function that calls itself twice in the background
REVERSE_SHELL: Final = "reverse_shell"  # /dev/tcp redirects, nc -e, socat exec:, ...
# A script the command runs exists but was not read (too big, binary, not UTF-8, over the
# read limits, or written earlier on the same line): its commands are not known.
SCRIPT_UNREAD: Final = "script_unread"
# The line writes a script (a redirect, cp, mv, tee, ...) before running it: what runs is not
# what is on disk now.
SCRIPT_WRITTEN: Final = "script_written"


class Redirect:
    """A redirection of a command: ``op`` as written (``>``, ``>>``, ``<``, ``&>``, ...) and
    its target, resolved to an absolute path when it is a file (``None`` when dynamic, a
    file-descriptor copy such as ``2>&1``, or a heredoc). A target reached through a symlink
    is listed twice, lexical form then resolved form, like ``Command.paths``."""

    __slots__ = ("op", "target", "writes")

    def __init__(self, op: str, target: str | None, writes: bool) -> None:
        self.op = op
        self.target = target
        self.writes = writes

    def __repr__(self) -> str:
        return f"Redirect({self.op!r}, {self.target!r})"


class Command:
    """One simple command that would run.

    - ``program``: the program's base name after unquoting (``/usr/bin/rm``, ``\\rm`` and
      ``'r''m'`` are all ``rm``); ``""`` when unknown until run time (see ``dynamic``);
      ``":"`` for a statement of redirections only (``> /dev/sda``), or of assignments
      only in a script read from disk (``LD_PRELOAD=x``, in ``assignments``), which runs
      nothing.
    - ``program_path``: the program as written, unquoted (``""`` for a bare redirection).
    - ``argv``: the words after the program, unquoted and expanded as far as is known
      statically (``~``, ``$HOME``, variables assigned earlier on the line, brace expansion).
    - ``subcommand``: the first positional word for programs that have subcommands
      (``git push`` -> ``push``), else ``None``.
    - ``flags``: canonical flag names, order- and spelling-insensitive
      (``-rf``, ``-r -f``, ``--recursive --force`` -> ``{"recursive", "force"}`` for rm).
    - ``positionals``: the non-flag words.
    - ``paths``: absolute, normalized paths the command names (positionals that are paths,
      resolved against the cwd, ``..`` folded, existing symlinks followed) and redirect
      targets.
    - ``redirects``: its redirections.
    - ``via``: how it was reached, outermost first (``sudo``, ``bash -c``, ``xargs``,
      ``find -exec``, ``$()``, ``eval``, ``heredoc``, ...).
    - ``piped_from`` / ``piped_to``: programs whose output feeds this one, and programs this
      one's output feeds, in the same pipeline.
    - ``dynamic``: some word (or the program) depends on run-time values.
    - ``text``: the source text of this command, for explanations.
    - ``assignments``: ``NAME=value`` environment assignments made for this command
      (``LD_PRELOAD=x cmd``, ``env A=b cmd``).
    - ``origin``: ``"FILE:LINE"`` when the command comes from a script read from disk
      (``bash x.sh``, a Makefile recipe, a package.json script; see ``shell.scripts``),
      else ``None``.
    - ``program_files``: when the program is written as a path (``./build/app``,
      ``bin/rails``), its normalized absolute forms (lexical, then through symlinks, like
      ``paths``); ``()`` for a program looked up on ``PATH`` or only known at run time.
    - ``script``: the file this command runs whose commands were read and listed as units
      (``bash x.sh``, ``./x.sh``, ``source f``, the Makefile, package.json, justfile or
      pyproject.toml of a task runner; see ``shell.scripts``), else ``None``.
    - ``container``: for a container run (``docker|podman|nerdctl run|create``, ``compose
      run|exec``), what its options say about its isolation (see :class:`Container` and
      ``shell.containers``); its ``paths`` are then the host paths it names (bind mounts,
      env files), not the container's own words; else ``None``.
    - ``inside``: for a command a container run gives its container (walked with its paths
      mapped through the run's mounts), that run; else ``None``.
    - ``runs``: files whose code the command runs or loads, normalized like ``paths``: an
      interpreter's script (``python x.py``, ``node x.js``, ``bash x.sh``), the module
      ``python -m`` names in the cwd, ``go run`` files (``DIR/*.go`` for a package), the
      project's ``setup.py`` a ``pip install .`` runs (see ``shell.effects``). The program
      itself, when written as a path, is in ``program_files``.
    - ``writes``: files the command writes: writing redirects, ``tee``, ``cp``/``mv``/
      ``install``/``ln`` destinations, ``sed -i``/``perl -i`` files, downloads
      (``curl -o``, ``wget -O``), a compiler's ``-o`` output.
    - ``built_from``: the sources a compiler builds ``writes`` from (``gcc -o app main.c``).
    - ``installs``: for an install of a directory on disk (``pip install ./x``, ``npm link``,
      ``cargo install --path x``, ``go install ./cmd/x``), each program it would put on the
      machine with where its name is declared (``FILE:LINE`` of the manifest; see
      ``shell.installs``).
    """

    __slots__ = (
        "argv",
        "assignments",
        "built_from",
        "container",
        "dynamic",
        "flags",
        "inside",
        "installs",
        "origin",
        "paths",
        "piped_from",
        "piped_to",
        "positionals",
        "program",
        "program_files",
        "program_path",
        "redirects",
        "runs",
        "script",
        "subcommand",
        "text",
        "via",
        "writes",
    )

    def __init__(
        self,
        program: str,
        program_path: str,
        argv: tuple[str, ...],
        *,
        subcommand: str | None = None,
        flags: frozenset[str] = frozenset(),
        positionals: tuple[str, ...] = (),
        paths: tuple[str, ...] = (),
        redirects: tuple[Redirect, ...] = (),
        via: tuple[str, ...] = (),
        piped_from: tuple[str, ...] = (),
        piped_to: tuple[str, ...] = (),
        dynamic: bool = False,
        text: str = "",
        assignments: tuple[str, ...] = (),
        origin: str | None = None,
    ) -> None:
        self.program = program
        self.program_path = program_path
        self.argv = argv
        self.subcommand = subcommand
        self.flags = flags
        self.positionals = positionals
        self.paths = paths
        self.redirects = redirects
        self.via = via
        self.piped_from = piped_from
        self.piped_to = piped_to
        self.dynamic = dynamic
        self.text = text
        self.assignments = assignments
        self.origin = origin
        self.program_files: tuple[str, ...] = ()
        self.script: str | None = None
        self.runs: tuple[str, ...] = ()
        self.writes: tuple[str, ...] = ()
        self.built_from: tuple[str, ...] = ()
        self.installs: tuple[tuple[str, str], ...] = ()
        self.container: Container | None = None
        self.inside: Container | None = None

    def __repr__(self) -> str:
        via = f" via {'/'.join(self.via)}" if self.via else ""
        return f"Command({self.program!r}, {list(self.argv)!r}{via})"


class Container:
    """What a container run's options say about its isolation from the machine
    (``shell.containers``).

    - ``breaks``: each way it reaches the host, as a person reads it (``--privileged``,
      ``--network host``, ``forwards the host's $TOKEN``, ``mounts the container runtime's
      socket``);
    - ``unread``: each word or option Superego could not read with certainty (an unknown
      option, a value only known at run time, ``--volumes-from``): such a run is never
      called isolated;
    - ``mounts``: the host paths it hands to the container or reads (bind-mount sources, env
      files), as written after expansion; their normalized forms are the command's
      ``paths``;
    - ``dynamic``: some word is only known at run time (``$(pwd)`` is known: the command's
      directory);
    - ``verb``: the program and verb (``docker run``, ``docker compose exec``): how the
      container's command is reached (its ``via``);
    - ``binds``: each host path mounted, as (source as written, target in the container,
      read-only); ``workdir``: ``-w`` (None: the image's own, not known);
    - ``command``: the command the container runs, as fields (the words after the image,
      after ``--entrypoint``), or None when the image's own entrypoint runs (opaque);
    - ``writable``: the normalized host forms of the binds not mounted read-only;
    - ``entrypoint``: ``--entrypoint`` as written (None: not given); ``env``: the
      ``-e NAME=VALUE`` it sets;
    - ``compose``: for ``compose run|exec``, (service, ``-f`` files, ``--project-directory``);
    - ``opaque``: what it runs is the image's own (no command given, only arguments for the
      entrypoint; a compose service whose file was read and gives none).
    """

    __slots__ = (
        "binds",
        "breaks",
        "command",
        "compose",
        "dynamic",
        "entrypoint",
        "env",
        "mounts",
        "opaque",
        "unread",
        "verb",
        "workdir",
        "writable",
    )

    def __init__(
        self, breaks: tuple[str, ...], unread: tuple[str, ...], mounts: tuple[str, ...]
    ) -> None:
        self.breaks = breaks
        self.unread = unread
        self.mounts = mounts
        self.dynamic = False
        self.verb = ""
        self.binds: tuple[Bind, ...] = ()
        self.workdir: str | None = None
        self.command: tuple[tuple[str, bool], ...] | None = None
        self.writable: tuple[str, ...] = ()
        self.entrypoint: str | None = None
        self.env: tuple[str, ...] = ()
        self.compose: tuple[str, tuple[str, ...], str | None] | None = None
        self.opaque = False

    @property
    def isolated(self) -> bool:
        """Every word read and none breaks isolation (its host paths are for the rules)."""
        return not self.breaks and not self.unread

    def __repr__(self) -> str:
        return f"Container(breaks={self.breaks!r}, unread={self.unread!r}, mounts={self.mounts!r})"


class Finding:
    """Something the analyzer noticed beyond the commands themselves (see the kinds above).
    ``command`` is the index in ``Analysis.commands`` it concerns, if any."""

    __slots__ = ("command", "detail", "kind")

    def __init__(self, kind: str, detail: str, command: int | None = None) -> None:
        self.kind = kind
        self.detail = detail
        self.command = command

    def __repr__(self) -> str:
        return f"Finding({self.kind!r}, {self.detail!r})"


class Analysis:
    """Everything that a command line would run, and what was noticed on the way.
    ``analysed``: files whose whole text was read and judged with the line (shell scripts
    walked; code in other languages that ``superego_mcp.lang`` analysed completely)."""

    __slots__ = ("analysed", "commands", "findings", "source")

    def __init__(
        self,
        source: str,
        commands: tuple[Command, ...],
        findings: tuple[Finding, ...],
        analysed: frozenset[str] = frozenset(),
    ) -> None:
        self.source = source
        self.commands = commands
        self.findings = findings
        self.analysed = analysed

    @property
    def failed(self) -> bool:
        """True when the analysis could not see everything (must fail closed)."""
        return any(f.kind in (UNPARSEABLE, TOO_COMPLEX) for f in self.findings)
