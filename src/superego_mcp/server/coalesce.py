"""One write per response: uvicorn's HTTP protocol sending a response's head with its body.

uvicorn writes a response's head and its body with two calls to the transport (one per ASGI
message), and the event loop sends each at once: two packets, and the client is woken
twice, for an answer of a few hundred bytes. :class:`Protocol` is uvicorn's httptools
protocol over a transport that holds a response head back until the next write (the body),
and sends both in one write; a head with nothing after it (no body) goes out at the end of
the event loop's turn. The same bytes, in the same order; closing or aborting sends (or
drops) a held head first, as the transport itself would.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# How each response head uvicorn writes starts and ends (its status line, a blank line).
_HEAD_START = b"HTTP/1.1 "
_HEAD_END = b"\r\n\r\n"


class GatheringTransport:
    """An ``asyncio.Transport`` that sends a response head with what is written next."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        """Wrap ``transport``; a head with nothing after it is sent from ``loop``."""
        self._transport = transport
        self._loop = loop
        self._held = b""

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Send ``data`` (after a held head), or hold it when it is a response head."""
        if self._held:
            data = self._held + data
            self._held = b""
        elif data[:9] == _HEAD_START and data[-4:] == _HEAD_END:
            self._held = bytes(data)
            self._loop.call_soon(self.flush)
            return
        self._transport.write(data)

    def writelines(self, lines: Any) -> None:
        """:meth:`write` each of ``lines``."""
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        """Send a held head now."""
        if self._held:
            data, self._held = self._held, b""
            if not self._transport.is_closing():
                self._transport.write(data)

    def get_write_buffer_size(self) -> int:
        """Bytes not yet sent, a held head included."""
        return self._transport.get_write_buffer_size() + len(self._held)

    def write_eof(self) -> None:
        """Send a held head, then end the stream."""
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        """Send a held head, then close (``close`` sends what is buffered)."""
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        """Drop a held head and close at once."""
        self._held = b""
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        # Everything else (extra info, reading, flow control, protocol) is the transport's.
        return getattr(self._transport, name)


class Protocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, writing through a :class:`GatheringTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the connection over the gathering transport."""
        gathering = GatheringTransport(transport, self.loop)
        super().connection_made(gathering)  # type: ignore[arg-type]
