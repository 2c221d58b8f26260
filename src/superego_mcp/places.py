"""Where Superego's own files live by default (XDG aware), and how its ``SUPEREGO_*``
environment is read. Standard library only: the hook uses these on every call or on a cache
miss, the settings model for its defaults."""

# os.path, not pathlib: the hook path pays for every import.
# ruff: noqa: PTH100, PTH111, PTH113, PTH118, PTH119

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


def user_policy_path() -> str:
    """The user policy layer: ``$XDG_CONFIG_HOME/superego/policy.yaml``, else
    ``~/.config/superego/policy.yaml``."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "superego", "policy.yaml")


def state_dir() -> str:
    """Superego's state (the exceptions store): ``$XDG_STATE_HOME/superego-mcp``, else
    ``~/.local/state/superego-mcp``."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state"
    )
    return os.path.join(base, "superego-mcp")


def cache_dir() -> str:
    """The hook's cache: ``$SUPEREGO_CACHE_DIR``, else ``$XDG_CACHE_HOME/superego-mcp``, else
    ``~/.cache/superego-mcp``. Found before the settings file is read, so a ``cache_dir``
    written only in the settings file does not move the hook's cache."""
    explicit = env("SUPEREGO_CACHE_DIR")
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "superego-mcp")


def running_executable() -> list[str]:
    """The ``superego-mcp`` script this process runs as (as written and with symlinks
    resolved), or nothing when run otherwise (``python -m``, tests): deleting, replacing or
    chmod-ing it would switch off every hook that names it."""
    import sys

    script = sys.argv[0] if sys.argv else ""
    if not os.path.basename(script).startswith("superego-mcp") or not os.path.isfile(script):
        return []
    path = os.path.abspath(script)
    return list(dict.fromkeys((path, os.path.realpath(path))))
