"""MCP over stdio that answers every request it read, even when stdin closes right after it.

A client may write its last request and close stdin at once (``printf ... | superego-mcp
stdio``, a script, an inspector run). The MCP SDK treats end of input as the end of the
connection and cancels the requests still in flight, so the last answer was often never
written. Here the process's stdin and stdout pass through two relay threads: the input relay
notes the id of every request it forwards, the output relay crosses off every id answered,
and end of input reaches the server only once nothing is pending (or after
:data:`DRAIN_SECONDS`, so a request that is never answered cannot keep the process alive).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from superego_mcp.strictjson import duplicate_key

# How long end of input waits for the answers to requests already read.
DRAIN_SECONDS = 30.0
# Written after the server's last byte to end the output relay: the SDK keeps a duplicate of
# fd 1 open, so the pipe never reaches end of file. No JSON text contains a NUL byte.
_END = b"\x00superego-mcp: end of output\x00\n"


class _Pending:
    """Request ids read from the client and not answered yet."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._changed = threading.Condition()
        self.closed = False

    def add(self, key: str) -> None:
        with self._changed:
            self._ids.add(key)

    def discard(self, key: str) -> None:
        with self._changed:
            self._ids.discard(key)
            self._changed.notify_all()

    def close(self) -> None:
        """Nothing will be answered any more (the output side is gone)."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def wait_empty(self, timeout: float) -> bool:
        """Block until no request is pending (True) or ``timeout`` passes (False)."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._ids or self.closed, timeout)


def _messages(line: bytes) -> list[dict[str, Any]]:
    """The JSON-RPC messages of one line (a batch is a list); nothing for other text."""
    try:
        data = json.loads(line)
    except ValueError:
        return []
    items = data if isinstance(data, list) else [data]
    return [m for m in items if isinstance(m, dict)]


def _key(value: object) -> str | None:
    # JSON-RPC ids are strings or numbers; 1 and "1" are different ids.
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return json.dumps(value)


def _note_requests(line: bytes, pending: _Pending) -> None:
    for message in _messages(line):
        if "method" in message:
            key = _key(message.get("id"))
            if key is not None:
                pending.add(key)
            elif message.get("method") == "notifications/cancelled":
                # A cancelled request gets no answer: stop waiting for it.
                params = message.get("params")
                if isinstance(params, dict):
                    cancelled = _key(params.get("requestId"))
                    if cancelled is not None:
                        pending.discard(cancelled)


def _note_answers(line: bytes, pending: _Pending) -> None:
    for message in _messages(line):
        if "method" not in message and ("result" in message or "error" in message):
            key = _key(message.get("id"))
            if key is not None:
                pending.discard(key)


def _relay_input(
    source: int, sink: int, pending: _Pending, drain: float, refuse: Callable[[bytes], None]
) -> None:
    """Client -> server: forward lines, note request ids; at end of input, wait for the
    answers, then close the server's stdin. A line that repeats a JSON key is not forwarded:
    ``refuse`` answers it (the same refusal as every other entry point)."""
    try:
        with os.fdopen(source, "rb", buffering=0, closefd=False) as raw:
            reader = _lines(raw.read)
            for line in reader:
                problem = duplicate_key(line)
                if problem is not None:
                    refuse(_refusal(line, problem))
                    continue
                _note_requests(line, pending)
                _write_all(sink, line)
    except OSError:
        pass
    finally:
        pending.wait_empty(drain)
        os.close(sink)


def _refusal(line: bytes, problem: str) -> bytes:
    """The JSON-RPC error line answering a refused request line."""
    from superego_mcp.server.strict import request_id

    error = {"code": -32600, "message": problem}
    return json.dumps({"jsonrpc": "2.0", "id": request_id(line), "error": error}).encode() + b"\n"


def _relay_output(source: int, sink: int, pending: _Pending, lock: threading.Lock) -> None:
    """Server -> client: forward lines as they come, crossing off answered ids."""
    try:
        with os.fdopen(source, "rb", buffering=0) as raw:
            for line in _lines(raw.read):
                if line == _END:
                    break
                with lock:  # whole lines: the input relay writes refusals too
                    _write_all(sink, line)  # the answer is out before its id is crossed off
                _note_answers(line, pending)
    except OSError:
        pass
    finally:
        pending.close()


def _lines(read: Callable[[int], bytes | None]) -> Iterator[bytes]:
    """Complete lines (with their newline) as they arrive; a last line without one too."""
    buffer = b""
    while chunk := read(65536):
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        for line in complete:
            yield line + b"\n"
    if buffer:
        yield buffer


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@contextmanager
def answered_stdio(drain: float = DRAIN_SECONDS) -> Iterator[None]:
    """Run the body with fd 0 and fd 1 behind the relays (see the module docstring); on
    exit the real stdin and stdout are back and every answer written is delivered."""
    real_in, real_out = os.dup(0), os.dup(1)
    in_read, in_write = os.pipe()
    out_read, out_write = os.pipe()
    os.dup2(in_read, 0)
    os.dup2(out_write, 1)
    os.close(in_read)
    pending = _Pending()
    lock = threading.Lock()

    def refuse(answer: bytes) -> None:
        with lock:
            _write_all(real_out, answer)

    feeder = threading.Thread(
        target=_relay_input, args=(real_in, in_write, pending, drain, refuse), daemon=True
    )
    writer = threading.Thread(
        target=_relay_output, args=(out_read, real_out, pending, lock), daemon=True
    )
    feeder.start()
    writer.start()
    try:
        yield
    finally:
        # Everything the server wrote is in the pipe before the end mark: the relay forwards
        # it all, then stops.
        os.dup2(real_out, 1)
        _write_all(out_write, _END)
        writer.join(drain)
        os.close(out_write)
        os.dup2(real_in, 0)
        os.close(real_out)
        # The input relay may still be blocked reading the client's stdin: it is a daemon
        # thread, and the process is about to end.
