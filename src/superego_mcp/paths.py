"""Path normalization shared by the shell analyzer and the policy engine.

Rules match normalized absolute paths. A path an agent names may hide where it really points
(``~``, ``$HOME``, ``..``, a relative path, a symlink), so every path is resolved the same way
here, and both the lexical form and the symlink-resolved form are offered to the rules: a rule
on ``~/.ssh/**`` must catch ``/tmp/link -> ~/.ssh/id_rsa`` and also ``~/.ssh/id_rsa`` when
``~/.ssh`` itself is a symlink elsewhere.
"""

from __future__ import annotations

import os.path

from superego_mcp import observe


def expand_home(path: str, home: str) -> str:
    """Expand a leading ``~`` or ``~/`` (only the current user's home; ``~other`` is kept)."""
    if path == "~":
        return home
    if path.startswith("~/"):
        return home.rstrip("/") + path[1:]
    return path


def lexical(path: str, cwd: str, home: str) -> str:
    """Absolute, ``..``-folded form of ``path`` without touching the filesystem."""
    expanded = expand_home(path, home)
    if not expanded.startswith("/"):
        # os.path, not pathlib: this module is on the hook path, where imports cost per call.
        expanded = os.path.join(cwd or "/", expanded)  # noqa: PTH118
    folded = os.path.normpath(expanded)
    # normpath keeps a leading '//' (POSIX allows it a meaning); rules expect one slash.
    return "/" + folded.lstrip("/")


def normalize(path: str, cwd: str, home: str) -> tuple[str, ...]:
    """The forms of ``path`` rules should see: lexical, then symlink-resolved if different.

    Symlinks are followed only as far as they exist; a path that does not exist yet (a file
    about to be written) resolves through its existing parents.
    """
    plain = lexical(path, cwd, home)
    try:
        resolved = observe.realpath(plain)  # noted for the server's decision cache
    except (OSError, ValueError):
        return (plain,)
    return (plain,) if resolved == plain else (plain, resolved)
