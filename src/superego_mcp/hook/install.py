"""``superego-mcp hooks install | uninstall | status``: wire the hook into Claude Code settings.

Edits ``~/.claude/settings.json`` (``--scope user``), ``<project>/.claude/settings.json``
(``project``) or ``<project>/.claude/settings.local.json`` (``local``), merging with what is
there: other hooks, permissions and keys are kept, installing twice leaves one entry (ours is
recognised by its command or URL), the old file is copied to ``<file>.bak`` and the new one
replaces it atomically. A file that is not a JSON object is left untouched (exit 2).

``--scope project`` writes a file the team commits: its command names no path of this machine
(:func:`shared_hook_command`), and the backup of the old file goes to the cache directory,
not into the repository (:func:`backup_path`).

``PreToolUse`` is the one judged event installed: it sees every call before Claude Code's
permission system, so a ``PermissionRequest`` hook would judge the same calls a second time
(the ``hook`` command still answers ``PermissionRequest`` for anyone who wires it by hand).
``PostToolUse`` is installed beside it (:func:`~superego_mcp.hook.installer.after_handler`):
it records that a call ran, which is how the audit knows an asked call was approved
(``superego-mcp suggest``, docs/replay.md); it never blocks and runs in the background.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

from superego_mcp.hook import installer

if TYPE_CHECKING:
    import argparse

EVENT = "PreToolUse"
AFTER_EVENT = "PostToolUse"
# Events our entries may sit under (removed from all of them on uninstall / reinstall).
_OUR_EVENTS = ("PreToolUse", "PermissionRequest", "PostToolUse")
ROUTE = "/v1/hooks/claude-code"
TOKEN_VAR = "SUPEREGO_API_TOKEN"  # noqa: S105 -- the variable's name, not a secret


def settings_path(scope: str, project_dir: str | None) -> Path:
    """The settings file of ``scope`` (``user``, ``project`` or ``local``)."""
    if scope == "user":
        return Path.home() / ".claude" / "settings.json"
    root = Path(project_dir or Path.cwd()).absolute()
    name = "settings.json" if scope == "project" else "settings.local.json"
    return root / ".claude" / name


def shared_hook_command(
    project_dir: Path,
    rules: str | None = None,
    config: str | None = None,
    server: str | None = None,
) -> str:
    """The command for a settings file the team commits (``--scope project``): no path of
    this machine in it. ``superego-mcp`` is found on each teammate's ``PATH``; files are named
    relative to ``$CLAUDE_PROJECT_DIR`` (Claude Code sets it for hook commands). Where
    ``superego-mcp`` is missing the shell's 127 becomes exit 2, which blocks the call:
    Claude Code would let it through on 127."""
    words = ["superego-mcp", "hook"]
    for flag, value in (("--rules", rules), ("--config", config)):
        if value:
            words += [flag, _in_project(Path(value), project_dir, flag)]
    if server:
        words += ["--server", shlex.quote(server)]
    return " ".join(words) + installer.FAIL_CLOSED


def _in_project(path: Path, project_dir: Path, flag: str) -> str:
    """``path`` as ``"$CLAUDE_PROJECT_DIR"/relative``; refuses a file outside the project."""
    try:
        relative = path.absolute().relative_to(project_dir)
    except ValueError:
        raise installer.InstallError(
            f"{flag} {path} is outside the project {project_dir}: a teammate's machine does "
            "not have it. Put it in the project, or install with --scope local or user."
        ) from None
    return '"$CLAUDE_PROJECT_DIR"/' + shlex.quote(relative.as_posix())


def is_ours(handler: object) -> bool:
    """True for a hook handler this installer wrote (a ``superego-mcp hook`` command, or an
    http hook on Superego's route)."""
    if not isinstance(handler, dict):
        return False
    if handler.get("type") == "http":
        url = handler.get("url")
        return isinstance(url, str) and url.rstrip("/").endswith(ROUTE)
    command = handler.get("command")
    if handler.get("type") != "command" or not isinstance(command, str):
        return False
    return installer.is_our_command(command)


def _remove_ours(hooks: dict[str, Any]) -> int:
    """Drop our handlers (and groups / events left empty by that); return how many."""
    removed = 0
    for event in _OUR_EVENTS:
        groups = hooks.get(event)
        if not isinstance(groups, list):
            continue
        kept_groups = []
        for group in groups:
            handlers = group.get("hooks") if isinstance(group, dict) else None
            if not isinstance(handlers, list):
                kept_groups.append(group)
                continue
            kept = [h for h in handlers if not is_ours(h)]
            removed += len(handlers) - len(kept)
            if kept or not handlers:
                kept_groups.append({**group, "hooks": kept})
        if kept_groups:
            hooks[event] = kept_groups
        else:
            del hooks[event]
    return removed


def _handler(args: argparse.Namespace) -> dict[str, Any]:
    timeout = int(args.timeout)
    url = getattr(args, "url", None)
    if url is not None and not url.startswith(("http://", "https://")):
        raise installer.InstallError(f"--url must start with http:// or https://, got {url!r}")
    if url is not None:
        # The base URL; a URL that already names the hook route is taken as its base.
        url = url.rstrip("/").removesuffix(ROUTE)
    if args.mode == "http":
        if not url:
            raise installer.InstallError("--mode http needs --url (the Superego server's base URL)")
        installer.check_timeout(timeout, getattr(args, "config", None), command=False)
        return {
            "type": "http",
            "url": url + ROUTE,
            "timeout": timeout,
            # Claude Code fills in $SUPEREGO_API_TOKEN at call time; the token is never written.
            "headers": {"Authorization": f"Bearer ${TOKEN_VAR}"},
            "allowedEnvVars": [TOKEN_VAR],
        }
    installer.check_timeout(timeout, getattr(args, "config", None))
    rules, config = getattr(args, "rules", None), getattr(args, "config", None)
    if args.scope == "project":
        root = Path(getattr(args, "project_dir", None) or Path.cwd()).absolute()
        command = shared_hook_command(root, rules, config, url)
    else:
        command = installer.hook_command(rules, config, url)
    return {"type": "command", "command": command, "timeout": timeout}


def install(args: argparse.Namespace) -> str:
    """Install (or replace) our PreToolUse entry; return a one-line report."""
    path = settings_path(args.scope, getattr(args, "project_dir", None))
    handler = _handler(args)
    data = installer.read_settings(path)
    exists = data is not None
    data = data if data is not None else {}
    hooks = installer.hooks_of(data, path, _OUR_EVENTS)
    _remove_ours(hooks)
    hooks.setdefault(EVENT, []).append({"matcher": args.matcher, "hooks": [handler]})
    hooks.setdefault(AFTER_EVENT, []).append(
        {"matcher": args.matcher, "hooks": [installer.after_handler(handler)]}
    )
    data["hooks"] = hooks
    installer.write_settings(path, data, exists, args.scope)
    what = handler.get("command") or handler.get("url")
    return (
        f"installed {EVENT} hook (matcher {args.matcher!r}) in {path}: {what}; "
        f"and {AFTER_EVENT} (records that a call ran)"
    )


def uninstall(args: argparse.Namespace) -> str:
    """Remove our entries (only ours); return a one-line report."""
    path = settings_path(args.scope, getattr(args, "project_dir", None))
    data = installer.read_settings(path)
    if data is None:
        return f"nothing to remove: {path} does not exist"
    hooks = installer.hooks_of(data, path, _OUR_EVENTS)
    removed = _remove_ours(hooks)
    if not removed:
        return f"nothing to remove: no Superego hook in {path}"
    if hooks:
        data["hooks"] = hooks
    else:
        del data["hooks"]
    installer.write_settings(path, data, True, args.scope)
    return f"removed {removed} Superego hook entr{'y' if removed == 1 else 'ies'} from {path}"


def status_lines(project_dir: str | None) -> tuple[list[str], bool]:
    """What is installed in each scope, and whether everything found is usable (every
    settings file readable, every installed command present)."""
    status = installer.Status(project_dir)
    for scope in ("user", "project", "local"):
        path = settings_path(scope, project_dir)
        hooks = status.hooks(scope, path, _OUR_EVENTS)
        if hooks is None:
            continue
        for event, matcher, handler in status.found(scope, path, _installed(hooks)):
            what = handler.get("command") or handler.get("url")
            shown = f"{event} matcher {matcher!r} {handler.get('type')} {what}"
            command = str(what) if handler.get("command") else None
            status.entry(scope, f"{shown} timeout {handler.get('timeout')} s ({path})", command)
            missing = installer.missing_program(handler)
            if missing and event == AFTER_EVENT:
                status.broken(
                    scope,
                    f"{missing} cannot run: calls that ran are not recorded "
                    "(superego-mcp suggest has no approvals to learn from)",
                )
            elif missing and missing.endswith("(not on PATH)"):
                status.broken(
                    scope,
                    f"{missing}: every call is refused until it is installed "
                    "(the shared command fails closed)",
                )
            elif missing and str(what).endswith(installer.FAIL_CLOSED):
                status.broken(
                    scope,
                    f"{missing} is not an executable file: every call is refused until the "
                    "hook is reinstalled (the command fails closed)",
                )
            elif missing:
                status.broken(
                    scope,
                    f"{missing} is not an executable file; Claude Code lets every call "
                    "through while the hook cannot start (reinstall the hook)",
                )
    return status.lines, status.ok


def _installed(hooks: dict[str, Any]) -> list[tuple[str, object, dict[str, Any]]]:
    found = []
    for event in _OUR_EVENTS:
        for group in hooks.get(event, []):
            if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
                continue
            found += [(event, group.get("matcher"), h) for h in group["hooks"] if is_ours(h)]
    return found
