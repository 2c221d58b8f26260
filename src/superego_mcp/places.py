"""Where Superego's own files live by default (XDG aware), and how its ``SUPEREGO_*``
environment is read. Standard library only: the hook uses these on every call or on a cache
miss, the settings model for its defaults."""

# os.path, not pathlib: the hook path pays for every import.
# ruff: noqa: PTH100, PTH104, PTH106, PTH111, PTH112, PTH113, PTH114, PTH118, PTH119, PTH120, PTH208

from __future__ import annotations

import os


def env(name: str) -> str | None:
    """The environment variable ``name``, matched case-insensitively as pydantic-settings
    reads ``SUPEREGO_*`` (an empty value counts as unset)."""
    value = os.environ.get(name)
    if value is None:
        upper = name.upper()
        value = next((v for k, v in os.environ.items() if k.upper() == upper), None)
    return value or None


def settings_file(given: str | None = None) -> str | None:
    """The settings file in effect: ``given`` (``--config``), else ``$SUPEREGO_CONFIG``."""
    return given or env("SUPEREGO_CONFIG")


# The one directory name under each XDG base (config, state, cache).
NAME = "superego"
# State and cache lived under this name before; their files move on first use (_migrated).
OLD_NAME = "superego-mcp"


def _base(variable: str, *default: str) -> str:
    return os.environ.get(variable) or os.path.join(os.path.expanduser("~"), *default)


def user_policy_path() -> str:
    """The user policy layer: ``$XDG_CONFIG_HOME/superego/policy.yaml``, else
    ``~/.config/superego/policy.yaml``."""
    return os.path.join(_base("XDG_CONFIG_HOME", ".config"), NAME, "policy.yaml")


def state_dir() -> str:
    """Superego's state (the exceptions store, the default audit database):
    ``$XDG_STATE_HOME/superego``, else ``~/.local/state/superego``."""
    return _migrated(_base("XDG_STATE_HOME", ".local", "state"))


def cache_dir() -> str:
    """The hook's cache: ``$SUPEREGO_CACHE_DIR``, else ``$XDG_CACHE_HOME/superego``, else
    ``~/.cache/superego``. Found before the settings file is read, so a ``cache_dir``
    written only in the settings file does not move the hook's cache."""
    explicit = env("SUPEREGO_CACHE_DIR")
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    return _migrated(_base("XDG_CACHE_HOME", ".cache"))


def old_dirs() -> list[str]:
    """The state and cache directories of the old name: protected like the new ones (what an
    agent planted there would move into the new directory on the next use)."""
    return [
        os.path.join(_base("XDG_STATE_HOME", ".local", "state"), OLD_NAME),
        os.path.join(_base("XDG_CACHE_HOME", ".cache"), OLD_NAME),
    ]


def _migrated(base: str) -> str:
    """``base/superego``, after moving in what ``base/superego-mcp`` holds (the whole
    directory when the new one does not exist yet, else each entry the new one lacks; the
    old directory goes once empty). One failed stat when there is nothing to move; a move
    that fails (a race with another process, permissions) is left for the next use."""
    new = os.path.join(base, NAME)
    old = os.path.join(base, OLD_NAME)
    if not os.path.isdir(old) or os.path.islink(old):
        return new
    try:
        if not os.path.lexists(new):
            os.rename(old, new)
            return new
        for entry in os.listdir(old):
            if not os.path.lexists(os.path.join(new, entry)):
                os.rename(os.path.join(old, entry), os.path.join(new, entry))
        os.rmdir(old)
    except OSError:
        pass
    return new


def running_code() -> list[str]:
    """The ``superego-mcp`` script this process runs as (as written and with symlinks
    resolved) and the code it runs: the ``superego_mcp`` package, the interpreter (and the
    virtual environment it belongs to, when it does), and its site directories (every
    module it imports, and the ``.pth`` and ``sitecustomize`` files run at every start).
    Nothing when run otherwise (``python -m``, tests). Replacing the script, or editing that
    code, would make every hook that names it answer as the editor likes."""
    import sys

    script = sys.argv[0] if sys.argv else ""
    if not os.path.basename(script).startswith("superego-mcp") or not os.path.isfile(script):
        return []
    path = os.path.abspath(script)
    found = [path, os.path.realpath(path)]
    import site  # imported at start-up already (unless python -S)

    import superego_mcp

    found.append(os.path.dirname(os.path.abspath(superego_mcp.__file__)))
    # The interpreter the script's #! names (a venv's bin/python is a symlink to replace).
    found += [sys.executable, os.path.realpath(sys.executable)]
    if sys.prefix != sys.base_prefix:
        found.append(sys.prefix)  # its own environment: pyvenv.cfg, bin/, site-packages
    found.extend(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        found.append(site.getusersitepackages())
    return list(dict.fromkeys(f for f in found if f))
