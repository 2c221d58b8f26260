"""What a command does to files beyond naming them: the files whose code it runs
(``Command.runs``), the files it writes (``Command.writes``) and, for a compiler, the
sources those are built from (``Command.built_from``).

Session memory (``superego_mcp.memory``) uses them: what the agent wrote is remembered, and
running it unread is asked about. Best effort by program; what is not listed here is not
known to write or run a file (documented in docs/rules.md, "Session memory").
"""

from __future__ import annotations

from .state import dedupe

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Callable

    from .flags import ParsedArgs
    from .model import Command
    from .state import Scope, Walker

# The destination is the last operand (or -t DIR).
_COPIERS = frozenset({"cp", "mv", "install", "ln", "rsync", "scp", "ditto"})
# Every operand is written.
_TEE = frozenset({"tee", "sponge"})
_COMPILERS = frozenset(
    {"gcc", "g++", "cc", "c++", "clang", "clang++", "rustc", "tcc", "zig", "nim", "ghc"}
)
_SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".c++", ".m", ".mm", ".rs", ".zig", ".s",
                    ".S", ".nim", ".hs", ".go", ".o", ".a")  # fmt: skip
# Run the file named by their first operand.
_FIRST_OPERAND_RUNS = frozenset(
    {"tsx", "ts-node", "ts-node-esm", "esno", "esrun", "Rscript", "julia", "elixir", "kotlin",
     "groovy", "scala", "dart", "swift", "crystal", "raku", "tclsh", "wish", "osascript"}
)  # fmt: skip
# Wrappers that add operands read at run time to the command they run.
_FEEDS_OPERANDS = frozenset({"xargs", "parallel", "find"})
_BUN_SCRIPT = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")
_PY_BUILDS = frozenset({"sync", "install"})
_CARGO_BUILDS = frozenset({"build", "b", "run", "r", "test", "t", "check", "c", "bench",
                           "clippy", "doc", "d", "install"})  # fmt: skip


def note(w: Walker, cmd: Command, parsed: ParsedArgs, scope: Scope) -> None:
    """Set ``cmd.runs``, ``cmd.writes`` and ``cmd.built_from`` (see the module docstring)."""
    program = cmd.program
    pos = [p for p in cmd.positionals if p != "-"]
    writes: list[str] = [r.target for r in cmd.redirects if r.writes and r.target]
    runs: list[str] = []

    def forms(word: str) -> tuple[str, ...]:
        return w.path_forms(word, scope)

    if program in _TEE:
        writes.extend(f for p in pos for f in forms(p))
    elif program in _COPIERS and pos:
        target = _value(parsed, ("-t", "--target-directory"))
        sources = pos if target else pos[:-1]
        dest = target or pos[-1]
        writes.extend(forms(dest))
        if target or dest.endswith("/") or len(sources) > 1 or _is_dir(forms(dest)):
            for src in sources:
                name = src.rstrip("/").rsplit("/", 1)[-1]
                writes.extend(forms(dest.rstrip("/") + "/" + name))
    elif program in ("sed", "gsed") and ("in-place" in cmd.flags or _in_place(cmd.argv)):
        files = pos[1:] if "-e" not in cmd.argv and "--expression" not in cmd.argv else pos
        writes.extend(f for p in files for f in forms(p))
    elif program in ("perl", "ruby") and any(_perl_in_place(a) for a in cmd.argv):
        writes.extend(f for p in _perl_files(cmd.argv) for f in forms(p))
    elif program in ("curl", "wget"):
        for name in ("-o", "--output", "-O", "--output-document"):
            value = _value(parsed, (name,))
            if value and value != "-":
                writes.extend(forms(value))
    elif program == "dd":
        writes.extend(f for p in pos if p.startswith("of=") for f in forms(p[3:]))
    if program in _COMPILERS or (program == "go" and cmd.subcommand == "build"):
        out = _value(parsed, ("-o", "--output"))
        if out:
            cmd.built_from = dedupe(
                tuple(f for p in pos if p.endswith(_SOURCE_SUFFIXES) for f in forms(p))
            )
            if program == "go" and not cmd.built_from:
                cmd.built_from = _go_package(pos, forms)
            writes.extend(forms(out))
    if program == "git" and cmd.subcommand == "checkout" and _switches_branch(cmd, forms):
        cmd.flags = cmd.flags | {"branch-only"}
    if program == "git" and cmd.subcommand == "reset" and _resets_index_only(cmd, forms):
        cmd.flags = cmd.flags | {"index-only"}
    if program == "git" and cmd.subcommand == "restore" and _restore_refused(cmd.argv):
        cmd.flags = cmd.flags | {"refused"}
    runs.extend(_runs(program, cmd, parsed, pos, forms, scope))
    cmd.writes = dedupe(tuple(writes))
    cmd.runs = dedupe(tuple(runs))


def _runs(
    program: str,
    cmd: Command,
    parsed: ParsedArgs,
    pos: list[str],
    forms: Callable[[str], tuple[str, ...]],
    scope: Scope,
) -> list[str]:
    """Files the program runs or loads, other than an interpreter's script (code_text)."""
    sub = cmd.subcommand
    if program == "go" and sub == "run":
        files = [p for p in pos if p.endswith(".go")]
        if files:
            return [f for p in files for f in forms(p)]
        return list(_go_package(pos, forms))
    if program == "deno" and sub in ("run", "test", "serve") and pos:
        return list(forms(pos[0]))
    if program == "bun" and sub is not None and sub.endswith(_BUN_SCRIPT):
        return list(forms(sub))
    if program == "bun" and sub == "run" and pos and pos[0].endswith(_BUN_SCRIPT):
        return list(forms(pos[0]))
    if program in _FIRST_OPERAND_RUNS and pos:
        return list(forms(pos[0]))
    if program == "java" and pos:
        jar = pos[0]
        return list(forms(jar)) if jar.endswith((".java", ".jar")) else []
    # A Python build backend runs the project's setup.py (pip install ., uv sync, ...).
    if (program in ("pip", "pip3") and sub == "install") or (
        program == "uv" and sub == "pip install"
    ):
        editable = _value(parsed, ("-e", "--editable"))
        named = [*pos, editable] if editable else pos
        dirs = [p for p in named if p in (".", "..") or p.startswith(("./", "../", "/"))]
        return [f for d in dirs for f in forms(d.rstrip("/") + "/setup.py")]
    if program in ("uv", "poetry", "pdm", "pipenv") and sub in _PY_BUILDS:
        return list(forms("setup.py")) if scope.cwd is not None else []
    # Cargo compiles and runs the package's build script before building it.
    if program == "cargo" and sub in _CARGO_BUILDS:
        return list(forms("build.rs")) if scope.cwd is not None else []
    return []


def _go_package(pos: list[str], forms: Callable[[str], tuple[str, ...]]) -> tuple[str, ...]:
    """``go run .`` / ``go build ./cmd/x``: the package directory's Go files, as
    ``DIR/*.go`` (session memory matches any file there)."""
    dirs = [p for p in pos if p == "." or p.startswith(("./", "../", "/"))] or ["."]
    return tuple(f.rstrip("/") + "/*.go" for d in dirs[:1] for f in forms(d))


def _value(parsed: ParsedArgs, names: tuple[str, ...]) -> str | None:
    for name, value in parsed.option_values:
        if name in names:
            return value
    return None


def _in_place(argv: tuple[str, ...]) -> bool:
    return any(a.startswith(("-i", "--in-place")) for a in argv)


def _perl_in_place(word: str) -> bool:
    """``-i``, ``-i.bak``, ``-pi``, ``-pi.bak``: perl's (and ruby's) in-place switch."""
    if not word.startswith("-") or word.startswith("--"):
        return False
    letters = word[1:].split(".", 1)[0]
    return "i" in letters and "e" not in letters[: letters.index("i")]


def _perl_files(argv: tuple[str, ...]) -> list[str]:
    """The files perl edits: the words after its switches, less the ``-e`` code (or, with
    no ``-e``, the script file)."""
    words: list[str] = []
    code = False
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word.startswith("-") and len(word) > 1:
            letters = word[1:].split(".", 1)[0]
            if "e" in letters or "E" in letters:
                code = skip = True
            elif letters in ("M", "I", "m"):
                skip = True
        else:
            words.append(word)
    return words if code else words[1:]


def _switches_branch(cmd: Command, forms: Callable[[str], tuple[str, ...]]) -> bool:
    """``git checkout X`` that only switches branches: git takes X for a path only when no
    ref has that name and the file exists, so an operand naming no file on disk (``main``,
    ``v3.10.2``, ``HEAD^2``) is a ref; with no operand it only reports."""
    if "paths" in cmd.flags or len(cmd.positionals) > 1 or "--" in cmd.argv:
        return False
    if any(v.split()[0] in _FEEDS_OPERANDS for v in cmd.via if v):
        return False  # `xargs git checkout`: its operands come at run time
    if not cmd.positionals:
        return True
    where = forms(cmd.positionals[0])
    return bool(where) and not _exists(where)


# `git reset` options that neither move HEAD nor touch the worktree by themselves.
_RESET_INDEX_OPTIONS = frozenset({"mixed", "-q", "--quiet", "-N", "--intent-to-add",
                                  "--refresh", "--no-refresh"})  # fmt: skip


def _resets_index_only(cmd: Command, forms: Callable[[str], tuple[str, ...]]) -> bool:
    """``git reset`` that only unstages (a mixed reset that keeps HEAD where it is): no mode
    but ``--mixed``, and no commit to move to: no operand, ``HEAD``/``@``, or paths (git
    resets only their index entries when paths are given, after ``--``, as a second operand,
    or as a lone operand naming a file on disk: git refuses a name that is both)."""
    if not cmd.flags <= _RESET_INDEX_OPTIONS:
        return False
    if any(v.split()[0] in _FEEDS_OPERANDS for v in cmd.via if v):
        return False  # `xargs git reset`: its operands come at run time
    pos = cmd.positionals
    if not pos or pos[0] in ("HEAD", "@") or len(pos) > 1 or "--" in cmd.argv:
        return True
    where = forms(pos[0])
    return bool(where) and _exists(where)


# git restore's options that take the next word as their value when none is attached.
_RESTORE_VALUED_LONG = ("source", "pathspec-from-file", "unified", "inter-hunk-context")
_RESTORE_VALUED_SHORT = frozenset("sU")


def _restore_refused(argv: tuple[str, ...]) -> bool:
    """``git restore --no-worktree file`` without ``--staged``: neither the worktree nor
    the index is left to restore, and git stops with an error before touching anything.
    (An unknown option is not taken for a refusal: a later git may know it.)"""
    words = list(argv)
    lowered = [w.lower() for w in words]
    if "restore" not in lowered:
        return False
    worktree = staged = None
    i = lowered.index("restore") + 1
    while i < len(words):
        word = words[i]
        i += 1
        if word == "--":
            break
        if word.startswith("--"):
            name, eq, _ = word[2:].lower().partition("=")
            negated = name.startswith("no-")
            base = name[3:] if negated else name
            if not negated and not eq and any(o.startswith(base) for o in _RESTORE_VALUED_LONG):
                i += 1  # `--source --no-worktree`: the next word is the value
            elif base and "worktree".startswith(base) and not "staged".startswith(base):
                worktree = not negated
            elif base and "staged".startswith(base) and not "source".startswith(base):
                staged = not negated
        elif word.startswith("-") and len(word) > 1:
            for pos, letter in enumerate(word[1:]):
                if letter in _RESTORE_VALUED_SHORT:
                    i += 0 if word[pos + 2 :] else 1  # its value: the rest, else the next word
                    break
                worktree = True if letter == "W" else worktree
                staged = True if letter == "S" else staged
    return worktree is False and staged is not True


def _exists(forms: tuple[str, ...]) -> bool:
    from superego_mcp import observe  # noted: the decision cache checks it again

    from . import astral

    try:
        return any(observe.lkind(astral.decode(f)) is not None for f in forms)
    except ValueError:
        return True


def _is_dir(forms: tuple[str, ...]) -> bool:
    import stat

    from superego_mcp import observe

    from . import astral

    try:
        return bool(forms) and observe.kind(astral.decode(forms[0])) == stat.S_IFDIR
    except ValueError:
        return False


def patched_files(text: str) -> list[str]:
    """The files a unified or git diff given as text changes (``--- a/x``, ``+++ b/x``,
    ``diff --git a/x b/x``), without the ``a/``/``b/`` prefixes git writes."""
    names: list[str] = []
    for line in text.splitlines():
        if line.startswith(("--- ", "+++ ")):
            names.append(line[4:].split("\t")[0].strip())
        elif line.startswith("diff --git "):
            names.extend(line[11:].split())
    out = []
    for name in names:
        if name and name != "/dev/null":
            out.append(name[2:] if name[:2] in ("a/", "b/") else name)
    return list(dedupe(tuple(out)))


def note_patch(w: Walker, cmd: Command, stdin: str, scope: Scope) -> None:
    """``git apply <<EOF``, ``patch <<EOF``: the files the patch names are the command's
    paths and writes (`+++ b/.env` changes .env)."""
    applies = (cmd.program == "git" and cmd.subcommand in ("apply", "am")) or cmd.program == "patch"
    if not applies:
        return
    forms = tuple(f for name in patched_files(stdin) for f in w.path_forms(name, scope))
    if forms:
        cmd.paths = dedupe((*cmd.paths, *forms))
        cmd.writes = dedupe((*cmd.writes, *forms))
