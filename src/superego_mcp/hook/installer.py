"""The installers' core, shared by Claude Code's (``hook.install``) and the other agents'
(``hook.agents.install``): the hook command every agent runs, reading and writing an agent's
JSON settings file (atomically, with a backup), and the checks ``hooks status`` makes."""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from superego_mcp.errors import SuperegoError
from superego_mcp.files import write_atomic
from superego_mcp.hook.runner import DEADLINE_S

# The hook answers within DEADLINE_S; an agent lets a call through when its hook timeout
# passes first, so a command hook needs a second of head room, and 3 s more than a review
# may add (the review margin and a second).
MIN_COMMAND_TIMEOUT = int(DEADLINE_S) + 1
_REVIEW_HEADROOM_S = 3
# Ends every command hook at every scope, for every agent: a program that is gone (the shell's
# 127) or crashes (1) would let the call through; exit 2 blocks it in every agent's contract.
FAIL_CLOSED = " || exit 2"


class InstallError(SuperegoError):
    """A settings file or an option that cannot be used; the message names it."""


def check_timeout(timeout: int, config: str | None, *, command: bool = True) -> None:
    """Refuse an agent hook timeout the hook cannot answer within: :data:`MIN_COMMAND_TIMEOUT`
    for a command hook (``command``; an http hook needs 1 s), and, with an LLM reviewer
    configured in the settings (``config``), room for a whole review. A call whose hook
    times out goes ahead."""
    least = MIN_COMMAND_TIMEOUT if command else 1
    if timeout < least:
        raise InstallError(
            f"--timeout must be at least {least} second{'s' if least > 1 else ''}"
            + (f": the hook answers within {DEADLINE_S:g} s" if command else "")
        )
    from superego_mcp.config import ConfigError, load_settings

    try:
        settings = load_settings(config)
    except ConfigError as exc:
        raise InstallError(str(exc)) from None
    if settings.reviewer_config() is None:
        return
    needed = int(DEADLINE_S + settings.reviewer_timeout + _REVIEW_HEADROOM_S)
    if timeout < needed:
        raise InstallError(
            f"--timeout {timeout} is too short for the configured reviewer: a review may "
            f"take up to {settings.reviewer_timeout:g} s (reviewer_timeout) on top of the "
            f"hook's {DEADLINE_S:g} s, and a call whose hook times out goes ahead; use at "
            f"least {needed}"
        )


def hook_command(
    rules: str | None = None,
    config: str | None = None,
    server: str | None = None,
    agent: str | None = None,
) -> str:
    """The shell command the agent runs: an absolute path to this installation, so that it
    works when ``superego-mcp`` is not on the agent's ``PATH``, failing closed
    (:data:`FAIL_CLOSED`) when that path is gone."""
    return shlex.join(hook_argv(rules, config, server, agent)) + FAIL_CLOSED


def hook_argv(
    rules: str | None = None,
    config: str | None = None,
    server: str | None = None,
    agent: str | None = None,
) -> list[str]:
    """:func:`hook_command` as an argument list (``--agent`` for agents but Claude Code)."""
    script = Path(sys.argv[0]).absolute() if sys.argv and sys.argv[0] else None
    if script is not None and script.name.startswith("superego-mcp") and script.is_file():
        argv = [str(script), "hook"]
    else:  # run as `python -m superego_mcp`
        argv = [str(Path(sys.executable).absolute()), "-m", "superego_mcp", "hook"]
    if agent and agent != "claude":
        argv += ["--agent", agent]
    if rules:
        argv += ["--rules", str(Path(rules).absolute())]
    if config:
        argv += ["--config", str(Path(config).absolute())]
    if server:
        argv += ["--server", server]
    return argv


def after_handler(handler: dict[str, Any]) -> dict[str, Any]:
    """The handler of an agent's after-tool event (Claude Code's ``PostToolUse``) made from
    its pre-tool ``handler``: the same hook, which only records that the call ran. It can
    never block a call, so a command does not end in :data:`FAIL_CLOSED` (exit 2 would show
    the agent an error about a call that already ran), and it runs in the background
    (``async``): the call's result is not held up by the record."""
    out = dict(handler)
    command = out.get("command")
    if out.get("type") == "command" and isinstance(command, str):
        out["command"] = after_command(command)
        out["async"] = True
    return out


def after_command(command: str) -> str:
    """The command of an after-tool hook made from a pre-tool hook's ``command``: the same,
    without :data:`FAIL_CLOSED` (an after-tool hook only records; it must never block)."""
    return command.removesuffix(FAIL_CLOSED)


def is_our_command(command: str) -> bool:
    """True for a shell command that runs ``superego-mcp hook`` (any options)."""
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    for i, word in enumerate(words[:-1]):
        nxt = words[i + 1]
        if word.rsplit("/", 1)[-1] == "superego-mcp" and nxt == "hook":
            return True
        if word == "superego_mcp" and nxt == "hook" and i > 0 and words[i - 1] == "-m":
            return True
    return False


def read_settings(path: Path) -> dict[str, Any] | None:
    """The settings object, ``None`` when the file does not exist."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InstallError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InstallError(f"{path} is not valid JSON ({exc}); left untouched") from None
    if not isinstance(data, dict):
        raise InstallError(f"{path} does not hold a JSON object; left untouched")
    return data


def hooks_of(data: dict[str, Any], path: Path, events: tuple[str, ...]) -> dict[str, Any]:
    """The ``hooks`` object of an agent's settings ``data`` (read from ``path``), each of
    ``events`` in it a list; anything else raises :class:`InstallError` (the file is left
    untouched)."""
    hooks = data.get("hooks", {})
    if not isinstance(hooks, dict):
        raise InstallError(f'{path}: "hooks" is not an object; left untouched')
    for event in events:
        if not isinstance(hooks.get(event, []), list):
            raise InstallError(f"{path}: hooks.{event} is not a list; left untouched")
    return hooks


def backup_path(target: Path, scope: str) -> Path:
    """Where the old settings file is copied: next to it for the user's own file, in the
    cache directory for a file inside a repository (project, local), never in the repo."""
    if scope == "user":
        return target.with_name(target.name + ".bak")
    from superego_mcp.places import cache_dir

    name = target.as_posix().strip("/").replace("%", "%25").replace("/", "%2F")
    return Path(cache_dir()) / "settings-backups" / f"{name}.bak"


def write_settings(path: Path, data: dict[str, Any], old_exists: bool, scope: str = "user") -> None:
    """Write an agent's settings (JSON, 2-space indent) atomically, keeping the old file's
    mode and a copy of it (:func:`backup_path`). A symlinked settings file (dotfile
    managers) is followed, not replaced."""
    target = path.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o644
    if old_exists:
        mode = target.stat().st_mode & 0o777
        backup = backup_path(target, scope)
        backup.parent.mkdir(parents=True, exist_ok=True)
        backup.write_bytes(target.read_bytes())
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    write_atomic(str(target), text.encode("utf-8"), mode=mode)


def policy_warning(command: str, project_dir: str | None) -> str | None:
    """Why the policy a hook command runs with lacks the bundled final rules (``--rules`` with
    a file that replaces the bundled policy, or a broken policy), else ``None``. Such a hook
    no longer protects credentials, home or Superego itself."""
    try:
        words = shlex.split(command.removesuffix(FAIL_CLOSED))
    except ValueError:
        return None
    root = str(Path(project_dir or Path.cwd()).absolute())
    found: dict[str, str] = {}
    for i, word in enumerate(words[:-1]):
        if word in ("--rules", "--config"):
            found[word] = words[i + 1].replace("$CLAUDE_PROJECT_DIR", root)
        elif word.startswith(("--rules=", "--config=")):
            key, _, value = word.partition("=")
            found[key] = value.replace("$CLAUDE_PROJECT_DIR", root)
    from superego_mcp.config import ConfigError, load_effective, load_settings
    from superego_mcp.policy import load_policy
    from superego_mcp.policy.errors import PolicyError

    try:
        settings = load_settings(found.get("--config"), rules=found.get("--rules"))
        policy = load_effective(settings, found.get("--config"), project=root)
    except (ConfigError, PolicyError, OSError) as exc:
        return f"its policy cannot be loaded ({exc}); every call gets the fail mode"
    finals = {r.id for r in load_policy(None).rules if r.final}
    kept = {r.id for r in policy.rules if r.final and r.enabled}
    missing = sorted(finals - kept)
    if not missing:
        return None
    shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
    return (
        f"its policy does not include the bundled final rules ({shown}): the rules file "
        "replaces the bundled policy (add `extends: bundled` to it)"
    )


def missing_program(handler: dict[str, Any]) -> str | None:
    """The program of a command hook when it cannot be run, else ``None``."""
    command = handler.get("command")
    if handler.get("type") != "command" or not isinstance(command, str):
        return None
    program = shlex.split(command)[0]
    if "/" not in program:  # a shared (project) command: found on PATH
        import shutil

        return None if shutil.which(program) else f"{program} (not on PATH)"
    return None if os.access(program, os.X_OK) and Path(program).is_file() else program


class Status:
    """What ``hooks status`` reports, a line each (``PREFIX: ...``: the agent and scope), and
    whether everything installed is usable (``ok``): every agent's installer fills one."""

    __slots__ = ("lines", "ok", "project_dir")

    def __init__(self, project_dir: str | None) -> None:
        self.lines: list[str] = []
        self.ok = True
        self.project_dir = project_dir

    def hooks(self, prefix: str, path: Path, events: tuple[str, ...]) -> dict[str, Any] | None:
        """The hooks of the settings file ``path`` (``{}`` when it does not exist); ``None``,
        the problem said, when it cannot be used (:func:`read_settings`, :func:`hooks_of`)."""
        try:
            data = read_settings(path)
            return hooks_of(data, path, events) if data else {}
        except InstallError as exc:
            self.lines.append(f"{prefix}: {exc}")
            self.ok = False
            return None

    def found(self, prefix: str, path: Path, entries: list[Any]) -> list[Any]:
        """``entries`` (ours, found in ``path``), having said "not installed" when none."""
        if not entries:
            self.lines.append(f"{prefix}: not installed ({path})")
        return entries

    def entry(self, prefix: str, text: str, command: str | None) -> None:
        """One installed hook, described by ``text``; for a ``command``, a warning when the
        policy it runs with lacks the bundled final rules (:func:`policy_warning`)."""
        self.lines.append(f"{prefix}: {text}")
        warning = policy_warning(command, self.project_dir) if command is not None else None
        if warning:
            self.lines.append(f"{prefix}: WARNING: {warning}")

    def say(self, prefix: str, text: str) -> None:
        """A line that changes nothing about ``ok``."""
        self.lines.append(f"{prefix}: {text}")

    def broken(self, prefix: str, why: str) -> None:
        """An installed hook that cannot work."""
        self.lines.append(f"{prefix}: BROKEN: {why}")
        self.ok = False
