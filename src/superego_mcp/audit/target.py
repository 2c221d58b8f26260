"""Where decisions go: ``SUPEREGO_AUDIT`` parsed into a backend and a location.

``sqlite:///abs/path/audit.db``, a ``postgresql://`` (or ``postgres://``) DSN, or ``off``;
unset means SQLite at ``$XDG_STATE_HOME/superego/audit.db`` (``~/.local/state/...``).
Standard library only: the hook resolves this on a cache miss and reads the result after.
"""

# os.path, not pathlib: this module is on the hook's path.
# ruff: noqa: PTH118

from __future__ import annotations

import os
from typing import Final, Literal

from superego_mcp.errors import SuperegoError

Backend = Literal["sqlite", "postgresql", "off"]

OFF: Final = "off"


class TargetError(SuperegoError, ValueError):
    """An audit target that cannot be used; the message names the problem."""


def default_sqlite_path() -> str:
    """``audit.db`` in Superego's state directory (``places.state_dir``):
    ``$XDG_STATE_HOME/superego/audit.db``, else ``~/.local/state/superego/audit.db``."""
    from superego_mcp.places import state_dir

    return os.path.join(state_dir(), "audit.db")


def parse_target(value: str | None) -> tuple[Backend, str]:
    """``(backend, location)``: a file path for SQLite, the DSN for PostgreSQL, ``""`` for
    off. Raises :class:`TargetError` naming what is wrong."""
    if value is None or not value.strip():
        return "sqlite", default_sqlite_path()
    text = value.strip()
    lowered = text.lower()
    if lowered == OFF:
        return "off", ""
    if lowered.startswith("sqlite://"):
        path = text[len("sqlite://") :]
        if not path.startswith("/"):
            raise TargetError(
                "a sqlite target needs an absolute path, three slashes in all: "
                "sqlite:///abs/path/audit.db"
            )
        return "sqlite", os.path.normpath(path)
    if lowered.startswith(("postgresql://", "postgres://")):
        return "postgresql", text
    raise TargetError(
        f"unknown audit target {describe(text)!r}: use sqlite:///abs/path, a postgresql:// "
        "DSN, or off"
    )


def describe(value: str) -> str:
    """The target with any password replaced, for messages and logs."""
    from superego_mcp.redact import redact_text

    return redact_text(value)
