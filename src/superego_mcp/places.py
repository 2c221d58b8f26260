"""Where Superego's own files live by default (XDG aware). Standard library only: the hook
uses these on a cache miss, the settings model for its defaults."""

# os.path, not pathlib: the hook path pays for every import.
# ruff: noqa: PTH111, PTH118

from __future__ import annotations

import os


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
