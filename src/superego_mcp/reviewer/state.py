"""What the reviewer remembers between reviews: a circuit breaker per provider and a bounded
TTL cache of clean answers.

The server keeps one :class:`State` in memory for its whole life. The command hook is a new
process per tool call, so it loads the state from a small JSON file in the hook's cache
directory before a review and writes it back after (atomically: temp file + ``os.replace``,
mode 0600). Two hooks reviewing at the same moment may each overwrite the other's update;
the cost is a breaker that opens one failure later or a cache entry recomputed, never a
weaker answer. Nothing here holds a lock across an ``await``: concurrent reviews never wait
on each other.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Final

from superego_mcp.files import write_atomic

CLOSED: Final = "closed"
OPEN: Final = "open"
HALF_OPEN: Final = "half-open"


class Breaker:
    """A circuit breaker: open after ``threshold`` consecutive failures; after ``cooldown``
    seconds one probe is let through (half-open); its success closes the breaker, its
    failure opens it again."""

    __slots__ = ("cooldown", "failures", "opened_at", "probing", "threshold")

    def __init__(self, threshold: int, cooldown: float) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self.failures = 0
        self.opened_at: float | None = None
        self.probing = False

    def state(self, now: float | None = None) -> str:
        """``closed``, ``open`` or ``half-open`` (cooled down, a probe may go)."""
        if self.opened_at is None:
            return CLOSED
        now = time.monotonic() if now is None else now
        return HALF_OPEN if now - self.opened_at >= self.cooldown else OPEN

    def acquire(self, now: float | None = None) -> tuple[bool, str]:
        """Whether a request may go now, and the state it went (or was refused) in. In the
        half-open state only one request at a time is let through."""
        state = self.state(now)
        if state == CLOSED:
            return True, state
        if state == HALF_OPEN and not self.probing:
            self.probing = True
            return True, state
        return False, state

    def success(self) -> None:
        """A clean answer: close."""
        self.failures = 0
        self.opened_at = None
        self.probing = False

    def failure(self, now: float | None = None) -> None:
        """A failed request: count it; open at the threshold or when a probe failed."""
        now = time.monotonic() if now is None else now
        self.failures += 1
        if self.probing or self.failures >= self.threshold:
            self.opened_at = now
        self.probing = False

    def release(self) -> None:
        """A request that ended without a verdict on the provider (cancelled)."""
        self.probing = False


class AnswerCache:
    """A bounded LRU of clean answers with a time to live (seconds; 0 disables it)."""

    __slots__ = ("_items", "size", "ttl")

    def __init__(self, size: int, ttl: float) -> None:
        self.size = size
        self.ttl = ttl
        self._items: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def get(self, key: str, now: float | None = None) -> dict[str, Any] | None:
        """The cached answer for ``key`` if present and fresh."""
        if self.ttl <= 0:
            return None
        found = self._items.get(key)
        if found is None:
            return None
        now = time.time() if now is None else now
        if found[0] <= now:
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return found[1]

    def put(self, key: str, value: dict[str, Any], now: float | None = None) -> None:
        """Remember ``value`` for the TTL; the least recently used entry goes when full."""
        if self.ttl <= 0 or self.size <= 0:
            return
        now = time.time() if now is None else now
        self._items[key] = (now + self.ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def dump(self) -> list[list[Any]]:
        """Fresh entries, oldest first, as JSON-ready data."""
        now = time.time()
        return [[k, exp, v] for k, (exp, v) in self._items.items() if exp > now]

    def load(self, rows: object) -> None:
        """Entries from :meth:`dump`; anything malformed is skipped."""
        if not isinstance(rows, list):
            return
        for row in rows:
            if (
                isinstance(row, list)
                and len(row) == 3
                and isinstance(row[0], str)
                and isinstance(row[1], int | float)
                and isinstance(row[2], dict)
            ):
                self._items[row[0]] = (float(row[1]), row[2])
        while len(self._items) > self.size:
            self._items.popitem(last=False)


class State:
    """Breakers (one per provider name) and the answer cache."""

    __slots__ = ("breakers", "cache", "cooldown", "threshold")

    def __init__(self, *, threshold: int, cooldown: float, cache_size: int, cache_ttl: float):
        self.threshold = threshold
        self.cooldown = cooldown
        self.breakers: dict[str, Breaker] = {}
        self.cache = AnswerCache(cache_size, cache_ttl)

    def breaker(self, name: str) -> Breaker:
        """The breaker of provider ``name`` (created closed)."""
        found = self.breakers.get(name)
        if found is None:
            found = self.breakers[name] = Breaker(self.threshold, self.cooldown)
        return found

    # The file form uses wall-clock times (a monotonic clock does not survive a process).
    def load_file(self, path: str) -> None:
        """Read the hook's state file; a missing or broken file is an empty state."""
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return
        if not isinstance(data, dict):
            return
        breakers = data.get("breakers")
        if isinstance(breakers, dict):
            offset = time.monotonic() - time.time()
            for name, b in breakers.items():
                if not isinstance(b, dict):
                    continue
                breaker = self.breaker(str(name))
                failures, opened = b.get("failures"), b.get("opened_at")
                if isinstance(failures, int) and failures >= 0:
                    breaker.failures = failures
                if isinstance(opened, int | float):
                    breaker.opened_at = float(opened) + offset
        self.cache.load(data.get("cache"))

    def save_file(self, path: str) -> None:
        """Write the state file atomically (0600); failures only cost the memory."""
        offset = time.time() - time.monotonic()
        data = {
            "breakers": {
                name: {
                    "failures": b.failures,
                    "opened_at": None if b.opened_at is None else b.opened_at + offset,
                }
                for name, b in self.breakers.items()
            },
            "cache": self.cache.dump(),
        }
        with contextlib.suppress(OSError):
            Path(path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomic(path, json.dumps(data).encode("utf-8"))
