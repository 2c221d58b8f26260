"""What programs are: shells, interpreters, downloaders, decoders, network tools; and how an
interpreter is handed code (``python -c CODE``, ``perl -pe CODE``, a script operand, stdin).
"""

from __future__ import annotations

from superego_mcp.lazyre import LazyPattern

from .words import node_text

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from tree_sitter import Node

    from .model import Command

# Programs a sh-compatible shell; a Makefile or shebang naming another runs something else.
SH_FAMILY = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "rbash"})
# Programs whose project files (Makefile, package.json, justfile, pyproject) name what they
# run (shell.scripts reads them; here so that other commands need not import it).
PACKAGE_MANAGERS = frozenset({"npm", "yarn", "pnpm", "bun"})
TASK_RUNNERS = PACKAGE_MANAGERS | {"make", "gmake", "just"}
# The task runners shell.runners reads (when names_a_task says the command names a task).
READ_BY_RUNNERS = frozenset({"cargo", "deno", "composer", "task", "go-task", "mise", "poe", "tox"})
# cargo's own commands (and their one-letter aliases): an alias of the same name is ignored
# by cargo, so `cargo build` reads no config file.
CARGO_BUILTINS = frozenset(
    [
        "add", "b", "bench", "build", "c", "check", "clean", "clippy", "config", "d", "doc",
        "fetch", "fix", "fmt", "generate-lockfile", "git-checkout", "help", "info", "init",
        "install", "locate-project", "login", "logout", "metadata", "miri", "new", "owner",
        "package", "pkgid", "publish", "r", "read-manifest", "remove", "report", "rm", "run",
        "rustc", "rustdoc", "search", "t", "test", "tree", "uninstall", "update", "vendor",
        "verify-project", "version", "yank",
    ]
)  # fmt: skip


def names_a_task(cmd: Command) -> bool:
    """Whether a command (besides :data:`TASK_RUNNERS`') runs what a project file names:
    ``cargo X`` that may be an ``[alias]`` (or with an inline ``--config``), ``deno task``,
    a composer script, ``task`` (go-task, taskipy), ``mise run``; ``cargo build`` and the
    like read nothing."""
    program, sub = cmd.program, cmd.subcommand
    if program == "cargo":
        if sub is not None and sub not in CARGO_BUILTINS:
            return True
        return any(a == "--config" or a.startswith("--config=") for a in cmd.argv)
    if program in ("poe", "tox"):
        return True
    if program == "deno":
        return sub == "task"
    if program in ("task", "go-task"):  # go-task's Taskfile.yml, taskipy's pyproject tasks
        return True
    if program == "mise":
        return "run" in cmd.argv or "r" in cmd.argv
    if program == "composer":  # a script, or an install running the project's event scripts
        return sub is not None and sub not in ("show", "validate", "outdated", "licenses")
    if program == "cmake":  # the link commands a cmake build directory's Makefiles run
        return "cmake_link_script" in cmd.argv
    return False


SHELLS = frozenset(
    [
        "sh",
        "bash",
        "zsh",
        "dash",
        "ksh",
        "mksh",
        "ash",
        "fish",
        "rbash",
        "yash",
        "tcsh",
        "csh",
    ]
)
DOWNLOADERS = frozenset(
    [
        "curl",
        "wget",
        "fetch",
        "aria2c",
        "http",
        "https",
        "httpie",
        "lwp-download",
        "lwp-request",
        "GET",
        "xh",
        "curlie",
    ]
)
DECODERS = frozenset(
    [
        "base64",
        "base32",
        "basenc",
        "xxd",
        "rev",
        "uudecode",
        "gunzip",
        "zcat",
        "gzcat",
        "bzcat",
        "xzcat",
        "unxz",
        "bunzip2",
        "zstdcat",
        "openssl",
        "gpg",
        "tr",
    ]
)
# Decoders only when given one of these flags (gzip -d, openssl enc -d, base64 -d, ...).
DECODE_FLAGS = {
    "gzip": ("-d", "--decompress", "-dc", "-cd"),
    "bzip2": ("-d", "--decompress", "-dc", "-cd"),
    "xz": ("-d", "--decompress", "-dc", "-cd"),
    "zstd": ("-d", "--decompress", "-dc", "-cd"),
}
NET_TOOLS = frozenset(["nc", "ncat", "netcat", "telnet", "socat", "openssl", "cryptcat", "pwncat"])

# Interpreter -> options whose value is program text.
_CODE_OPTIONS: dict[str, tuple[str, ...]] = {
    "python": ("-c",),
    "node": ("-e", "--eval", "-p", "--print"),
    "perl": ("-e", "-E"),
    "ruby": ("-e",),
    "php": ("-r",),
    "lua": ("-e",),
    "bun": ("-e", "--eval", "-p", "--print"),
    "osascript": ("-e",),
    "pwsh": ("-c", "-command", "-ec", "-encodedcommand", "-e", "-enc"),
    "rscript": ("-e",),
    "julia": ("-e", "--eval", "-E", "--print"),
    "tclsh": (),
    "deno": (),
}
# Options of interpreters that take a value that is not code.
_VALUE_OPTIONS: dict[str, tuple[str, ...]] = {
    "python": ("-W", "-X", "-Q"),
    "node": ("-r", "--require", "--import", "--loader", "--input-type"),
    "perl": ("-I", "-M", "-m"),
    "ruby": ("-I", "-r"),
    "php": ("-c", "-d", "-z"),
    "pwsh": (
        "-executionpolicy",
        "-ep",
        "-ex",
        "-workingdirectory",
        "-wd",
        "-outputformat",
        "-of",
        "-inputformat",
        "-if",
        "-configurationname",
        "-version",
        "-windowstyle",
        "-w",
        "-settingsfile",
        "-custompipename",
        "-encodedarguments",
    ),
}
AWKS = frozenset(["awk", "gawk", "mawk", "nawk", "busybox-awk"])
# Options that load a module before the program, by name or by path (node's).
_PRELOADS: dict[str, tuple[str, ...]] = {"node": ("-r", "--require", "--import", "--loader")}


def preloads(family: str, args: list[str]) -> list[str]:
    """The modules ``family`` is told to load first that are given by path (``node -r
    ./hook.js``, ``--import=/tmp/x.mjs``), up to its program; a name (``-r
    ts-node/register``) comes from the project's or installed packages."""
    names = _PRELOADS.get(family)
    if names is None:
        return []
    out: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        i += 1
        if word == "--" or not word.startswith("-") or word == "-":
            break
        name, eq, value = word.partition("=")
        if name in names:
            if not eq:
                value = args[i] if i < len(args) else ""
                i += 1
            if value.startswith(("./", "../", "/", "~", "file:")):
                out.append(value.removeprefix("file://"))
    return out


def interpreter(program: str) -> str | None:
    """The interpreter family of ``program`` (``python3.12`` -> ``python``), or None."""
    name = program.lower()
    if name.endswith(".exe"):
        name = name[:-4]
    for prefix in ("python", "pypy"):
        if name.startswith(prefix) and all(c.isdigit() or c == "." for c in name[len(prefix) :]):
            return "python"
    aliases = {
        "nodejs": "node",
        "powershell": "pwsh",
        "luajit": "lua",
        "perl5": "perl",
        "irb": "ruby",
        "php-cli": "php",
    }
    name = aliases.get(name, name)
    for prefix in ("perl", "ruby", "php", "lua"):
        if name.startswith(prefix) and all(c.isdigit() or c == "." for c in name[len(prefix) :]):
            return prefix
    return name if name in _CODE_OPTIONS else None


def is_shell(program: str) -> bool:
    """A shell that runs a script from ``-c``, a file operand or stdin."""
    return program in SHELLS


class CodeSource:
    """How a shell or interpreter gets its program.

    ``code``: inline code (``-c``/``-e`` value) and its argument index; ``script``: index of
    the script operand; ``stdin``: it reads its program from standard input; ``rest``: index
    where the script's own arguments start.
    """

    __slots__ = ("code", "code_index", "rest", "script", "stdin")

    def __init__(self) -> None:
        self.code: str | None = None
        self.code_index: int | None = None
        self.script: int | None = None
        self.stdin = False
        self.rest = 0


def code_source(family: str, args: list[str]) -> CodeSource:
    """Where ``family`` (``sh`` for shells, else an interpreter family) takes its program."""
    out = CodeSource()
    if family == "sh":
        code_opts: tuple[str, ...] = ("-c",)
        value_opts: tuple[str, ...] = ("-o", "+o", "-O", "+O", "--rcfile", "--init-file")
    else:
        code_opts = _CODE_OPTIONS.get(family, ())
        value_opts = _VALUE_OPTIONS.get(family, ())
    wants_code = False
    forced_stdin = False
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            i += 1
            break
        if word in ("-", "/dev/stdin") or not (word.startswith("-") or word.startswith("+")):
            break
        i += 1
        low = word.lower() if family == "pwsh" else word
        name, eq, attached = low.partition("=")
        if eq and name.startswith("--") and name in code_opts:
            # "node --eval=CODE": the code is attached to the long option
            out.code, out.code_index = word.partition("=")[2], i - 1
            out.rest = i
            return out
        if low in code_opts:
            wants_code = True
            continue
        if family == "sh" and not word.startswith("--") and "c" in word[1:]:
            wants_code = True  # -lc, -xc, -ec
            continue
        if family == "sh" and not word.startswith("--") and "s" in word[1:]:
            forced_stdin = True
            continue
        if family not in ("sh", "pwsh") and not word.startswith("--"):
            # Clusters: "perl -pe CODE", "python -Ic CODE", "perl -e'CODE'" attached
            # (PowerShell's options are whole words: -File is not -F -i -l -e).
            hit = next((k for k in range(1, len(word)) if "-" + word[k] in code_opts), None)
            if hit is not None:
                attached = word[hit + 1 :]
                if attached and family in ("perl", "ruby", "python", "php", "lua"):
                    out.code, out.code_index = attached, i - 1
                    out.rest = i
                    return out
                wants_code = True
                continue
        if low.split("=", 1)[0] in value_opts and "=" not in word:
            i += 1
    if family == "sh" and wants_code is False and forced_stdin:
        out.stdin = True
        out.rest = i
        return out
    if wants_code:
        if i < len(args):
            out.code, out.code_index = args[i], i
            out.rest = i + 1
        return out
    if i < len(args) and args[i] not in ("-", "/dev/stdin"):
        out.script = i
        out.rest = i + 1
    else:
        out.stdin = True
        out.rest = i + (1 if i < len(args) else 0)
    return out


def awk_runs_commands(program_text: str) -> bool:
    """An awk program that starts commands: ``system(...)``, ``| getline``, ``print | "sh"``."""
    compact = program_text.replace(" ", "")
    return "system(" in compact or "|getline" in compact or '|"' in compact


def decodes(cmd: Command) -> bool:
    """Does this command turn encoded data into something else (base64 -d, xxd -r, ...)?"""
    p, argv = cmd.program, cmd.argv
    if p in ("base64", "base32", "basenc"):
        return bool({"-d", "--decode", "-D"} & set(argv)) or any(
            a.startswith("-") and not a.startswith("--") and "d" in a for a in argv
        )
    if p == "xxd":
        return any(a.startswith("-") and "r" in a for a in argv)
    if p == "openssl":
        return "-d" in argv or "base64" in argv or "enc" in argv
    if p in DECODE_FLAGS:
        return any(a in DECODE_FLAGS[p] for a in argv)
    if p in ("printf",):
        return any("\\x" in a or "\\0" in a or "\\u" in a for a in argv)
    if p == "echo":
        return any(a.startswith("-") and "e" in a for a in argv) and any("\\" in a for a in argv)
    return p in DECODERS


def echoed(cmd: Command) -> str | None:
    """The text an ``echo``/``printf`` writes, when it is known and not decoded."""
    if cmd.dynamic or decodes(cmd):
        return None
    words = [a for a in cmd.argv if not (cmd.program == "echo" and a in ("-n", "-e", "-E"))]
    return " ".join(words)


def printed(cmd: Command) -> str | None:
    """What a literal ``echo``/``printf`` prints (printf's ``%s``/``%b``/``%d`` filled from
    its arguments, the format reused while arguments remain; ``\\n`` and ``\\t``), or None."""
    if cmd.program not in ("echo", "printf") or cmd.dynamic:
        return None
    argv = list(cmd.argv)
    if cmd.program == "echo":
        return " ".join(a for a in argv if a not in ("-n", "-e", "-E")) + "\n"
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        return None
    fmt = argv[0].replace("\\n", "\n").replace("\\t", "\t")
    args = argv[1:]
    if not _PRINTF_SLOT().search(fmt):
        return fmt
    out: list[str] = []
    while True:
        out.append(_PRINTF_SLOT().sub(lambda _: args.pop(0) if args else "", fmt))
        if not args:
            return "".join(out)


_PRINTF_SLOT = LazyPattern(r"%[-0-9.]*[sbdi]")


def networked(cmd: Command) -> bool:
    """A raw network connection tool (nc, socat, telnet, openssl s_client)."""
    if cmd.program == "openssl":
        return "s_client" in cmd.argv
    return cmd.program in NET_TOOLS


def self_calls(body: Node, name: str) -> int:
    """How many times ``body`` calls the function ``name``."""
    count = 0
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "command_name" and node_text(node) == name:
            count += 1
        stack.extend(node.children)
    return count


def backgrounds(body: Node) -> bool:
    """Does ``body`` start something in the background (``&``)?"""
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "&":
            return True
        stack.extend(node.children)
    return False
