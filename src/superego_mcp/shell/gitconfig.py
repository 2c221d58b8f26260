"""Git configuration that makes git run a program, judged when the git verb that runs it runs.

Many git settings name a program git runs (git-config(1), git 2.39): ``core.fsmonitor``
on every command that reads the index, ``diff.external`` and ``diff.<driver>.textconv`` on
``git diff``/``log -p``, ``filter.<driver>.smudge`` on checkout, ``alias.<name>`` = ``!cmd``
on ``git <name>``, ``core.sshCommand`` on fetch and push, ... :data:`_KEYS` is that table:
each key's pattern, what its value is (a shell command line, a git command line, a helper
name, another config file, ...) and the verbs that may run it (a superset is safe: a value
git would not run is only read).

When a git command runs, the settings it is given are read: ``-c KEY=VALUE``,
``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` and
``GIT_CONFIG_PARAMETERS`` assigned on the line, a ``GIT_CONFIG_GLOBAL``/``GIT_CONFIG_SYSTEM``
file named on the line, and the repository's own ``config`` (found from ``-C``,
``--git-dir``/``GIT_DIR`` or the directory, ``config.worktree`` too) with every file it
includes (``include.path``, every ``includeIf.*.path`` whatever its condition). A value of
a key the verb runs is walked as shell (a script it names is read like any script),
``via`` ``git config KEY`` (file and line as ``origin``) or ``git -c KEY``; a value only
known at run time, a config file that cannot be read, and settings that let a URL name a
command (``protocol.ext.allow``) are a ``script_unread`` finding. Not read: the user's and
the system's own configuration (the user's; writing it is asked about), ``core.hooksPath``
(:mod:`.githooks`).

``git config KEY VALUE`` that sets such a key to a program (not ``pager.log false``, not
``alias.st status``) is marked :data:`SETS_PROGRAM` (a flag rules match): it runs later, also
when the user runs git outside the agent.

Cheap: a few small files read through :mod:`superego_mcp.observe` (the decision cache sees
them change) for a git command; nothing else is imported unless a value is walked.
"""

# os.path, not pathlib: the hook path imports what a call needs.
# ruff: noqa: PTH118

from __future__ import annotations

import os

from superego_mcp import observe, project
from superego_mcp.lazyre import LazyPattern

from . import gitpush
from .model import SCRIPT_UNREAD, SCRIPT_WRITTEN

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from typing import Final

    from .model import Command
    from .state import Ctx, Scope, Walker
    from .words import Field

# The flag of a `git config` command that sets a key git runs as a program.
SETS_PROGRAM: Final = "sets-git-program"

# The flags of a git command that runs an alias: a shell command (`!cmd`) or another git
# command line; either is walked on its own.
RUNS_ALIAS: Final = "runs-git-alias"
EXPANDS_ALIAS: Final = "expands-git-alias"

# What a value is.
_SHELL = "shell"  # a command line git runs with the shell (or a program path: the same walk)
_ALIAS = "alias"  # `!cmd` runs cmd with the shell; anything else is `git VALUE ARGS`
_BANG = "bang"  # a program only when it starts with `!` (submodule.<name>.update)
_HELPER = "helper"  # credential.helper: `!cmd`, an absolute path, or `git credential-VALUE`
_NOT_BOOL = "not-bool"  # a command line unless a boolean (pager.<cmd>, core.fsmonitor)
_PATH = "path"  # a program only when it is a path (sendemail.smtpServer)
_INCLUDE = "include"  # another config file, read as this one
_TEMPLATE = "template"  # a template directory: hooks and config copied into a new repository
_ENABLES = "enables"  # lets a URL name a command (`ext::`): not read
_NAMED = frozenset({"\0named"})  # the verb is the key's last part (alias.<verb>, pager.<verb>)

_NET = frozenset({"fetch", "pull", "push", "clone", "ls-remote", "remote", "submodule",
                  "archive", "credential", "fetch-pack", "send-pack", "maintenance",
                  "request-pull", "lfs"})  # fmt: skip
_INDEX = None  # every verb: reading the index, refreshing it, a pager
_DIFF = frozenset({"diff", "log", "show", "blame", "annotate", "grep", "cat-file",
                   "format-patch", "whatchanged", "stash", "add", "range-diff", "difftool",
                   "diff-files", "diff-index", "diff-tree", "checkout", "reset", "restore",
                   "commit", "rebase", "am", "send-email"})  # fmt: skip
_EDIT = frozenset({"commit", "tag", "merge", "pull", "rebase", "revert", "cherry-pick",
                   "notes", "config", "add", "am", "send-email", "branch", "stash",
                   "citool"})  # fmt: skip
# Words after the verb that say no editor opens: a message given (commit, tag), `git
# config` without -e; an editor is still asked for with -e/--edit.
_MESSAGE = frozenset({"-m", "--message", "-F", "--file", "-C", "--reuse-message", "--no-edit"})
_EDITS = frozenset({"-e", "--edit"})
_MERGE = frozenset({"merge", "pull", "rebase", "cherry-pick", "revert", "am", "stash",
                    "checkout", "switch", "restore", "merge-tree", "merge-file",
                    "mergetool"})  # fmt: skip
_SIGN = frozenset({"commit", "tag", "verify-commit", "verify-tag", "log", "show", "merge",
                   "pull", "rebase", "cherry-pick", "revert", "am", "push", "stash",
                   "commit-tree", "for-each-ref"})  # fmt: skip
_PATCH = frozenset({"add", "checkout", "reset", "stash", "restore", "commit"})
_HELP = frozenset({"help", "instaweb", "web--browse", "bisect"})

# (pattern of the key, lower case; what its value is; the verbs that may run it). A key's
# pattern holds no capturing group.
_KEYS: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    (r"alias\.[^.]+", _ALIAS, _NAMED),
    (r"pager\.[^.]+", _NOT_BOOL, _NAMED),
    (r"core\.pager", _SHELL, _INDEX),
    (r"core\.fsmonitor", _NOT_BOOL, _INDEX),
    (r"core\.editor", _SHELL, _EDIT),
    (r"sequence\.editor", _SHELL, frozenset({"rebase", "pull"})),
    (r"core\.askpass", _SHELL, _NET),
    (r"credential\.(?:.+\.)?helper", _HELPER, _NET),
    (r"core\.sshcommand", _SHELL, _NET),
    (r"core\.gitproxy", _SHELL, _NET),
    (r"remote\..+\.uploadpack", _SHELL, _NET),
    (r"remote\..+\.receivepack", _SHELL, _NET),
    (r"uploadpack\.packobjectshook", _SHELL, _NET | {"upload-pack"}),
    (r"core\.alternaterefscommand", _SHELL, frozenset({"push", "send-pack", "receive-pack"})),
    (r"diff\.external", _SHELL, _DIFF),
    (r"diff\..+\.(?:command|textconv)", _SHELL, _DIFF),
    (r"interactive\.difffilter", _SHELL, _PATCH),
    (r"filter\..+\.(?:clean|smudge|process)", _SHELL, _INDEX),
    (r"merge\..+\.driver", _SHELL, _MERGE),
    (r"gpg\.(?:.+\.)?program", _SHELL, _SIGN),
    (r"gpg\.ssh\.defaultkeycommand", _SHELL, _SIGN),
    (r"tar\..+\.command", _SHELL, frozenset({"archive"})),
    (r"sendemail\.(?:.+\.)?(?:sendmailcmd|tocmd|cccmd)", _SHELL, frozenset({"send-email"})),
    (r"sendemail\.(?:.+\.)?smtpserver", _PATH, frozenset({"send-email"})),
    (r"imap\.tunnel", _SHELL, frozenset({"imap-send"})),
    (r"(?:browser|man)\..+\.(?:cmd|path)", _SHELL, _HELP),
    (r"instaweb\.(?:httpd|browser)", _SHELL, _HELP),
    (r"mergetool\..+\.(?:cmd|path)", _SHELL, frozenset({"mergetool"})),
    (r"difftool\..+\.(?:cmd|path)", _SHELL, frozenset({"difftool"})),
    (r"guitool\..+\.cmd", _SHELL, frozenset({"gui", "citool"})),
    (r"trailer\..+\.(?:command|cmd)", _SHELL,
     frozenset({"interpret-trailers", "commit", "tag", "am", "rebase", "merge"})),
    (r"submodule\..+\.update", _BANG, frozenset({"submodule", "clone", "pull", "checkout",
                                                "switch", "fetch"})),
    (r"lfs\.(?:customtransfer|extension)\..+\.(?:path|clean|smudge)", _SHELL, _INDEX),
    (r"include\.path|includeif\..+\.path", _INCLUDE, _INDEX),
    (r"init\.templatedir", _TEMPLATE, frozenset({"init", "clone"})),
    (r"protocol\.(?:ext\.)?allow|url\..+\.(?:insteadof|pushinsteadof)", _ENABLES, _NET),
)  # fmt: skip
_KEY = LazyPattern("^(?:" + "|".join(f"({p})" for p, _, _ in _KEYS) + ")$")
# A quick look before parsing: a line whose key (or section, for alias and pager) may be
# one of _KEYS; every entry parse() would give such a key on matches (a superset).
_CANDIDATE = LazyPattern(
    r"(?im)(?:^|\])[ \t]*(?:fsmonitor|pager|editor|askpass|helper|sshcommand|gitproxy|"
    r"uploadpack|receivepack|packobjectshook|alternaterefscommand|external|command|textconv|"
    r"difffilter|clean|smudge|process|driver|program|defaultkeycommand|sendmailcmd|tocmd|"
    r"cccmd|smtpserver|tunnel|cmd|path|httpd|browser|update|insteadof|pushinsteadof|allow|"
    r"templatedir|hookspath)[ \t]*(?:[=;#\r]|$)|^[ \t]*\[[ \t]*(?:alias|pager)\b"
)
_BOOLEANS = frozenset({"", "true", "false", "yes", "no", "on", "off", "1", "0"})
# Options of `git` before the verb that take a value.
_VALUED = frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env",
                     "--exec-path", "--super-prefix", "--list-cmds", "--attr-source"})  # fmt: skip
_NO_PAGER = frozenset({"--no-pager", "-P"})
_MAX_INCLUDES = 10  # git's own depth limit
_PARAMETER = LazyPattern(r"\s*'((?:[^']|'\\'')*)'(?:=('(?:[^']|'\\'')*'))?")


def program_key(key: str) -> tuple[str, frozenset[str] | None] | None:
    """(what its value is, the verbs that may run it) when git runs key ``key``'s value."""
    match = _KEY().match(key.lower())
    if match is None or match.lastindex is None:
        return None
    _, kind, verbs = _KEYS[match.lastindex - 1]
    return kind, verbs


def names_program(key: str, kind: str, value: str) -> bool:
    """Whether ``value`` of key ``key`` (of kind ``kind``) makes git run something (or, for
    an include or a template, reads a file that may)."""
    low = value.strip().lower()
    if kind in (_ALIAS, _BANG):
        return low.startswith("!")
    if kind == _NOT_BOOL:
        return low not in _BOOLEANS
    if kind == _PATH:
        return "/" in low or low.startswith("~")
    if kind == _ENABLES:
        if key.lower().startswith("url."):
            return key.lower().startswith(("url.ext::", "url.fd::"))  # a URL that is a command
        return low == "always" or (low == "user" and ".ext." in key.lower())
    return bool(low)


# ---------------------------------------------------------------- `git config KEY VALUE`

# `git config` options that read, remove or rename (no value set), and those with a value.
_READING = frozenset({"--get", "--get-all", "--get-regexp", "--get-urlmatch", "--list", "-l",
                      "--unset", "--unset-all", "--remove-section",
                      "--get-color", "--get-colorbool", "--show-origin", "--show-scope",
                      "--name-only", "-z", "--null"})  # fmt: skip
_CONFIG_VALUED = frozenset({"-f", "--file", "--blob", "--type", "--default", "--comment",
                            "--value", "--file-scope"})  # fmt: skip
_CONFIG_VERBS = frozenset({"get", "list", "unset", "remove-section", "edit"})


def setting(w: Walker, k: int, args: list[Field]) -> None:
    """``git config [OPTIONS] KEY VALUE`` (``git config set KEY VALUE``): mark command ``k``
    with :data:`SETS_PROGRAM` when it sets a key git runs to a program (or a value only
    known at run time)."""
    cmd = w.commands[k]
    argv = [f[0] for f in args]
    at = argv.index("config") if "config" in argv else len(argv)
    words: list[Field] = []
    i = at + 1
    while i < len(args):
        word = args[i][0]
        name = word.partition("=")[0]
        if word == "--":
            words.extend(args[i + 1 :])
            break
        if name in _READING:
            return
        if name == "--rename-section" or (not words and word == "rename-section"):
            # the entries of a section become another's (`[x] cmd = ...` -> `[alias]`)
            cmd.flags = cmd.flags | {SETS_PROGRAM}
            return
        if word.startswith("-"):
            i += 2 if word in _CONFIG_VALUED else 1
            continue
        words.append(args[i])
        i += 1
    if words and words[0][0] in _CONFIG_VERBS:
        return
    if words and words[0][0] == "set":
        words = words[1:]
    if len(words) < 2:
        return
    (key, key_dynamic), (value, value_dynamic) = words[0], words[1]
    found = program_key(key)
    # url.<base>.insteadOf: where every matching URL goes from now on (asked, as before)
    if key_dynamic or (
        found is not None
        and (value_dynamic or names_program(key, found[0], value) or key.lower().startswith("url."))
    ):
        cmd.flags = cmd.flags | {SETS_PROGRAM}


# ---------------------------------------------------------------- a git verb runs


class _Setting:
    """One configuration entry: its key (lower case), value (None: only known at run
    time), where it was given (a file and line, or the command line)."""

    __slots__ = ("file", "key", "label", "line", "value")

    def __init__(
        self, key: str, value: str | None, file: str | None, line: int, label: str = ""
    ) -> None:
        self.key = key
        self.value = value
        self.file = file
        self.line = line
        self.label = label


def run_configured(w: Walker, k: int, args: list[Field], env_scope: Scope, ctx: Ctx) -> None:
    """Walk what git command ``k`` (its words ``args``) runs from its configuration."""
    cmd = w.commands[k]
    argv = [f[0] for f in args]
    at = _verb_at(argv)
    if at is None:
        return
    verb = argv[at]
    before = args[:at]
    # what git's environment holds: variables set earlier on the line (exported or not: a
    # superset) and the command's own assignments; None: only known at run time
    env = env_scope.vars
    given = _given(w, k, env, before)
    given.extend(_variables(cmd, env))
    found = _repository(w, k, env, before, env_scope, verb)
    files: list[str] = []
    top = env_scope.cwd
    if found is not None:
        files, top = found
    for name in ("GIT_CONFIG_SYSTEM", "GIT_CONFIG_GLOBAL"):
        if env.get(name):
            files.append(_expand(w, env[name] or "", env_scope.cwd or "/"))
    entries: list[_Setting] = []
    for path in files:
        _read_file(w, k, path, entries, 0)
    for entry in given:
        entries.append(entry)
        if entry.value is not None and program_key(entry.key) == (_INCLUDE, _INDEX):
            _read_file(w, k, _expand(w, entry.value, env_scope.cwd or "/"), entries, 1)
    no_pager = any(a in _NO_PAGER for a in argv[:at])
    rest = args[at + 1 :]
    for entry in entries:
        _run_entry(w, k, entry, verb, rest, no_pager, top, env_scope, ctx)
    options = _OPTIONS.get(verb)
    if options is not None:
        _option_commands(w, k, verb, options, rest, env_scope, ctx)
    if any(a.startswith("--exec-path=") for a in argv[:at]):
        # git runs its own helper programs (git-remote-https, git-upload-pack, ...) from there
        w.finding(SCRIPT_UNREAD, f"git {verb}: --exec-path names where git's programs are", k)
    if any(f[0][:5].lower() == "ext::" for f in rest):
        # git-remote-ext(1): the URL is a command line, run once the protocol is allowed
        # (protocol.ext.allow, GIT_ALLOW_PROTOCOL), which may be set where Superego does not read
        w.finding(SCRIPT_UNREAD, f"git {verb}: an ext:: URL is a command git runs", k)


# The options of a verb whose value is a command git runs, as the keys above are (value
# required; grep's -O/--open-files-in-pager only when attached, its value is optional).
_OPTIONS: dict[str, frozenset[str]] = {
    "difftool": frozenset({"-x", "--extcmd"}),
    "fetch": frozenset({"--upload-pack"}),
    "pull": frozenset({"--upload-pack"}),
    "ls-remote": frozenset({"--upload-pack"}),
    "clone": frozenset({"-u", "--upload-pack"}),
    "push": frozenset({"--receive-pack", "--exec"}),
    "send-pack": frozenset({"--receive-pack", "--exec"}),
    "fetch-pack": frozenset({"--upload-pack", "--exec"}),
    "archive": frozenset({"--exec"}),
    "rebase": frozenset({"-x", "--exec"}),
    "send-email": frozenset({"--sendmail-cmd", "--to-cmd", "--cc-cmd", "--header-cmd"}),
    "instaweb": frozenset({"-d", "--httpd", "-b", "--browser"}),
    "grep": frozenset({"-O", "--open-files-in-pager"}),
}
_ATTACHED_ONLY = frozenset({"-O", "--open-files-in-pager"})


def _option_commands(
    w: Walker,
    k: int,
    verb: str,
    options: frozenset[str],
    rest: list[Field],
    scope: Scope,
    ctx: Ctx,
) -> None:
    """``git difftool -x CMD``, ``git fetch --upload-pack=CMD``, ...: CMD walked as shell
    (``via`` ``git VERB OPTION``); a value only known at run time is a finding."""
    i = 0
    while i < len(rest):
        word, dynamic = rest[i]
        if word == "--":
            return
        name, eq, value = word.partition("=")
        given: tuple[str, bool] | None = None
        if name.startswith("--") and name in options:
            if eq:
                given = (value, dynamic)
            elif name not in _ATTACHED_ONLY and i + 1 < len(rest):
                given = rest[i + 1]
                i += 1
        elif not name.startswith("--") and word[:2] in options:
            if len(word) > 2:
                given = (word[2:], dynamic)
            elif word not in _ATTACHED_ONLY and i + 1 < len(rest):
                given = rest[i + 1]
                i += 1
        i += 1
        if given is None:
            continue
        label = f"git {verb} {name if name.startswith('--') else word[:2]}"
        if given[1]:
            w.finding(SCRIPT_UNREAD, f"{label}: the command is only known at run time", k)
        elif given[0].strip():
            w.walk.source(w, given[0], scope.copy(), ctx.nested(label))


def _verb_at(argv: list[str]) -> int | None:
    """Where the verb is among git's words, None when there is none (``git --version``)."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if not word.startswith("-"):
            return i
        if word in _VALUED:
            i += 2
            continue
        if word.startswith("-c") and word != "-c":
            i += 1
            continue
        i += 1
    return None


def _given(w: Walker, k: int, env: dict[str, str | None], before: list[Field]) -> list[_Setting]:
    """Settings given on the line: ``-c``, ``--config-env``, ``GIT_CONFIG_*``."""
    out: list[_Setting] = []
    i = 0
    while i < len(before):
        word, dynamic = before[i]
        if word in ("-c", "--config-env") and i + 1 < len(before):
            value, dynamic = before[i + 1]
            i += 1
            word = f"{word}={value}" if word == "--config-env" else f"-c{value}"
        if word.startswith("-c") and not word.startswith("-C"):
            key, eq, value = word[2:].partition("=")
            if dynamic and ("$" in key or "`" in key):
                w.finding(SCRIPT_UNREAD, "git -c: a setting only known at run time", k)
            given: str | None = value if eq else ""  # `-c key` alone: true
            out.append(_Setting(key.lower(), None if dynamic else given, None, 0))
        elif word.startswith("--config-env="):
            key, _, variable = word[len("--config-env=") :].partition("=")
            out.append(_Setting(key.lower(), env.get(variable), None, 0))
        i += 1
    count = env.get("GIT_CONFIG_COUNT", "")
    for n in range(min(int(count), 64) if count and count.isdigit() else 0):
        named = env.get(f"GIT_CONFIG_KEY_{n}")
        if f"GIT_CONFIG_KEY_{n}" in env and named is None:
            w.finding(SCRIPT_UNREAD, f"git: GIT_CONFIG_KEY_{n} is only known at run time", k)
        elif named is not None:
            out.append(_Setting(named.lower(), env.get(f"GIT_CONFIG_VALUE_{n}", ""), None, 0))
    if count is None or (count and not count.isdigit()):
        w.finding(SCRIPT_UNREAD, "git: GIT_CONFIG_COUNT is only known at run time", k)
    parameters = env.get("GIT_CONFIG_PARAMETERS", "")
    if parameters is None:
        w.finding(SCRIPT_UNREAD, "git: GIT_CONFIG_PARAMETERS is only known at run time", k)
    elif parameters:
        out.extend(_parameters(w, k, parameters))
    return out


# Environment variables git takes as the setting of a key (git(1), git-var(1)).
_ENVIRONMENT = {
    "GIT_SSH_COMMAND": "core.sshcommand",
    "GIT_SSH": "core.sshcommand",
    "GIT_PROXY_COMMAND": "core.gitproxy",
    "GIT_EXTERNAL_DIFF": "diff.external",
    "GIT_PAGER": "core.pager",
    "PAGER": "core.pager",
    "GIT_EDITOR": "core.editor",
    "VISUAL": "core.editor",
    "EDITOR": "core.editor",
    "GIT_SEQUENCE_EDITOR": "sequence.editor",
    "GIT_ASKPASS": "core.askpass",
    "SSH_ASKPASS": "core.askpass",
}


def _variables(cmd: Command, env: dict[str, str | None]) -> list[_Setting]:
    """The settings environment variables set earlier on the line give (``export
    GIT_PAGER=...; git log``); the command's own assignments are walked for any program
    (``code_text.command_variables``)."""
    own = {a.partition("=")[0] for a in cmd.assignments}
    out = []
    for name, key in _ENVIRONMENT.items():
        if name in env and name not in own:
            out.append(_Setting(key, env[name], None, 0, f"git ${name}"))
    return out


def _parameters(w: Walker, k: int, text: str) -> list[_Setting]:
    """``GIT_CONFIG_PARAMETERS``: ``'key=value'`` or ``'key'='value'`` entries, each
    single-quoted as git writes them (``'\\''`` for a quote)."""
    out: list[_Setting] = []
    at = 0
    while at < len(text.rstrip()):
        match = _PARAMETER().match(text, at)
        if match is None:
            w.finding(SCRIPT_UNREAD, "git: GIT_CONFIG_PARAMETERS could not be read", k)
            return out
        first = match.group(1).replace("'\\''", "'")
        if match.group(2) is not None:
            key, value = first, match.group(2)[1:-1].replace("'\\''", "'")
        else:
            key, _, value = first.partition("=")
        out.append(_Setting(key.lower(), value, None, 0))
        at = match.end()
    return out


def _repository(
    w: Walker,
    k: int,
    env: dict[str, str | None],
    fields: list[Field],
    scope: Scope,
    verb: str,
) -> tuple[list[str], str] | None:
    """(the repository's config files, the top of its work tree), None when there is none
    or it is only known at run time (a finding, unless the verb makes a repository)."""
    before = [f[0] for f in fields]
    unknown = scope.cwd is None
    for i, word in enumerate(before):
        if word.partition("=")[0] in _REPOSITORY_OPTIONS:
            value_dynamic = (
                fields[i][1] if "=" in word else i + 1 < len(fields) and fields[i + 1][1]
            )
            unknown = unknown or value_dynamic
    if unknown:
        if verb not in _MAKES_REPOSITORY:
            w.finding(SCRIPT_UNREAD, f"git {verb}: its repository is only known at run time", k)
        return None
    directory, gitdir, worktree = scope.cwd or "/", None, None
    for i, word in enumerate(before):
        name, eq, value = word.partition("=")
        if name in _REPOSITORY_OPTIONS and not eq and i + 1 < len(before):
            value = before[i + 1]
        if name == "-C":
            directory = _expand(w, value, directory)
        elif name == "--git-dir":
            gitdir = os.path.join(directory, value)
        elif name == "--work-tree":
            worktree = os.path.join(directory, value)
    if "GIT_DIR" in env or "GIT_WORK_TREE" in env:
        if env.get("GIT_DIR", "") is None or env.get("GIT_WORK_TREE", "") is None:
            w.finding(SCRIPT_UNREAD, "git: its repository is only known at run time", k)
            return None
        gitdir = os.path.join(directory, env["GIT_DIR"] or "") if env.get("GIT_DIR") else gitdir
        if env.get("GIT_WORK_TREE"):
            worktree = os.path.join(directory, env["GIT_WORK_TREE"] or "")
    if gitdir is not None:
        own = os.path.normpath(gitdir)
        link = gitpush.read_small(os.path.join(own, "commondir"))
        common = os.path.normpath(os.path.join(own, link.strip())) if link else own
        top = worktree or directory
    else:
        repo = gitpush.find_repository(directory)
        if repo is None:
            return None
        own, common = repo.gitdir, repo.common
        top = worktree or project.git_work_tree(directory) or directory
    files = [os.path.join(common, "config")]
    if own != common:
        files.append(os.path.join(own, "config.worktree"))
    return files, os.path.normpath(top)


_REPOSITORY_OPTIONS = frozenset({"-C", "--git-dir", "--work-tree"})
# Verbs that make a repository rather than read the one they run in.
_MAKES_REPOSITORY = frozenset({"init", "clone", "version", "help"})


def _expand(w: Walker, path: str, base: str) -> str:
    """A path setting as git takes it: ``~`` is the home, relative to ``base``."""
    if path == "~" or path.startswith("~/"):
        path = w.home.rstrip("/") + path[1:]
    return os.path.normpath(os.path.join(base, path))


def _read_file(w: Walker, k: int, path: str, out: list[_Setting], depth: int) -> None:
    """The settings of config file ``path`` appended to ``out``, its includes in place."""
    if depth > _MAX_INCLUDES:
        w.finding(SCRIPT_UNREAD, f"git config {path}: includes nested too deeply", k)
        return
    if k and (w.written_before(k, (path,)) or _template_before(w, k)):
        w.finding(SCRIPT_WRITTEN, f"git config {path} may be written earlier on this line", k)
        return
    text = gitpush.read_small(path)
    if text is None:
        if observe.kind(path) is not None:  # a missing file: git reads nothing
            w.finding(SCRIPT_UNREAD, f"git config {path} could not be read", k)
        return
    if _CANDIDATE().search(text) is None:
        return  # no key git runs: most repositories' config (core, remote, branch)
    try:
        entries = parse(text)
    except ValueError as error:
        w.finding(SCRIPT_UNREAD, f"git config {path}:{error}", k)
        return
    for key, value, line in entries:
        out.append(_Setting(key, value, path, line))
        if value and program_key(key) == (_INCLUDE, _INDEX):
            _read_file(w, k, _expand(w, value, path.rpartition("/")[0] or "/"), out, depth + 1)


def value_of(w: Walker, k: int, path: str, key: str) -> str | None:
    """The value config file ``path`` and the files it includes give ``key`` (lower case;
    the last one, as git takes it), None when they set none (``core.hooksPath`` for
    :mod:`.githooks`)."""
    entries: list[_Setting] = []
    _read_file(w, k, path, entries, 0)
    found = None
    for entry in entries:
        if entry.key == key:
            found = entry.value
    return found


def _template_before(w: Walker, k: int) -> bool:
    """Whether a ``git init``/``git clone --template=DIR`` before ``k`` on the line may copy
    a template's config into a repository."""
    return any(
        c.program == "git"
        and c.subcommand in ("init", "clone")
        and any(a.startswith("--template") for a in c.argv)
        for c in w.commands[:k]
    )


def _run_entry(
    w: Walker,
    k: int,
    entry: _Setting,
    verb: str,
    rest: list[Field],
    no_pager: bool,
    top: str | None,
    scope: Scope,
    ctx: Ctx,
) -> None:
    """One setting: walked (or a finding) when git ``verb`` runs its value."""
    found = program_key(entry.key)
    if found is None:
        return
    kind, verbs = found
    if kind == _INCLUDE:
        return  # read in place
    if verbs is _NAMED:
        if entry.key.rpartition(".")[2] != verb:
            return
    elif verbs is not None and verb not in verbs:
        return
    if entry.key == "core.editor" and not _opens_editor(verb, rest):
        return
    if no_pager and entry.key.startswith(("pager.", "core.pager")):
        return
    where = "git -c" if entry.file is None else "git config"
    label = entry.label or f"{where} {entry.key}"
    value = entry.value
    if value is None:
        w.finding(SCRIPT_UNREAD, f"{label}: its value is only known at run time", k)
        return
    if not names_program(entry.key, kind, value) and kind not in (_ALIAS, _HELPER):
        return
    if kind in (_ENABLES, _TEMPLATE):
        w.finding(SCRIPT_UNREAD, f"{label} = {value}: what it runs is not read", k)
        return
    text = value.strip()
    if kind == _ALIAS:
        cmd = w.commands[k]
        cmd.flags = cmd.flags | {RUNS_ALIAS if text.startswith("!") else EXPANDS_ALIAS}
        if text.startswith("!"):
            text = text[1:]
        else:
            text = "git " + text + "".join(" " + _quote(f[0]) for f in rest if not f[1])
    elif kind == _BANG:
        text = text[1:]
    elif kind == _HELPER:
        if not text:
            return
        if text.startswith("!"):
            text = text[1:]
        elif not text.startswith("/"):
            text = "git credential-" + text
    if not text:
        return
    _walk(w, entry, text, label, top, scope, ctx)


def _opens_editor(verb: str, rest: list[Field]) -> bool:
    """Whether ``git VERB REST`` may open the editor (a superset): not ``commit``/``tag``
    given a message, not ``config`` without ``-e``."""
    words = {f[0].partition("=")[0] for f in rest}
    # a cluster of short options with one that takes the message (`-am MSG`, `-mMSG`)
    words |= {
        "-m"
        for f in rest
        if f[0][:1] == "-" and f[0][1:2] != "-" and any(c in "mFC" for c in f[0][1:3])
    }
    if words & _EDITS:
        return True
    if verb == "config":
        return False
    return not (verb in ("commit", "tag") and words & _MESSAGE)


def _quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"


def _walk(
    w: Walker, entry: _Setting, text: str, label: str, top: str | None, scope: Scope, ctx: Ctx
) -> None:
    """Walk a value as shell: git runs it from the top of the work tree."""
    from .state import Scope as NewScope

    if entry.file is None:
        here = scope.copy()
    else:
        here = NewScope()
        here.vars.update({"HOME": w.home, "0": "git"})
    if top is not None:
        here.cwd = top
        here.vars["PWD"] = top
    origin = None if entry.file is None else (entry.file, entry.line)
    w.walk.source(w, text, here, ctx.nested(label), origin)


# ---------------------------------------------------------------- the config file format

_SECTION = LazyPattern(r'\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\\n]|\\.)*)")?\s*\]')
_NAME = LazyPattern(r"[A-Za-z][A-Za-z0-9-]*")


def parse(text: str) -> list[tuple[str, str, int]]:
    """A git config file's entries as (``section[.subsection].key`` with section and key in
    lower case, value, line); ``ValueError`` naming the line where git would stop too.
    A key without ``=`` is ``true``, as git reads it."""
    out: list[tuple[str, str, int]] = []
    section = ""  # git takes a key before any section as a key of its own
    at, line, size = 0, 1, len(text)
    while at < size:
        c = text[at]
        if c == "\n":
            line += 1
            at += 1
        elif c in " \t\r\f\v\ufeff":
            at += 1
        elif c in "#;":
            end = text.find("\n", at)
            at = size if end < 0 else end
        elif c == "[":
            match = _SECTION().match(text, at)
            if match is None:
                raise ValueError(f"{line}: a section header git cannot read")
            name, sub = match.group(1).lower(), match.group(2)
            if sub is not None:
                name += "." + sub.replace('\\"', '"').replace("\\\\", "\\")
            elif "." in name:
                head, _, tail = name.partition(".")
                name = f"{head}.{tail}"
            section = name
            at = match.end()
        else:
            match = _NAME().match(text, at)
            if match is None:
                raise ValueError(f"{line}: a line git cannot read")
            key, start = match.group(0).lower(), line
            at = match.end()
            while at < size and text[at] in " \t":
                at += 1
            if at < size and text[at] == "=":
                value, at, line = _value(text, at + 1, line)
            elif at >= size or text[at] in "\n#;\r":
                value = "true"
            else:
                raise ValueError(f"{line}: a line git cannot read")
            out.append((f"{section}.{key}" if section else key, value, start))
    return out


_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", '"': '"', "\\": "\\"}


def _value(text: str, at: int, line: int) -> tuple[str, int, int]:
    """A value from ``at`` to its line's end (quotes, escapes, continued lines, comments
    outside quotes): (value, where it ends, the line number there)."""
    out: list[str] = []
    spaces = 0
    quoted = False
    size = len(text)
    while at < size:
        c = text[at]
        if c == "\n":
            if quoted:
                raise ValueError(f"{line}: a quote not closed")
            break
        if c in " \t" and not quoted:
            if out:
                spaces += 1
            at += 1
            continue
        if c in "#;" and not quoted:
            end = text.find("\n", at)
            at = size if end < 0 else end
            break
        out.append(" " * spaces)
        spaces = 0
        if c == "\\":
            nxt = text[at + 1] if at + 1 < size else ""
            if nxt == "\n":
                line += 1
                at += 2
                continue
            if nxt not in _ESCAPES:
                raise ValueError(f"{line}: an escape git does not know")
            out.append(_ESCAPES[nxt])
            at += 2
            continue
        if c == '"':
            quoted = not quoted
        else:
            out.append(c)
        at += 1
    return "".join(out).rstrip("\r"), at, line
