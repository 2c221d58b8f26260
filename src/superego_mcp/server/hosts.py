"""DNS-rebinding protection: ``Host`` and ``Origin`` checks on every route but ``/healthz``.

A web page can rebind its own domain name to 127.0.0.1 and then talk to a local server as
"same origin". The browser still sends the page's name as ``Host`` and its ``Origin``, so on a
loopback bind the server accepts only loopback host names (plus ``allowed_hosts``) and only
same-origin (scheme, host and port) or ``cors_origins`` origins. Precomputed sets keep this
to a few dict lookups per request.
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from superego_mcp.net import is_loopback
from superego_mcp.server.auth import PUBLIC_PATHS, send_json

_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_name(value: str) -> str:
    """The host part of a ``Host`` value, lower-case: ``[::1]:80`` -> ``::1``."""
    v = value.strip().lower()
    if v.startswith("["):
        end = v.find("]")
        return v[1:end] if end != -1 else v
    if v.count(":") == 1:
        return v.split(":", 1)[0]
    return v


def _origin_key(origin: str) -> str | None:
    """``scheme://host:port`` with the default port filled in; None if not an origin."""
    try:
        parts = urlsplit(origin.strip().rstrip("/").lower())
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname or parts.path or parts.query:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{port}"


class HostOriginGuard:
    """421 for a foreign ``Host``, 403 for a foreign ``Origin``.

    Checked when the server is bound to a loopback address, or on any bind once
    ``allowed_hosts`` is set (a container bound to 0.0.0.0 relies on its token instead).
    Accepted hosts: localhost, 127.0.0.1, [::1], the bound address, ``allowed_hosts`` (which
    may use ``*`` patterns). Accepted origins: ``allowed_origins`` and the request's own
    origin (scheme, host and port; on loopback, any loopback name for the same port). A
    page on another local port is another origin: a dev server on localhost:3000 is refused
    unless listed in ``cors_origins``.
    """

    def __init__(
        self, app: ASGIApp, allowed_hosts: Sequence[str], allowed_origins: Sequence[str]
    ) -> None:
        """Wrap ``app``; empty lists mean "loopback names only"."""
        self.app = app
        names = [host_name(h) for h in allowed_hosts]
        self.hosts = frozenset(n for n in names if "*" not in n)
        self.host_patterns = tuple(n for n in names if "*" in n)
        self.origins = frozenset(k for o in allowed_origins if (k := _origin_key(o)))
        self.always = bool(allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse the request if its Host or Origin is foreign; else pass it on."""
        if scope["type"] not in ("http", "websocket") or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        host = origin = ""
        for key, value in scope["headers"]:
            if key == b"host":
                host = value.decode("latin-1")
            elif key == b"origin":
                origin = value.decode("latin-1")
        checked, bound = self._checked(scope)
        name = host_name(host)
        if checked and not self._host_ok(name, bound):
            await _refuse(scope, send, 421, "misdirected_request", "Host")
            return
        if origin and (checked or is_loopback(name)) and not self._origin_ok(origin, scope, host):
            # Cross-site WebSocket hijacking is this same check on the handshake's Origin.
            await _refuse(scope, send, 403, "forbidden_origin", "Origin")
            return
        await self.app(scope, receive, send)

    def _checked(self, scope: Scope) -> tuple[bool, str]:
        """Whether this request's Host is checked at all, and the address it came in on."""
        server = scope.get("server")
        bound = host_name(str(server[0])) if server else ""
        return self.always or is_loopback(bound), bound

    def host_allowed(self, scope: Scope, host: str) -> bool:
        """Whether a request with ``Host: host`` and no ``Origin`` passes this guard."""
        checked, bound = self._checked(scope)
        return not checked or self._host_ok(host_name(host), bound)

    def _host_ok(self, name: str, bound: str) -> bool:
        if is_loopback(name) or name in self.hosts or (name and name == bound):
            return True
        return any(fnmatchcase(name, p) for p in self.host_patterns)

    def _origin_ok(self, origin: str, scope: Scope, host: str) -> bool:
        key = _origin_key(origin)
        if key is None:  # "null" (sandboxed frames, file://) and garbage
            return False
        if key in self.origins:
            return True
        own = _origin_key(f"{scope.get('scheme', 'http')}://{host}")
        if own is None:
            return False
        # The same server under another loopback name (localhost vs 127.0.0.1) is still this
        # server; another port is another program's page.
        scheme, name, port = _split_key(key)
        own_scheme, own_name, own_port = _split_key(own)
        if (scheme, port) == (own_scheme, own_port) and is_loopback(host_name(name)):
            return is_loopback(host_name(own_name))
        return key == own


def _split_key(key: str) -> tuple[str, str, str]:
    """``scheme://host:port`` (an :func:`_origin_key`) as (scheme, host, port)."""
    scheme, rest = key.split("://", 1)
    name, port = rest.rsplit(":", 1)
    return scheme, name, port


async def _refuse(scope: Scope, send: Send, status: int, error: str, detail: str) -> None:
    if scope["type"] == "websocket":  # before accept: the server answers 403
        await send({"type": "websocket.close", "code": 1008, "reason": error})
        return
    await send_json(send, status, {"error": error, "detail": detail})
