"""``superego-mcp hooks install | uninstall | status --agent NAME``: wire Superego into the
hook system of Codex, Gemini CLI, Copilot CLI, Cursor or OpenCode (Claude Code's installer is
``superego_mcp.hook.install``; ``--agent all`` runs both over every agent found).

Every agent's file is treated like Claude Code's settings: merged (other hooks and keys
stay), ours recognised by its ``superego-mcp hook`` command so installing twice leaves one
entry, the old file copied to ``<file>.bak``, the new one written atomically, a file that is
not a JSON object left untouched (exit 2). OpenCode has no hook file: its entry is a plugin
file of ours, replaced or removed only when it carries our marker line.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from superego_mcp.files import write_atomic
from superego_mcp.hook import installer

if TYPE_CHECKING:
    import argparse

OTHER_AGENTS = ("codex", "gemini", "copilot", "cursor", "opencode")
SCOPES = ("user", "project")
PLUGIN_MARKER = "// superego-mcp plugin for OpenCode"


def _home_dir(env_var: str | None, *parts: str) -> Path:
    value = os.environ.get(env_var, "") if env_var else ""
    return Path(value) if value.startswith("/") else Path.home().joinpath(*parts)


def _project(project_dir: str | None) -> Path:
    return Path(project_dir or Path.cwd()).absolute()


def config_path(agent: str, scope: str, project_dir: str | None) -> Path:
    """The file this installer edits for ``agent`` in ``scope`` (``user`` or ``project``)."""
    user = scope == "user"
    if agent == "codex":
        base = _home_dir("CODEX_HOME", ".codex") if user else _project(project_dir) / ".codex"
        return base / "hooks.json"
    if agent == "gemini":
        base = Path.home() / ".gemini" if user else _project(project_dir) / ".gemini"
        return base / "settings.json"
    if agent == "copilot":
        if user:
            return _home_dir("COPILOT_HOME", ".copilot") / "hooks" / "superego.json"
        return _project(project_dir) / ".github" / "hooks" / "superego.json"
    if agent == "cursor":
        base = Path.home() / ".cursor" if user else _project(project_dir) / ".cursor"
        return base / "hooks.json"
    if agent == "opencode":
        if user:
            base = _home_dir("XDG_CONFIG_HOME", ".config") / "opencode"
        else:
            base = _project(project_dir) / ".opencode"
        return base / "plugins" / "superego.js"
    raise installer.InstallError(f"unknown agent {agent!r}")


# Where an agent keeps its user-level files, and its program names: either present means the
# agent is on this machine (`--agent all` installs there and skips the others).
_FOOTPRINT: dict[str, tuple[tuple[str | None, tuple[str, ...]], tuple[str, ...]]] = {
    "claude": ((None, (".claude",)), ("claude",)),
    "codex": (("CODEX_HOME", (".codex",)), ("codex",)),
    "gemini": ((None, (".gemini",)), ("gemini",)),
    "copilot": (("COPILOT_HOME", (".copilot",)), ("copilot",)),
    "cursor": ((None, (".cursor",)), ("cursor-agent", "cursor")),
    "opencode": (("XDG_CONFIG_HOME", (".config", "opencode")), ("opencode",)),
}


def found(agent: str) -> str | None:
    """Why ``agent`` counts as installed here (its directory or its program), else ``None``."""
    (env_var, parts), programs = _FOOTPRINT[agent]
    directory = _home_dir(env_var, *parts)
    if env_var == "XDG_CONFIG_HOME" and os.environ.get(env_var, "").startswith("/"):
        directory = directory / "opencode"
    if directory.is_dir():
        return f"{directory} exists"
    for program in programs:
        where = shutil.which(program)
        if where:
            return f"{where} is on PATH"
    return None


# --- the JSON hook files ---------------------------------------------------------------------


def _entry(agent: str, command: str, timeout: int) -> tuple[str, dict[str, Any]]:
    """(event, entry) to append for ``agent``."""
    if agent == "codex":
        handler = {"type": "command", "command": command, "timeout": timeout}
        return "PreToolUse", {"matcher": "*", "hooks": [handler]}
    if agent == "gemini":
        # Gemini's timeout is in milliseconds.
        handler = {
            "name": "superego",
            "type": "command",
            "command": command,
            "timeout": timeout * 1000,
            "description": "Superego: judges each tool call before it runs",
        }
        return "BeforeTool", {"matcher": "*", "hooks": [handler]}
    if agent == "copilot":
        return "preToolUse", {"type": "command", "bash": command, "timeoutSec": timeout}
    if agent == "cursor":
        # failClosed: Cursor would otherwise run the call when the hook fails or times out.
        return "preToolUse", {"command": command, "timeout": timeout, "failClosed": True}
    raise installer.InstallError(f"unknown agent {agent!r}")


# Events our entries may sit under (removed from all of them on uninstall / reinstall).
_EVENTS = {
    "codex": ("PreToolUse", "PermissionRequest"),
    "gemini": ("BeforeTool",),
    "copilot": ("preToolUse", "permissionRequest"),
    "cursor": (
        "preToolUse",
        "beforeShellExecution",
        "beforeMCPExecution",
        "beforeReadFile",
        "postToolUse",
    ),
}
# After-tool events installed beside the pre-tool one, where the agent's contract has one
# that names its call (the agents' hook contracts): it records that a call ran, the evidence
# `superego-mcp suggest` learns from (docs/replay.md, "Approvals"). Cursor's postToolUse
# cannot block; no failClosed, no `|| exit 2`.
_AFTER = {"cursor": "postToolUse"}
_NESTED = ("codex", "gemini")  # {"matcher", "hooks": [handler]} groups; others list entries


def _entry_command(entry: object) -> str | None:
    if not isinstance(entry, dict):
        return None
    for key in ("command", "bash"):
        value = entry.get(key)
        if isinstance(value, str):
            return value
    return None


def _is_ours(entry: object) -> bool:
    command = _entry_command(entry)
    return command is not None and installer.is_our_command(command)


def _remove(agent: str, hooks: dict[str, Any]) -> int:
    removed = 0
    for event in _EVENTS[agent]:
        entries = hooks.get(event)
        if not isinstance(entries, list):
            continue
        kept: list[Any] = []
        for entry in entries:
            if agent in _NESTED:
                handlers = entry.get("hooks") if isinstance(entry, dict) else None
                if not isinstance(handlers, list):
                    kept.append(entry)
                    continue
                mine = [h for h in handlers if _is_ours(h)]
                removed += len(mine)
                rest = [h for h in handlers if not _is_ours(h)]
                if rest or not handlers:
                    kept.append({**entry, "hooks": rest})
            elif _is_ours(entry):
                removed += 1
            else:
                kept.append(entry)
        if kept:
            hooks[event] = kept
        else:
            del hooks[event]
    return removed


def _found_entries(agent: str, hooks: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for event in _EVENTS[agent]:
        for entry in hooks.get(event, []):
            if agent in _NESTED and isinstance(entry, dict):
                handlers = entry.get("hooks")
                if isinstance(handlers, list):
                    out += [(event, h) for h in handlers if _is_ours(h)]
            elif _is_ours(entry):
                out.append((event, entry))
    return out


# --- install / uninstall / status ----------------------------------------------------------


def _command(agent: str, args: argparse.Namespace) -> list[str]:
    url = getattr(args, "url", None)
    if getattr(args, "mode", "command") == "http":
        raise installer.InstallError(
            f"{agent} has no http hooks: use --mode command (with --url to forward to a "
            "server, failing closed when it is down)"
        )
    if url is not None and not url.startswith(("http://", "https://")):
        raise installer.InstallError(f"--url must start with http:// or https://, got {url!r}")
    if url is not None:
        url = url.rstrip("/")
    return installer.hook_argv(
        getattr(args, "rules", None), getattr(args, "config", None), url, agent
    )


def _check(agent: str, args: argparse.Namespace) -> int:
    if args.scope not in SCOPES:
        raise installer.InstallError(f"{agent} has no {args.scope!r} scope (use user or project)")
    timeout = int(args.timeout)
    installer.check_timeout(timeout, getattr(args, "config", None))
    return timeout


def install(agent: str, args: argparse.Namespace) -> str:
    """Install (or replace) Superego's entry for ``agent``; return a one-line report."""
    timeout = _check(agent, args)
    argv = _command(agent, args)
    path = config_path(agent, args.scope, getattr(args, "project_dir", None))
    if agent == "opencode":
        return _install_plugin(path, argv, timeout)
    command = shlex.join(argv) + installer.FAIL_CLOSED
    data = installer.read_settings(path)
    exists = data is not None
    data = data if data is not None else {}
    hooks = installer.hooks_of(data, path, _EVENTS[agent])
    _remove(agent, hooks)
    event, entry = _entry(agent, command, timeout)
    hooks.setdefault(event, []).append(entry)
    after = _AFTER.get(agent)
    if after is not None:
        hooks.setdefault(after, []).append(
            {"command": installer.after_command(command), "timeout": timeout}
        )
    if agent in ("copilot", "cursor"):
        data.setdefault("version", 1)
    data["hooks"] = hooks
    installer.write_settings(path, data, exists)
    return f"{agent}: installed {event} hook in {path}: {command}{_NOTES.get(agent, '')}"


_NOTES = {
    "codex": (
        "\nnote: Codex runs a new or changed hook only once you trust it (/hooks in Codex); "
        "project hooks also need a trusted project."
    ),
    "gemini": "\nnote: Gemini CLI runs project hooks only in a trusted folder.",
}


def uninstall(agent: str, args: argparse.Namespace) -> str:
    """Remove Superego's entries for ``agent`` (only ours); return a one-line report."""
    if args.scope not in SCOPES:
        raise installer.InstallError(f"{agent} has no {args.scope!r} scope (use user or project)")
    path = config_path(agent, args.scope, getattr(args, "project_dir", None))
    if agent == "opencode":
        return _uninstall_plugin(path)
    data = installer.read_settings(path)
    if data is None:
        return f"{agent}: nothing to remove: {path} does not exist"
    hooks = installer.hooks_of(data, path, _EVENTS[agent])
    removed = _remove(agent, hooks)
    if not removed:
        return f"{agent}: nothing to remove: no Superego hook in {path}"
    if hooks:
        data["hooks"] = hooks
    else:
        del data["hooks"]
    installer.write_settings(path, data, True)
    return (
        f"{agent}: removed {removed} Superego hook entr{'y' if removed == 1 else 'ies'} from {path}"
    )


def status_lines(agent: str, project_dir: str | None) -> tuple[list[str], bool]:
    """What is installed for ``agent`` in each scope, and whether all of it is usable."""
    status = installer.Status(project_dir)
    for scope in SCOPES:
        prefix = f"{agent} {scope}"
        path = config_path(agent, scope, project_dir)
        if agent == "opencode":
            state, argv = _plugin_state(path)
            if state == "foreign":
                status.say(prefix, f"{path} exists but is not Superego's plugin")
                continue
            for plugin in status.found(prefix, path, [argv] if state == "ours" else []):
                command = shlex.join(plugin)
                status.entry(prefix, f"plugin {path}: {command}", command)
                _check_program(status, prefix, command)
            continue
        hooks = status.hooks(prefix, path, _EVENTS[agent])
        if hooks is None:
            continue
        for event, entry in status.found(prefix, path, _found_entries(agent, hooks)):
            command = _entry_command(entry) or ""
            status.entry(prefix, f"{event} {command} ({path})", command)
            _check_program(status, prefix, command)
    return status.lines, status.ok


def _check_program(status: installer.Status, prefix: str, command: str) -> None:
    try:
        missing = installer.missing_program({"type": "command", "command": command or "''"})
    except ValueError:  # a command line shlex cannot split
        missing = command
    if missing is not None:
        status.broken(prefix, f"{missing} is not an executable file; reinstall the hook")


# --- OpenCode's plugin file ------------------------------------------------------------------


def _plugin_text(argv: list[str], timeout: int) -> str:
    from importlib.resources import files

    template = files("superego_mcp.hook.agents").joinpath("opencode_plugin.js").read_text()
    return template.replace("__SUPEREGO_ARGV__", json.dumps(argv)).replace(
        "__SUPEREGO_TIMEOUT_MS__", str(timeout * 1000)
    )


def _plugin_state(path: Path) -> tuple[str, list[str]]:
    """``absent``, ``foreign`` (not ours) or ``ours`` with the command it runs."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "absent", []
    except (OSError, UnicodeDecodeError) as exc:
        raise installer.InstallError(f"cannot read {path}: {exc}") from None
    if not text.startswith(PLUGIN_MARKER):
        return "foreign", []
    for line in text.splitlines():
        if line.startswith("const COMMAND = "):
            try:
                argv = json.loads(line.removeprefix("const COMMAND = "))
            except ValueError:
                break
            if isinstance(argv, list) and all(isinstance(a, str) for a in argv):
                return "ours", argv
    return "ours", []


def _install_plugin(path: Path, argv: list[str], timeout: int) -> str:
    state, _ = _plugin_state(path)
    if state == "foreign":
        raise installer.InstallError(f"{path} exists and is not Superego's plugin; left untouched")
    target = path.resolve() if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    if state == "ours":
        target.with_name(target.name + ".bak").write_bytes(target.read_bytes())
    write_atomic(str(target), _plugin_text(argv, timeout).encode("utf-8"), mode=0o644)
    return f"opencode: installed plugin {path}: {' '.join(argv)}"


def _uninstall_plugin(path: Path) -> str:
    state, _ = _plugin_state(path)
    if state == "absent":
        return f"opencode: nothing to remove: {path} does not exist"
    if state == "foreign":
        return f"opencode: nothing to remove: {path} is not Superego's plugin (left untouched)"
    path.with_name(path.name + ".bak").write_bytes(path.read_bytes())
    path.unlink()
    return f"opencode: removed plugin {path}"


# --- the command ------------------------------------------------------------------------------
