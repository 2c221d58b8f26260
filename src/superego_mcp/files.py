"""Writing Superego's own files: whole or not at all. Standard library only (the hook
writes its cache through here)."""

# os.path, not pathlib: the hook path pays for every import.
# ruff: noqa: PTH105, PTH108

from __future__ import annotations

import contextlib
import os


def write_atomic(path: str, data: bytes, *, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never
    a part: a temp file beside it (created fresh with ``mode``, never through a symlink),
    then ``os.replace``. On any failure the temp file is removed and the error raised."""
    tmp = f"{path}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):  # left by a killed writer with our pid
        os.unlink(tmp)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
