"""Another coding agent started by the guarded one (``claude -p``, ``codex exec``, ``aider``).

The agent started does its own tool calls, which Superego sees only through that agent's
own hook. Asking it to do the task is a way round the guard when:

- its hook is switched off or steered for that run (:func:`steered`): environment that
  changes what Superego's hook does or where the agent finds its settings (``SUPEREGO_*``,
  ``PYTHONPATH``, ``LD_PRELOAD``, ``HOME``, ``CLAUDE_CONFIG_DIR``, ``CODEX_HOME``, ...) given
  to it (``X=v claude``, ``env X=v codex``, ``export X=v; gemini``), settings passed on its
  command line that do the same (``--settings '{"env": ...}'``), or settings sources chosen
  so that the file holding the hook is not read (``--setting-sources local``);
- it has no Superego hook where it will run (:func:`unguarded`): an agent Superego has no
  adapter for (aider, goose, amp, ...), or one whose hook is installed neither for the user
  nor (when it runs in the project: no ``cd`` before it) for the project.

Imported only for the programs of :data:`PROGRAMS`.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from superego_mcp.shell.model import Command

# Agents Superego has an adapter for (program -> agent), and agents it cannot guard.
HOOKED = {
    "claude": "claude",
    "claude-code": "claude",
    "codex": "codex",
    "gemini": "gemini",
    "gemini-cli": "gemini",
    "copilot": "copilot",
    "cursor-agent": "cursor",
    "opencode": "opencode",
    "opencode-ai": "opencode",
}
UNHOOKED = frozenset(
    {"aider", "goose", "amp", "qwen", "crush", "cline", "plandex", "auggie", "droid", "kiro-cli"}
)
PROGRAMS = frozenset(HOOKED) | UNHOOKED
# Words after the program that do not start an agent session (reports, their own config).
_NOT_A_RUN = frozenset(
    {
        "--version", "-v", "-V", "--help", "-h", "help", "version", "mcp", "config", "doctor",
        "update", "upgrade", "login", "logout", "auth", "completion", "completions", "models",
        "plugin", "plugins", "extensions", "install", "migrate-installer", "setup-token",
    }
)  # fmt: skip
# Environment that finds the agent's settings somewhere else, on top of what steers the hook
# (selfguard.steers_hook: HOME, XDG_CONFIG_HOME, CODEX_HOME, COPILOT_HOME are among those).
_CONFIG_DIRS = frozenset(
    {
        "CLAUDE_CONFIG_DIR",
        "GEMINI_CLI_HOME",
        "CURSOR_CONFIG_DIR",
        "OPENCODE_CONFIG",
        "OPENCODE_CONFIG_DIR",
    }
)
_SETTING_SOURCES = ("--setting-sources",)


def runs_agent(cmd: Command) -> bool:
    """True when ``cmd`` starts an agent session (not ``--version``, ``mcp list``, ...)."""
    if cmd.program not in PROGRAMS:
        return False
    first = next((w for w in cmd.argv if not w.startswith("-")), None)
    return not any(w in _NOT_A_RUN for w in cmd.argv[:1]) and first not in _NOT_A_RUN


def _names(assignments: tuple[str, ...] | list[str]) -> list[str]:
    return [a.partition("=")[0] for a in assignments if "=" in a]


def steered(cmd: Command, others: tuple[Command, ...]) -> bool:
    """True when this agent run's hook is switched off or steered (module docstring):
    environment given to it or exported before it on the line, its ``--settings``, or
    settings sources that leave the hook's file out."""
    from superego_mcp.policy import selfguard

    names = _names(cmd.assignments)
    for other in others:
        if other.program in ("export", "declare", "typeset", "setenv"):
            names += _names([w for w in other.argv if not w.startswith("-")])
    for name in names:
        if name in _CONFIG_DIRS or selfguard.steers_hook(name):
            return True
    words = " ".join(cmd.argv)
    if selfguard.steers(words) or selfguard.DISABLE_MARK.search(words):
        return True
    for k, word in enumerate(cmd.argv):
        flag, _, value = word.partition("=")
        if flag in _SETTING_SOURCES:
            value = value or (cmd.argv[k + 1] if k + 1 < len(cmd.argv) else "")
            if not {"user", "project"} <= set(value.split(",")):
                return True  # the hook may live in the scope left out
    return False


def _agent_of(path: str) -> str | None:
    for mark, agent in (
        ("/.claude/", "claude"),
        ("/.codex/", "codex"),
        ("codex", "codex"),
        ("gemini", "gemini"),
        ("copilot", "copilot"),
        ("/.github/hooks/", "copilot"),
        ("/.cursor/", "cursor"),
        ("opencode", "opencode"),
    ):
        if mark in path:
            return agent
    return None


def unguarded(cmd: Command, others: tuple[Command, ...], home: str, project: str) -> bool:
    """True when the agent this runs has no Superego hook where it will run: none Superego
    can install (aider, ...), or none installed for the user, nor for the project when it
    runs there (no ``cd``/``pushd`` on the line, no ``--cwd``/``-C``/``--add-dir`` elsewhere)."""
    agent = HOOKED.get(cmd.program)
    if agent is None:
        return True
    from superego_mcp.policy import selfguard

    moves = any(o.program in ("cd", "pushd") for o in others) or any(
        w.partition("=")[0] in ("--cwd", "-C", "--cd", "--workdir", "--directory") for w in cmd.argv
    )
    files, _settings = selfguard.hook_files(home, project)
    user_base = home.rstrip("/") + "/"
    for path in files:
        if _agent_of(path) != agent:
            continue
        in_project = path.startswith(project.rstrip("/") + "/") and not (
            project.startswith(user_base) and path.startswith(user_base + ".")
        )
        if in_project and moves:
            continue
        text = selfguard.read_text(path)
        if text is not None and (selfguard.our_entries(text) or [""]) != [""]:
            return False
    return True
