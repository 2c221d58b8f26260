"""Dashboard sign-in: sessions that end, and a sign-in form that cannot be guessed at speed.

A session cookie is ``<id>.<expires>.<mac>``: a random id, an expiry (unix seconds) and an
HMAC of both under the API token, so rotating the token still signs every browser out. It is
valid until it expires (``MAX_AGE``) or its id is revoked by *Sign out*. Revoked ids are kept
in a 0600 file in the state directory, which every worker of this server on this machine reads
(a stat per cookie request, reread only when it changed), so a cookie signed out on one
worker is refused by all of them. Replicas on other machines do not share it: docs/dashboard.md.

Wrong sign-in attempts are limited per client address: ``LOGIN_BURST`` tries, then one more
every ``LOGIN_INTERVAL`` seconds; more get 429 with Retry-After (a right token gives its try
back, so people signing in are never slowed).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from pathlib import Path

from superego_mcp.files import write_atomic

MAX_AGE = 12 * 3600  # a working day; the browser also drops it when it closes
LOGIN_BURST = 5
LOGIN_INTERVAL = 2.0  # seconds per regained attempt: ~30 guesses a minute at most
_CLIENTS_KEPT = 4096  # the limiter forgets the oldest addresses beyond this


class Sessions:
    """Issue, check and revoke dashboard session cookies for one API token."""

    def __init__(self, token: str, revoked_file: Path | None) -> None:
        """``revoked_file`` holds signed-out ids (None: this process only)."""
        self._key = hashlib.sha256(b"superego-dashboard-session-v2" + token.encode()).digest()
        self._file = revoked_file
        self._revoked: dict[str, int] = {}  # id -> expiry
        self._seen: tuple[int, int] | None = None  # (mtime_ns, size) of the file last read
        self._lock = threading.Lock()

    def _mac(self, sid: str, expires: int) -> str:
        return hmac.new(self._key, f"{sid}.{expires}".encode(), hashlib.sha256).hexdigest()

    def issue(self, now: float | None = None) -> str:
        """A new cookie value, valid for ``MAX_AGE`` seconds."""
        sid = secrets.token_urlsafe(18)
        expires = int(now if now is not None else time.time()) + MAX_AGE
        return f"{sid}.{expires}.{self._mac(sid, expires)}"

    def _parse(self, value: str) -> tuple[str, int] | None:
        sid, _, rest = value.partition(".")
        expires_text, _, mac = rest.partition(".")
        if not sid or not expires_text.isdigit() or len(expires_text) > 12:
            return None
        expires = int(expires_text)
        if not hmac.compare_digest(mac, self._mac(sid, expires)):
            return None
        return sid, expires

    def valid(self, value: str, now: float | None = None) -> bool:
        """Whether ``value`` is a live session of this token: well formed, signed, not
        expired, not signed out."""
        parsed = self._parse(value)
        if parsed is None:
            return False
        sid, expires = parsed
        if expires <= (now if now is not None else time.time()):
            return False
        self._refresh()
        return sid not in self._revoked

    def revoke(self, value: str) -> None:
        """Sign ``value`` out everywhere (a no-op for a cookie that is not ours)."""
        parsed = self._parse(value)
        if parsed is None:
            return
        sid, expires = parsed
        with self._lock:
            self._revoked[sid] = expires
            if self._file is not None:
                self._append(sid, expires)

    def _append(self, sid: str, expires: int) -> None:
        assert self._file is not None
        self._file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        now = time.time()
        live = {s: e for s, e in self._read().items() if e > now}
        live[sid] = expires
        # Rewritten whole (expired ids dropped) and renamed into place: readers never see a
        # half-written file.
        text = "".join(f"{s} {e}\n" for s, e in live.items())
        write_atomic(str(self._file), text.encode("utf-8"))

    def _read(self) -> dict[str, int]:
        assert self._file is not None
        try:
            text = self._file.read_text()
        except FileNotFoundError:
            return {}
        out: dict[str, int] = {}
        for line in text.splitlines():
            sid, _, expires = line.partition(" ")
            if sid and expires.isdigit():
                out[sid] = int(expires)
        return out

    def _refresh(self) -> None:
        if self._file is None:
            return
        try:
            st = self._file.stat()
        except FileNotFoundError:
            return
        mark = (st.st_mtime_ns, st.st_size)
        if mark == self._seen:
            return
        with self._lock:
            self._revoked.update(self._read())
            self._seen = mark


class LoginLimiter:
    """A token bucket per client address for the sign-in form."""

    def __init__(self, burst: int = LOGIN_BURST, interval: float = LOGIN_INTERVAL) -> None:
        """``burst`` tries at once, then one per ``interval`` seconds."""
        self.burst = burst
        self.interval = interval
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)

    def take(self, client: str, now: float | None = None) -> float:
        """0.0 when ``client`` may try now (and count it), else the seconds to wait."""
        at = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(client, (float(self.burst), at))
        tokens = min(float(self.burst), tokens + (at - last) / self.interval)
        if tokens < 1.0:
            self._buckets[client] = (tokens, at)
            return (1.0 - tokens) * self.interval
        self._buckets[client] = (tokens - 1.0, at)
        if len(self._buckets) > _CLIENTS_KEPT:
            self._buckets.pop(next(iter(self._buckets)))  # dicts keep insertion order
        return 0.0

    def give_back(self, client: str) -> None:
        """Return the try ``client`` just took (it signed in with the right token)."""
        if client in self._buckets:
            tokens, at = self._buckets[client]
            self._buckets[client] = (min(float(self.burst), tokens + 1.0), at)
