"""What a unit does to Superego itself (the ``superego:`` condition).

- :func:`cli_act`: a command that runs Superego's own command line (``superego-mcp``, however
  reached: an absolute path, ``python -m superego_mcp``, ``uvx``/``pipx run``/``uv run``,
  wrappers, scripts) is classified by its subcommand: ``read`` (explain, check, status, audit
  reads, suggest, help), ``change`` (hooks install/uninstall, allow, suggest --write,
  init --force, audit prune, a server, the hook runner, anything unknown) or ``None``
  (neither: ``init`` of a new file, ``reviewer test``).
- :func:`is_superego_file`, :func:`copies`: Superego's executable run under another name (a
  symlink to it, a copy of its entry point script), or copied or linked to one.
- :func:`removes`: a package manager removing or replacing the ``superego-mcp`` package (by
  its registry name, or a Go path whose last element it is), or a command stopping a running
  Superego (kill/pkill/killall, service managers, containers).
- :func:`replaces`: another program put where Superego's is looked for: an install of a
  directory whose manifest declares a program named ``superego-mcp`` (``Command.installs``,
  read by ``shell.installs``), or a write of a file of that name (a copy, link, download,
  redirect, compiler output or file tool).
- :func:`unhooks`: a write that removes or disables an installed Superego hook in any agent's
  settings or hook file (Claude Code, Codex, Gemini CLI, Copilot CLI, Cursor, OpenCode), or a
  command that names such a file (or a directory above one) and is not a reader, or a git
  command that would put such a file back as git has it or delete it (:func:`git_drops`).

Imported only when a rule with ``superego:`` meets a unit that could concern Superego.
"""

# os.path, not pathlib: on the hook path.
# ruff: noqa: PTH118

from __future__ import annotations

import json
import os
import re

from superego_mcp import observe
from superego_mcp.files import read_regular

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from typing import Any

    from superego_mcp.model import ToolCall
    from superego_mcp.shell.model import Command

# Superego's program: the console script, the module run by ``python -m`` (and its
# submodules), a pinned or suffixed copy (``superego-mcp-0.3``).
_SELF_PROGRAM = re.compile(r"^superego[-_]mcp([-_.@][\w.@-]*)?$")


def runs_superego(program: str) -> bool:
    """True when ``program`` (a command's program name) is Superego's command line."""
    return bool(_SELF_PROGRAM.match(program))


# Superego's entry point as a file: the console script pip/uv write (``from superego_mcp.cli
# import main``), one importing its ``cli`` or ``__main__`` otherwise, Nix's wrapper of it.
_ENTRY_MARK = re.compile(
    r"(?m)^\s*(from\s+superego_mcp(\.cli|\.__main__)?\s+import\s+(main|cli)\b"
    r"|import\s+superego_mcp\.(cli|__main__)\b)"
    r"|\.superego-mcp-wrapped\b"
)


def is_superego_file(program_files: tuple[str, ...]) -> bool:
    """True when a program run by path is Superego's executable under another name: a
    symlink to it (a form whose name is Superego's), or a script (``#!``) whose first
    kilobytes are its entry point (a copy of the console script)."""
    if any(runs_superego(f.rsplit("/", 1)[-1]) for f in program_files):
        return True
    for f in program_files[:1]:
        try:  # never blocking: a FIFO named as the program is not read
            head = read_regular(f, 4096)
        except (OSError, ValueError):
            return False
        if (
            head is not None
            and head.startswith(b"#!")
            and _ENTRY_MARK.search(head.decode("utf-8", "replace"))
        ):
            return True
    return False


# Programs that copy or link what they name to another name (the last operand).
DUPLICATORS = frozenset({"cp", "ln", "install", "rsync", "scp", "ditto", "mv"})
# The executable's name in a word: ``superego-mcp``, a versioned copy (``superego-mcp-0.3``),
# at the start, after a ``/`` or inside ``$(which ...)``; not ``superego-mcp.yaml``.
_NAMES_ENTRY = re.compile(r"(?:^|[/\s`(=])superego-mcp(?:[-_@]\d[\w.]*)?(?:$|[\s`)'\"])")


def copies(cmd: Command) -> bool:
    """True when ``cmd`` copies or links Superego's executable (a source whose name is
    Superego's program, ``$(which superego-mcp)`` too) to another name: a way to run it
    unrecognised."""
    if cmd.program not in DUPLICATORS:
        return False
    # With -t DIR every operand is a source; otherwise the last one is the destination.
    sources = cmd.positionals if "target-directory" in cmd.flags else cmd.positionals[:-1]
    return any(_NAMES_ENTRY.search(w) for w in sources)


# --- the command line: subcommands and their options taking a value ---------------------------
# Kept equal to cli.build_parser() by tests/policy/test_selfguard.py (a subcommand added there
# and not here fails it).
_POLICY = frozenset({"--rules", "--config"})
_SERVER = frozenset({"--transport", "--host", "--port"})
TOP_VALUED = _POLICY | _SERVER
VALUED: dict[str, frozenset[str]] = {
    "serve": _SERVER | _POLICY,
    "stdio": _POLICY,
    "hook": _POLICY | {"--server", "--on-server-error", "--fail-mode", "--agent"},
    "hooks": _POLICY
    | {"--agent", "--scope", "--matcher", "--mode", "--url", "--timeout", "--project-dir"},
    "init": frozenset({"--path"}),
    "check": _POLICY,
    "explain": _POLICY | {"--tool", "--input", "--cwd", "--agent", "--project", "--session"},
    "allow": frozenset({"--for", "--revoke", "--reason", "--tool", "--input", "--config"}),
    "config": frozenset({"--config"}),
    "audit": frozenset(),
    "reviewer": frozenset({"--config"}),
    "healthcheck": frozenset({"--url", "--timeout", "--host", "--port"}),
    "replay": _POLICY
    | {"--audit", "--since", "--until", "--decision", "--tool", "--rule", "--session"}
    | {"--entry", "--text", "--from", "--project", "--at", "--fail-on", "--format", "--limit"},
    "suggest": _POLICY
    | {"--audit", "--since", "--until", "--min-sessions", "--min-calls", "--project"}
    | {"--write", "--accept", "--format", "--limit"},
}
_AUDIT_FILTERS = frozenset(
    {"--audit", "--config", "--since", "--decision", "--tool", "--rule", "--session", "--entry"}
)
AUDIT_VALUED: dict[str, frozenset[str]] = {
    "tail": _AUDIT_FILTERS | {"--text", "-n", "--lines"},
    "query": _AUDIT_FILTERS | {"--text", "--limit"},
    "export": _AUDIT_FILTERS | {"--text", "--format"},
    "stats": _AUDIT_FILTERS | {"--text", "--top"},
    "prune": frozenset({"--audit", "--config", "--older-than", "--max-rows"}),
}
# Subcommands (with their action, when they take one) that only read: allowed.
READ_ONLY = frozenset(
    {
        "check",
        "explain",
        "healthcheck",
        "hooks status",
        "config show",
        "audit tail",
        "audit query",
        "audit export",
        "audit stats",
        "allow --list",
        "replay",
        "suggest",
    }
)
# Neither reads only nor changes Superego: judged by the other rules. `init` without --force
# writes a new starter file (it refuses to overwrite one); `reviewer test` sends two sample
# calls to the configured reviewer (the person's budget: not allowed by Superego either).
NEUTRAL = frozenset({"init", "reviewer test"})
_HELP = frozenset({"-h", "--help"})


def _words(argv: tuple[str, ...], valued: frozenset[str], start: int) -> tuple[list[str], int]:
    """The positional words of ``argv[start:]`` up to ``--`` (options and their values
    skipped), and whether ``-h``/``--help`` came first: returns (positionals, help index or -1)."""
    out: list[str] = []
    i, n = start, len(argv)
    while i < n:
        word = argv[i]
        if word == "--":
            break
        if word in _HELP:
            return out, i
        if word.startswith("-") and word != "-":
            if "=" not in word and word in valued:
                i += 1
            i += 1
            continue
        out.append(word)
        i += 1
    return out, -1


def _options(argv: tuple[str, ...], start: int) -> tuple[str, ...]:
    """The words of ``argv[start:]`` before ``--`` (after it, everything is an operand)."""
    rest = argv[start:]
    return rest[: rest.index("--")] if "--" in rest else rest


def cli_act(argv: tuple[str, ...], dynamic: bool) -> str | None:
    """What running Superego's command line with ``argv`` does: ``read``, ``change`` or
    ``None`` (see the module docstring). A word only known at run time makes it ``change``
    unless help is asked for first."""
    # Top level: options before the subcommand.
    i, n = 0, len(argv)
    transport = False
    while i < n and argv[i].startswith("-") and argv[i] != "-":
        word = argv[i]
        if word in _HELP or word == "--version":
            return "read"
        if word == "--":
            i += 1
            break
        transport = transport or word.split("=", 1)[0] == "--transport"
        i += 2 if "=" not in word and word in TOP_VALUED else 1
    if i >= n:
        # No subcommand: `--transport X` serves; nothing else prints the help.
        return "change" if transport or dynamic else "read"
    command = argv[i]
    valued = VALUED.get(command)
    if valued is None:
        return "change"  # an unknown subcommand (or one hidden at run time)
    if command == "audit":
        rest, helped = _words(argv, frozenset(), i + 1)
        if helped >= 0 and not rest:
            return "read"
        action = rest[0] if rest else ""
        valued = AUDIT_VALUED.get(action, frozenset())
        start = argv.index(action, i + 1) + 1 if action else n
        _, helped = _words(argv, valued, start)
        key = f"audit {action}"
    else:
        rest, helped = _words(argv, valued, i + 1)
        key = command
        if command in ("hooks", "config", "reviewer"):
            key = f"{command} {rest[0]}" if rest else command
        elif command == "allow" and "--list" in _options(argv, i + 1):
            key = "allow --list"
        elif command == "init" and "--force" in _options(argv, i + 1):
            key = "init --force"
        elif command == "suggest" and any(
            o == "--write" or o.startswith("--write=") for o in _options(argv, i + 1)
        ):
            key = "suggest --write"  # writes a policy file: a person's decision
    if helped >= 0:
        return "read"
    if dynamic:
        return "change"
    if key in READ_ONLY:
        return "read"
    return None if key in NEUTRAL else "change"


# --- removing or stopping Superego -----------------------------------------------------------
_PACKAGE = re.compile(r"(?i)^(.*[/#:])?superego[-_.]?mcp\b")
# Package managers and the words that remove, replace or reinstall a package with them.
_PACKAGE_VERBS: dict[str, frozenset[str]] = {
    "pip": frozenset({"uninstall", "install"}),
    "uv": frozenset({"uninstall", "install", "remove", "upgrade"}),
    "pipx": frozenset({"uninstall", "install", "reinstall", "upgrade", "uninject", "inject"}),
    "poetry": frozenset({"remove", "add"}),
    "pdm": frozenset({"remove", "add"}),
    "conda": frozenset({"remove", "uninstall", "install"}),
    "mamba": frozenset({"remove", "uninstall", "install"}),
    "npm": frozenset({"uninstall", "remove", "rm", "un", "r", "unlink", "install", "i"}),
    "pnpm": frozenset({"remove", "rm", "uninstall", "un", "add", "install"}),
    "yarn": frozenset({"remove", "add"}),
    "bun": frozenset({"remove", "rm", "add", "install"}),
    "brew": frozenset({"uninstall", "remove", "rm", "reinstall", "unlink", "install"}),
    "apt": frozenset({"remove", "purge", "autoremove", "install", "reinstall"}),
    "apt-get": frozenset({"remove", "purge", "autoremove", "install"}),
    "dnf": frozenset({"remove", "erase", "install", "reinstall", "downgrade"}),
    "yum": frozenset({"remove", "erase", "install", "reinstall", "downgrade"}),
    "zypper": frozenset({"remove", "rm", "install", "in"}),
    "apk": frozenset({"del", "add"}),
    "snap": frozenset({"remove", "install"}),
    "nix-env": frozenset({"-e", "--uninstall", "-i", "--install"}),
    "nix": frozenset({"remove", "install", "upgrade"}),
    "port": frozenset({"uninstall", "install", "deactivate"}),
    "pacman": frozenset(),  # -R / -S are flags: any pacman naming the package
    "dpkg": frozenset(),
    "rpm": frozenset(),
    # The other registries of the installs family: a package, crate, gem, module or tool
    # named superego-mcp installs a program of that name (Go: the path's last element).
    "cargo": frozenset({"install", "uninstall"}),
    "go": frozenset({"install"}),
    "gem": frozenset({"install", "uninstall", "update"}),
    "composer": frozenset({"require", "req", "install", "update", "remove"}),
    "dart": frozenset({"activate", "deactivate"}),
    "flutter": frozenset({"activate", "deactivate"}),
    "mix": frozenset({"escript.install", "archive.install", "escript.uninstall"}),
    "dotnet": frozenset({"install", "uninstall", "update"}),
    "cabal": frozenset({"install"}),
    "stack": frozenset({"install"}),
    "opam": frozenset({"install", "reinstall", "upgrade", "remove", "uninstall"}),
    "luarocks": frozenset({"install", "remove"}),
    "cpanm": frozenset(),  # cpanm NAME installs; -U uninstalls: any cpanm naming it
    "cpm": frozenset({"install"}),
    "deno": frozenset({"install", "uninstall"}),
    "micromamba": frozenset({"remove", "uninstall", "install", "create", "update"}),
    "flox": frozenset({"install", "i", "upgrade", "uninstall", "remove", "rm"}),
    "scoop": frozenset({"install", "uninstall", "update"}),
    "pipenv": frozenset({"install", "uninstall"}),
}
# How many leading words hold the manager's verb (`dart pub global activate X`: three).
_VERB_DEPTH = {"dart": 3, "flutter": 3}
_PIP = re.compile(r"^pip(\d+(\.\d+)*)?$")
_KILLERS = frozenset({"kill", "pkill", "killall", "skill", "slay"})
_PID_FINDERS = frozenset({"pgrep", "pidof"})
_SERVICES: dict[str, frozenset[str]] = {
    "systemctl": frozenset({"stop", "kill", "disable", "mask", "restart", "reload", "edit"}),
    "service": frozenset({"stop", "restart"}),
    "launchctl": frozenset({"unload", "bootout", "remove", "stop", "kill", "disable"}),
    "docker": frozenset({"stop", "kill", "rm", "restart", "pause", "update"}),
    "podman": frozenset({"stop", "kill", "rm", "restart", "pause", "update"}),
    "kubectl": frozenset({"delete", "scale", "edit", "patch", "set", "rollout"}),
}
_NAMES_SELF = re.compile(r"(?i)superego")
# Every program :func:`removes` looks at (``pip3.12`` and the like too, by ``_PIP``).
PROGRAMS = frozenset({*_PACKAGE_VERBS, *_KILLERS, *_PID_FINDERS, *_SERVICES})


def removes(cmd: Command) -> bool:
    """True when ``cmd`` removes, replaces or reinstalls the superego-mcp package, or stops a
    running Superego (kill/pkill/killall by name, its PIDs fed to a killer, a service or
    container named after it)."""
    program = "pip" if _PIP.match(cmd.program) else cmd.program
    words = cmd.argv
    verbs = _PACKAGE_VERBS.get(program)
    if verbs is not None:
        if not any(_PACKAGE.match(w) for w in words):
            return False
        if not verbs or program == "nix-env":
            return not verbs or any(w in verbs for w in words)  # verbs are flags (-e, -R)
        # The manager's own verb comes first (`uv pip uninstall`, `nix profile remove`), not a
        # word of a command it runs (`uv tool run superego-mcp hooks uninstall`).
        lead = [w for w in words if not w.startswith("-")][: _VERB_DEPTH.get(program, 2)]
        return any(w in verbs for w in lead) and "run" not in lead[:1]
    if program in _KILLERS:
        return any(_NAMES_SELF.search(w) for w in words)
    if program in _PID_FINDERS:
        fed = set(cmd.piped_to) & (_KILLERS | {"xargs", "parallel"}) or "$()" in cmd.via
        return bool(fed) and any(_NAMES_SELF.search(w) for w in words)
    actions = _SERVICES.get(program)
    if actions is not None:
        # docker's and podman's own verb (`docker stop`, `compose rm`), not a word of the
        # command a container run gives its container (`docker run ... alpine rm -rf dist`)
        said = (cmd.subcommand or "").split() if program in ("docker", "podman") else words
        return any(w in actions for w in said) and any(_NAMES_SELF.search(w) for w in words)
    return False


# --- another program put in Superego's place ----------------------------------------------
# A file named as the program the hooks run (``superego-mcp``, Windows' wrappers); not
# ``superego-mcp.yaml`` nor a versioned copy, which no hook runs.
_PROGRAM_FILE = re.compile(r"(?i)^superego[-_]mcp(\.exe|\.cmd|\.bat|\.ps1)?$")


def is_program_name(name: str) -> bool:
    """True when a file or program called ``name`` is found where Superego's program is."""
    return bool(_PROGRAM_FILE.match(name))


# Options naming the file a builder writes (`bun build --compile --outfile`, `deno compile
# -o`, `shiv -o`, `pex -o`, `python -m zipapp -o`, linkers' `-o`).
_OUTPUT_OPTIONS = frozenset({"-o", "--output", "--outfile", "--out-file", "--output-file"})


def _outputs(cmd: Command) -> list[str]:
    """The values of output options in a command's words that are paths into a directory
    (``-o DIR/X``, ``--output=DIR/X``; not a reader's ``grep -o WORD``)."""
    if cmd.program in READERS:
        return []
    argv = cmd.argv
    out: list[str] = []
    for i, word in enumerate(argv):
        name, eq, value = word.partition("=")
        if name in _OUTPUT_OPTIONS:
            value = value if eq else (argv[i + 1] if i + 1 < len(argv) else "")
            if "/" in value:
                out.append(value)
    return out


# Installs of the project into its own environment (its virtualenv), not the user's PATH.
_SYNCS = frozenset({("uv", "sync"), ("poetry", "install"), ("pdm", "install"), ("pdm", "sync")})
_PROJECT_NAME = re.compile(r"""(?m)^\s*name\s*=\s*["']superego[-_.]mcp["']\s*(#.*)?$""")


def _own_checkout(manifest: str) -> bool:
    """True when ``manifest`` (a pyproject.toml) is a checkout of Superego: its project is
    named superego-mcp."""
    text = read_text(manifest) or ""
    rest = text.partition("[project]")[2]
    return bool(rest) and bool(_PROJECT_NAME.search(rest.split("\n[", 1)[0]))


# Python installers and the words that install with them.
_PY_INSTALLS = {"pip": "install", "pip3": "install", "easy_install": "", "uv": "pip install"}
ENV_INSTALLERS = frozenset({*_PY_INSTALLS, "python", "python3"})


def _inside(path: str, protected: tuple[str, ...]) -> str | None:
    """The protected directory ``path`` lies in (Superego's own environment), if any."""
    for p in protected:
        if path.startswith(p.rstrip("/") + "/"):
            return p
    return None


def into_environment(cmd: Command, protected: tuple[str, ...]) -> str | None:
    """The directory of Superego's own environment a Python install puts packages into (a
    package there runs with every start of Superego: a ``.pth`` file, a module shadowing
    one it imports): ``pip`` run from it (``VENV/bin/pip install x``, ``VENV/bin/python -m
    pip install x``) or ``VIRTUAL_ENV`` set to it for ``pip`` / ``uv pip``. None otherwise."""
    program = "python" if cmd.program.startswith("python") else cmd.program
    argv = cmd.argv
    if program == "python":
        if argv[:2] not in (("-m", "pip"), ("-m", "easy_install")) or "install" not in argv:
            return None
    elif program not in _PY_INSTALLS or (
        _PY_INSTALLS[program] and cmd.subcommand != _PY_INSTALLS[program]
    ):
        return None
    for form in cmd.program_files:
        found = _inside(form, protected)
        if found is not None:
            return found
    for assignment in cmd.assignments:
        name, _, value = assignment.partition("=")
        if name == "VIRTUAL_ENV":
            found = _inside(value.rstrip("/") + "/", protected) or (
                value.rstrip("/") if value.rstrip("/") in protected else None
            )
            if found is not None:
                return found
    return None


def replaces(
    call: ToolCall,
    cmd: Command | None,
    paths: tuple[str, ...],
    project: str,
    protected: tuple[str, ...] = (),
) -> list[str]:
    """What the unit puts in Superego's program's place, each as a reason's detail: the
    programs an install of a directory declares under its name (with the manifest's
    FILE:LINE), the files of its name a command writes (copies, links, downloads, redirects,
    compiler outputs) or a file tool writes, packages a Python install puts into Superego's
    own environment (``protected``: :func:`into_environment`). Empty when none. Not the
    project syncing itself into its own virtualenv when the project is a checkout of
    Superego (``uv sync`` there installs Superego's own program from the code the agent
    already edits)."""
    out: list[str] = []
    if cmd is None:
        tool = call.tool_name
        if tool in WRITE_TOOLS or (tool.startswith("mcp__") and not _READ_MCP.search(tool)):
            out += [f"writes {p}" for p in paths if is_program_name(p.rsplit("/", 1)[-1])]
        return out
    own = project.rstrip("/") + "/pyproject.toml"
    for name, where in cmd.installs:
        if not is_program_name(name):
            continue
        if (
            (cmd.program, cmd.subcommand) in _SYNCS
            and where.rsplit(":", 1)[0] == own
            and _own_checkout(own)
        ):
            continue
        out.append(f"{where} declares the program {name}")
    written = [*cmd.writes, *(r.target for r in cmd.redirects if r.writes and r.target)]
    written += _outputs(cmd)
    for path in dict.fromkeys(written):
        if is_program_name(path.rsplit("/", 1)[-1]):
            out.append(f"writes {path}")
    env = into_environment(cmd, protected) if protected else None
    if env is not None:
        out.append(f"installs packages into Superego's own environment {env}")
    return out


# --- agents' hook and settings files ---------------------------------------------------------
# A Superego hook in a settings file: our command (any path, shell-quoted or not), the module
# form, the http route, OpenCode's plugin marker.
HOOK_MARK = re.compile(
    r"superego[-_]mcp['\"]?\s+['\"]?hook\b|-m\s+superego_mcp\s+hook\b|/v1/hooks/claude-code"
    r"|superego-mcp plugin for OpenCode"
)
# Settings that switch hooks off: Claude Code's and Copilot's disableAllHooks, Gemini's
# hooksConfig (enabled: false, disabled: [names]), Codex's [features] hooks / codex_hooks.
DISABLE_MARK = re.compile(
    r"(?i)disableAllHooks|hooksConfig|codex_hooks|features\.hooks|\bhooks\s*=\s*false\b"
)
# Environment a settings file gives the agent's session, and so its hooks (Claude Code's
# `env`): Superego's own settings, the interpreter's start-up (PYTHONPATH puts a directory of
# modules before Superego's own), the dynamic loader, and the places its layers and cache
# are found in. Set there, the next session's hook runs with other rules or other code.
_STEER_NAMES = (
    r"SUPEREGO_\w+|PYTHON\w*|LD_\w+|DYLD_\w+|XDG_(?:CONFIG|CACHE|STATE|DATA)_HOME"
    r"|HOME|CODEX_HOME|COPILOT_HOME|VIRTUAL_ENV"
)
_STEER_NAME = re.compile(_STEER_NAMES)
_STEERS = re.compile(
    r"""["']?\b(""" + _STEER_NAMES + r""")["']?\s*[:=]\s*("[^"]*"|'[^']*'|[^\s,}]*)"""
)


def steers_hook(name: str) -> bool:
    """True when the environment variable ``name`` would steer Superego's hook."""
    return _STEER_NAME.fullmatch(name) is not None


def steers(text: str) -> dict[str, str]:
    """The environment settings in ``text`` (a settings file, or a command writing one)
    that would steer Superego's hook: name -> value as written."""
    return {m.group(1): m.group(2) for m in _STEERS.finditer(text)}


# Events whose entries are pre-tool-call hooks, in every agent's files.
_PRE_EVENTS = ("PreToolUse", "PermissionRequest", "BeforeTool", "preToolUse", "permissionRequest")
_MAX_READ = 1 << 20


def _env_dir(name: str, home: str, *parts: str) -> str:
    value = observe.env(name) or ""
    return value if value.startswith("/") else os.path.join(home, *parts)


def hook_files(home: str, project: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(files that may hold a Superego hook, settings files that may switch hooks off) for
    every agent at every scope: the installers' files (``hook.install``, ``hook.agents.install``;
    a test keeps them included) and the other files each agent reads hooks or switches from."""
    codex = _env_dir("CODEX_HOME", home, ".codex")
    copilot = _env_dir("COPILOT_HOME", home, ".copilot")
    xdg = _env_dir("XDG_CONFIG_HOME", home, ".config")
    hooks: list[str] = []
    settings: list[str] = []
    for base in (home, project):
        claude = os.path.join(base, ".claude")
        hooks += [
            os.path.join(claude, "settings.json"),
            os.path.join(claude, "settings.local.json"),
            os.path.join(base, ".codex", "hooks.json"),
            os.path.join(base, ".codex", "config.toml"),
            os.path.join(base, ".gemini", "settings.json"),
            os.path.join(base, ".cursor", "hooks.json"),
            os.path.join(base, ".github", "copilot", "settings.json"),
            os.path.join(base, ".github", "copilot", "settings.local.json"),
        ]
    hooks += [os.path.join(codex, "hooks.json"), os.path.join(codex, "config.toml")]
    hooks += [os.path.join(copilot, "settings.json")]
    dirs = [
        os.path.join(copilot, "hooks"),
        os.path.join(project, ".github", "hooks"),
        os.path.join(xdg, "opencode", "plugins"),
        os.path.join(home, ".config", "opencode", "plugins"),
        os.path.join(project, ".opencode", "plugins"),
    ]
    for d in dirs:
        try:
            names = observe.listdir(d)
        except OSError:
            continue
        hooks += [os.path.join(d, name) for name in names[:64]]
    settings = [h for h in hooks if h.endswith(("settings.json", "settings.local.json"))]
    settings += [h for h in hooks if h.endswith("config.toml")]
    settings.append("/etc/gemini-cli/settings.json")
    return tuple(dict.fromkeys(hooks)), tuple(dict.fromkeys(settings))


def read_text(path: str) -> str | None:
    """The text of a hook or settings file (up to 1 MiB), noted for the decision cache and
    never blocking (a FIFO is not read); ``None`` when it is not a readable regular file."""
    try:
        data = read_regular(path, _MAX_READ)
    except (OSError, ValueError):
        return None
    return None if data is None else data.decode("utf-8", "replace")


def our_entries(text: str) -> list[str] | None:
    """Superego's hook entries in a settings or hook file's text, each as canonical JSON of
    (event, matcher, handler) so that any change to one (its command, matcher, timeout,
    failClosed) shows; for a file that is not JSON (OpenCode's plugin, Codex's TOML) the
    lines that name the hook. ``None`` when the file holds none."""
    if not HOOK_MARK.search(text):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return _text_entries(text)
    found: list[str] = []
    hooks = data.get("hooks") if isinstance(data, dict) else None
    if isinstance(hooks, dict):
        for event in _PRE_EVENTS:
            entries = hooks.get(event)
            for entry in entries if isinstance(entries, list) else ():
                if not isinstance(entry, dict):
                    continue
                handlers = entry.get("hooks")
                inner = handlers if isinstance(handlers, list) else [entry]
                for handler in inner:
                    blob = json.dumps([event, entry.get("matcher"), handler], sort_keys=True)
                    if HOOK_MARK.search(blob):
                        found.append(blob)
    # Our command outside any hook event (moved aside) no longer runs: such a file holds our
    # hook only in name; it is still ours, and any write to it is a change to check.
    return found or [""]


def _text_entries(text: str) -> list[str]:
    """Our hook in a file that is not JSON: OpenCode's plugin (ours whole: any change to it is
    a change to the hook), or Codex's config.toml (every line of its ``[hooks...]`` tables,
    so a changed matcher or timeout shows too)."""
    if text.lstrip().startswith("// superego-mcp plugin for OpenCode"):
        return [text]
    out: list[str] = []
    in_hooks = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_hooks = stripped.lstrip("[").startswith("hooks")
        if in_hooks or HOOK_MARK.search(line):
            out.append(stripped)
    return out


def _apply_edits(text: str, tool_input: dict[str, Any]) -> str | None:
    """The text after an Edit / MultiEdit / MCP edit, ``None`` when not an edit."""
    edits: list[tuple[Any, Any, Any]] = []
    if "old_string" in tool_input:
        get = tool_input.get
        edits.append((get("old_string"), get("new_string"), get("replace_all")))
    for key in ("edits",):
        for e in tool_input.get(key) or ():
            if isinstance(e, dict):
                old = e.get("old_string", e.get("oldText"))
                new = e.get("new_string", e.get("newText"))
                edits.append((old, new, e.get("replace_all")))
    if not edits:
        return None
    for old, new, every in edits:
        if not isinstance(old, str) or not isinstance(new, str):
            return ""  # unreadable edit: assume the worst
        text = text.replace(old, new) if every else text.replace(old, new, 1)
    return text


def _new_text(call: ToolCall, old: str) -> str | None:
    """What a file tool would leave in the file (``None``: it only reads)."""
    tool_input = call.tool_input
    for key in ("content", "contents", "text", "new_source"):
        value = tool_input.get(key)
        if isinstance(value, str):
            return value
    return _apply_edits(old, tool_input)


def _writes_mark(call: ToolCall) -> bool:
    """True when a file tool's new text (content, new strings of edits) turns hooks off."""
    tool_input = call.tool_input
    texts = [tool_input.get(k) for k in ("content", "contents", "text", "new_string")]
    for e in tool_input.get("edits") or ():
        if isinstance(e, dict):
            texts += [e.get("new_string"), e.get("newText")]
    return any(isinstance(t, str) and DISABLE_MARK.search(t) for t in texts)


WRITE_TOOLS = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit"})
_READ_MCP = re.compile(r"(?i)__(read|get|list|search|find|view|show|stat|info|directory_tree)")
# Programs that only read the files they name (``> file`` redirects are judged apart).
READERS = frozenset(
    {
        "cat", "less", "more", "head", "tail", "grep", "egrep", "fgrep", "rg", "ag", "wc",
        "diff", "cmp", "file", "stat", "ls", "bat", "md5sum", "sha256sum", "sha1sum", "jq",
        "yq", "test", "[", "realpath", "readlink", "dirname", "basename", "du", "tree",
    }
)  # fmt: skip
_COPIERS = frozenset({"cp", "rsync", "scp", "install"})
_GIT_READS = frozenset({"add", "diff", "log", "show", "status", "blame", "ls-files", "commit"})
# Programs that remove or move what they name, a directory with everything below it.
REMOVERS = frozenset({"rm", "rmdir", "mv", "shred", "srm", "unlink", "trash", "trash-put"})


def unhooks(
    call: ToolCall, cmd: Command | None, paths: tuple[str, ...], home: str, project: str
) -> bool:
    """True when the unit removes or disables an installed Superego hook: a file tool's write
    that drops or changes one of our entries in an agent's hook or settings file (or adds a
    switch that turns hooks off), a shell redirect into such a file, a command other than a
    reader that names one, or one that removes or moves a directory above one; or any
    command but a reader that spells a hooks-off switch (``disableAllHooks``, ...)."""
    if (
        cmd is not None
        and cmd.program not in READERS
        and any(DISABLE_MARK.search(w) for w in cmd.argv)
    ):
        return True
    if cmd is not None and cmd.program == "git" and cmd.subcommand in GIT_RESTORERS:
        base = project.rstrip("/") + "/"
        if all(p.startswith(base) or p == project for p in paths) and not any(
            observe.lkind(base + d) is not None for d in PROJECT_AGENT_DIRS
        ):
            return False  # no project hook file for it to touch, and it names no other
    files, settings = hook_files(home, project)
    if cmd is None:
        tool = call.tool_name
        if tool not in WRITE_TOOLS and (not tool.startswith("mcp__") or _READ_MCP.search(tool)):
            return False
        for path in paths:
            if path not in files and path not in settings:
                continue
            old = read_text(path) or ""
            if path in settings and not DISABLE_MARK.search(old) and _writes_mark(call):
                return True
            new = _new_text(call, old)
            if new is None:
                if our_entries(old) is not None:
                    return True  # an MCP tool that changes it some other way
                continue
            if path in settings and DISABLE_MARK.search(new) and not DISABLE_MARK.search(old):
                return True
            if path in settings and steers(new) != steers(old):
                return True
            before = our_entries(old)
            if before is not None and (our_entries(new) or []) != before:
                return True
        return False
    targets = [r.target for r in cmd.redirects if r.writes and r.target]
    if any(_holds(t, files, below=False) for t in targets):
        return True
    if any(p in settings for p in (*paths, *targets)) and steers(" ".join(cmd.argv)):
        return True  # `jq '.env.PYTHONPATH="/tmp/x"' settings.json`, `echo '{...}' > settings`
    if cmd.program == "git" and cmd.subcommand in GIT_RESTORERS:
        if cmd.subcommand in ("rm", "mv"):
            return "--cached" not in cmd.argv and any(_holds(p, files, below=True) for p in paths)
        return any(_holds(p, files, below=False) for p in paths) or git_drops(cmd, files, project)
    if cmd.program in READERS or not paths:
        return False
    if cmd.program == "git" and cmd.subcommand in _GIT_READS:
        return False
    named = paths
    if cmd.program in _COPIERS and len(cmd.positionals) > 1:
        # Sources are read; the last operand is what is written.
        last = cmd.positionals[-1].rstrip("/").rsplit("/", 1)[-1]
        named = tuple(p for p in paths if p.rstrip("/").endswith("/" + last)) or paths[-1:]
    below = cmd.program in REMOVERS
    return any(_holds(p, files, below=below) for p in named)


# The project directories every project hook file lies in (see :func:`hook_files`).
PROJECT_AGENT_DIRS = (".claude", ".codex", ".gemini", ".cursor", ".github", ".opencode")
# The directories an agent reads its settings, hooks or plugins from, in the project and in
# the home (`.github` only for Copilot's: most projects have one for CI).
_SETTINGS_DIRS = (
    ".claude", ".codex", ".gemini", ".cursor", ".opencode", ".github/copilot", ".github/hooks",
    ".copilot", ".config/superego", ".config/opencode",
)  # fmt: skip


def holds_settings(paths: tuple[str, ...], home: str, project: str) -> bool:
    """True when one of ``paths`` (a container's writable mounts) holds an agent's settings
    directory that exists (the project's or the home's ``.claude``, ``.codex``, ...,
    Superego's own configuration) or lies in one: what runs there could rewrite the
    settings where the agent's hooks and permissions live."""
    dirs = [os.path.join(base, d) for base in (project, home) for d in _SETTINGS_DIRS]
    dirs.append(_env_dir("CODEX_HOME", home, ".codex"))
    dirs.append(os.path.join(_env_dir("XDG_CONFIG_HOME", home, ".config"), "superego"))
    for path in paths:
        top = path.rstrip("/") or "/"
        prefix = top if top == "/" else top + "/"
        for d in dirs:
            if d == top or top.startswith(d + "/"):
                return True
            if d.startswith(prefix) and observe.kind(d) is not None:
                return True
    return False


# git's verbs that put files back as git has them, delete untracked ones, or remove or move
# tracked ones (kept equal to ``conditions.GIT_RESTORERS``: the cheap test before the import).
GIT_RESTORERS = frozenset({"checkout", "restore", "stash", "clean", "reset", "rm", "mv", "switch"})
# `git stash` actions that do not take changes away (pop/apply write; judged as writes would be
# only through the files they name).
_STASH_KEEPS = frozenset(
    {"list", "show", "apply", "pop", "drop", "clear", "branch", "create", "store"}
)
# Options of these verbs that take a value (so the value is not a pathspec or a branch).
_GIT_VALUED = frozenset(
    {
        "-m", "--message", "-s", "--source", "-b", "-B", "-c", "-C", "--orphan", "-e",
        "--exclude", "--pathspec-from-file", "--conflict",
    }
)  # fmt: skip


def _git_words(argv: tuple[str, ...]) -> tuple[set[str], dict[str, str], list[str], int]:
    """(options, short ones split: ``-fdx`` is -f -d -x; the values of valued ones;
    operands; how many operands came before ``--``)."""
    opts: set[str] = set()
    values: dict[str, str] = {}
    operands: list[str] = []
    before = -1
    i, n = 1, len(argv)
    while i < n:
        w = argv[i]
        if before >= 0:
            operands.append(w)
        elif w == "--":
            before = len(operands)
        elif w.startswith("--"):
            name, _, value = w.partition("=")
            opts.add(name)
            if not value and w in _GIT_VALUED and i + 1 < n:
                i += 1
                value = argv[i]
            values[name] = value
        elif w.startswith("-") and len(w) > 1:
            opts.update("-" + c for c in w[1:])
            if w in _GIT_VALUED and i + 1 < n:
                i += 1
                values[w] = argv[i]
        else:
            operands.append(w)
        i += 1
    return opts, values, operands, len(operands) if before < 0 else before


def git_drops(cmd: Command, files: tuple[str, ...], project: str) -> bool:
    """True when a git command that restores, stashes, cleans or resets the work tree would
    take away a hook file of ``files`` under ``project`` that holds Superego's hook: one with
    changes git would put back (``checkout``/``restore`` of a path above it, ``stash``,
    ``reset --hard``, ``checkout -f``, ``switch --discard-changes``), or untracked / ignored
    when ``git clean`` (``-x``) or ``git stash -u`` (``--all``) deletes it. Git is asked for
    the files' status only when such a file exists; an answer it cannot give counts as a
    drop (fail closed)."""
    base = project.rstrip("/") + "/"
    held = [f for f in files if f.startswith(base) and our_entries(read_text(f) or "") is not None]
    if not held:
        return False
    opts, values, operands, before = _git_words(cmd.argv)
    dashdash = before < len(operands) or "--" in cmd.argv
    verb = cmd.subcommand
    kinds: set[str] = set()  # what the command takes away: modified, untracked, ignored
    whole = not operands  # no pathspec: the whole work tree
    rev: str | None = None  # another commit whose version the files get
    if verb == "stash":
        action = operands[0] if operands and not dashdash else "push"
        if action in _STASH_KEEPS:
            return False
        if operands and operands[0] in ("push", "save"):
            operands = operands[1:]
        whole = not operands
        kinds.add("modified")
        if opts & {"-u", "--include-untracked", "-a", "--all"}:
            kinds.add("untracked")
        if opts & {"-a", "--all"}:
            kinds.add("ignored")
    elif verb == "clean":
        if opts & {"-n", "--dry-run"}:
            return False
        if "-X" in opts:
            kinds.add("ignored")
        else:
            kinds.add("untracked")
            if "-x" in opts:
                kinds.add("ignored")
    elif verb == "reset":
        if not opts & {"--hard", "--merge", "--keep"}:
            return False
        kinds.add("modified")
        rev = operands[0] if operands else None
        whole = True
    elif verb == "restore":
        if opts & {"-S", "--staged"} and not opts & {"-W", "--worktree"}:
            return False
        kinds.add("modified")
        rev = values.get("--source") or values.get("-s")
    else:  # checkout, switch: to another commit (its version of every file), or paths
        force = bool(opts & {"-f", "--force", "--discard-changes"})
        if force:
            kinds.add("modified")
        first = operands[0] if before > 0 else None
        if first == "-":
            first = "@{-1}"  # the branch before
        if first is not None and _is_commit(project, first):
            rev = first
            operands = operands[1:]
            whole = not operands
            if operands:
                kinds.add("modified")  # `checkout REV -- PATHS` overwrites their changes
        elif verb == "checkout" and operands:
            kinds.add("modified")
        elif not force:
            return False
        if force and rev is None:
            whole = True
    if not whole and any(any(c in w for c in "*?[") or w.startswith(":") for w in operands):
        whole = True  # a glob or magic pathspec: git matches it, assume it covers the file
    if not whole:
        covered = [p.rstrip("/") or "/" for p in cmd.paths]
        held = [f for f in held if any(f == p or f.startswith(p + "/") for p in covered)]
        if not held:
            return False
    if kinds & set(_git_status(project, held)):
        return True
    return rev is not None and rev != "HEAD" and _rev_drops(project, rev, held)


def _git(project: str, args: list[str], given: bytes = b"") -> bytes | None:
    """The output of ``git -C project ARGS`` fed ``given``; ``None`` when it fails (or, on
    the server's event loop, until it has run in a worker thread: ``observe.blocking``,
    which also marks the judgement volatile: git's index and objects are not noted)."""
    return observe.blocking(_run_git, project, tuple(args), given)


def _run_git(project: str, args: tuple[str, ...], given: bytes) -> bytes | None:
    import shutil  # only here: a git command near an installed hook
    import subprocess

    git = shutil.which("git")
    if git is None:
        return None
    try:
        out = subprocess.run(
            [git, "-C", project, *args], input=given, capture_output=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def _is_commit(project: str, word: str) -> bool:
    """True when ``word`` names a commit in the project's repository (a branch, a tag, ...)."""
    if word == "HEAD":
        return True
    return (
        _git(project, ["rev-parse", "--verify", "--quiet", "--end-of-options", word + "^{commit}"])
        is not None
    )


def _rev_drops(project: str, rev: str, held: list[str]) -> bool:
    """True when commit ``rev``'s version of one of ``held`` no longer holds the hook entries
    the work tree's file holds, or is absent there while the current commit has the file (a
    switch deletes it; an untracked file stays). Fail closed."""
    base = project.rstrip("/") + "/"
    # `REV:./PATH` is relative to the project (git -C), which may lie below the work tree.
    lines = "".join(f"{r}:./{f[len(base) :]}\n" for f in held for r in (rev, "HEAD"))
    out = _git(project, ["cat-file", "--batch"], lines.encode())
    if out is None:
        return True
    for f in held:
        found: list[str | None] = []
        for _ in range(2):
            header, _, out = out.partition(b"\n")
            parts = header.split()
            if len(parts) != 3 or parts[1] != b"blob":
                found.append(None)
                continue
            size = int(parts[2])
            found.append(out[:size].decode("utf-8", "replace"))
            out = out[size + 1 :]
        there, here = found
        if there is None:
            if here is not None:
                return True  # tracked now, absent there: the switch deletes it
            continue
        if our_entries(there) != our_entries(read_text(f) or ""):
            return True
    return False


def _git_status(project: str, held: list[str]) -> list[str]:
    """The kinds of change ``git status`` reports for ``held`` (``modified``, ``untracked``,
    ``ignored``; ``tracked`` for each file git knows). Every kind when git cannot answer."""
    out = _git(project, ["status", "--porcelain=v1", "-z", "--ignored", "--", *held])
    if out is None:
        return ["modified", "untracked", "ignored", "tracked"]
    kinds: list[str] = []
    seen = 0
    for entry in out.split(b"\0"):
        if len(entry) < 4:
            continue
        code = entry[:2]
        seen += 1
        if code == b"??":
            kinds.append("untracked")
        elif code == b"!!":
            kinds.append("ignored")
        else:
            kinds += ["modified", "tracked"]
    if seen < len(held):
        kinds.append("tracked")  # a file git did not report is tracked and unchanged
    return kinds


def _holds(path: str, files: tuple[str, ...], *, below: bool) -> bool:
    """True when ``path`` is a hook file holding our hook or, with ``below``, a directory
    above one."""
    path = path.rstrip("/") or "/"
    prefix = path if path == "/" else path + "/"
    for f in files:
        if (f == path or (below and f.startswith(prefix))) and our_entries(
            read_text(f) or ""
        ) is not None:
            return True
    return False
