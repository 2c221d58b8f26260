"""The command hook's fork/pipe protocol: what the forked child (:mod:`.runner`) sends its
parent, each message written and read side by side here.

The child writes, in this order:

- ``m<event>\\t<fail mode>\\n``, a note, as soon as the event and the configured fail mode
  are known: a child that dies later still fails closed in the agent's shape and the
  configured mode;
- ``x<seconds>\\n``, a deadline extension, for a call the LLM reviewer must see (the parent
  applies the first one while it reads);
- ``r<JSON>\\n``, the audit row the parent records once the answer is out (one line:
  ``json.dumps`` escapes every newline inside it);
- last the answer: ``a<exit code> <stdout bytes> <stderr bytes>\\n`` and those bytes.

An answer cut short, malformed or with an exit code other than 0 or 2 is no answer: the
parent then fails closed. Standard library only (on the hook's start-up path).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from superego_mcp.model import FailMode

_NOTES = (b"m", b"x")


class Reply:
    """What the parent read from the child: the last note's event and fail mode, and the
    answer if it arrived complete (``code`` is ``None`` otherwise)."""

    __slots__ = ("audit", "code", "event", "mode", "stderr", "stdout")

    def __init__(self) -> None:
        self.event: str | None = None
        self.mode: FailMode | None = None
        self.code: int | None = None
        self.stdout = b""
        self.stderr = ""
        self.audit: dict[str, object] | None = None


def send(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd`` (the pipe may take it in parts)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def note(event: str | None, mode: FailMode | None) -> bytes:
    """The note of the event and fail mode known so far (an event name with a tab or a
    newline in it is left out: one note is one line)."""
    name = event if event and event.isprintable() else ""
    return f"m{name}\t{mode or ''}\n".encode()


def extension(seconds: float) -> bytes:
    """The message asking the parent to move its deadline by ``seconds``."""
    return f"x{seconds:.3f}\n".encode()


def audit(row: dict[str, object]) -> bytes:
    """The message carrying the audit row (and where it goes) for the parent to record."""
    from superego_mcp import cjson

    return b"r" + cjson.dumps(row).encode() + b"\n"


def answer(code: int, stdout: bytes, stderr: str) -> bytes:
    """The answer: the exit code, the bytes for stdout and the text for stderr."""
    err = stderr.encode("utf-8", "replace")
    return f"a{code} {len(stdout)} {len(err)}\n".encode() + stdout + err


def requested_extension(data: bytes) -> float | None:
    """The seconds of the deadline extension among the notes at the start of ``data``, the
    child's output so far; ``None`` while there is none (yet). A malformed or negative one
    reads as ``0.0`` (ignored, and no second chance)."""
    while data[:1] in _NOTES:
        line, sep, data = data.partition(b"\n")
        if not sep:
            return None
        if line.startswith(b"x"):
            try:
                return max(float(line[1:]), 0.0)
            except ValueError:
                return 0.0
    return None


def read(data: bytes) -> Reply:
    """Everything the child sent (see the module docstring), decoded."""
    from superego_mcp.model import fail_mode_of

    reply = Reply()
    row: bytes | None = None
    while data.startswith((b"m", b"r", b"x")):
        line, sep, rest = data.partition(b"\n")
        if not sep:
            break
        data = rest
        if line.startswith(b"x"):  # a deadline extension (applied while reading)
            continue
        if line.startswith(b"r"):
            row = line[1:]
            continue
        name, _, mode_text = line[1:].decode("utf-8", "replace").partition("\t")
        reply.event, reply.mode = name or None, fail_mode_of(mode_text) or reply.mode
    head, sep, body = data.partition(b"\n")
    fields = head[1:].split()
    if not (head.startswith(b"a") and sep and len(fields) == 3):
        return reply
    try:
        code, n_out, n_err = (int(f) for f in fields)
    except ValueError:
        return reply
    if code not in (0, 2) or len(body) != n_out + n_err:
        return reply
    reply.code = code
    reply.stdout, reply.stderr = body[:n_out], body[n_out:].decode("utf-8", "replace")
    if row is not None:
        from superego_mcp import cjson

        try:
            reply.audit = cjson.loads(row)
        except ValueError:
            reply.audit = None  # a garbled row is not recorded; the answer stands
    return reply
