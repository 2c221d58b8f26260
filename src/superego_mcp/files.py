"""Reading and writing files safely: Superego's own files whole or not at all, and a file a
command names read without ever blocking on it. Standard library only (the hook writes its
cache and reads scripts through here)."""

# os.path, not pathlib: the hook path pays for every import.
# ruff: noqa: PTH105, PTH108

from __future__ import annotations

import os
import stat

from superego_mcp import observe


def write_atomic(path: str, data: bytes, *, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never
    a part: a temp file beside it (created fresh with ``mode``, never through a symlink),
    then ``os.replace``. On any failure the temp file is removed and the error raised."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:  # noqa: SIM105 - contextlib is an import the hook path does without
        os.unlink(tmp)  # left by a killed writer with our pid
    except FileNotFoundError:
        pass
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:  # noqa: SIM105 - as above
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_regular(real: str, limit: int) -> bytes | None:
    """Up to ``limit`` bytes of the regular file ``real``; None when it is not one. The file
    is opened without blocking (a FIFO swapped in after a ``stat`` cannot hang the judge)
    and checked again once open."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except OSError:
        observe.content(real, None)
        raise
    try:
        info = os.fstat(fd)
        observe.content(real, info)  # what was read: the decision cache checks it again
        if not stat.S_ISREG(info.st_mode):
            return None
        chunks: list[bytes] = []
        size = 0
        while size < limit:
            chunk = os.read(fd, min(65536, limit - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
