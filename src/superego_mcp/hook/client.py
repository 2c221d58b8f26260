"""Forward hook JSON to a running Superego server (``superego-mcp hook --server URL``).

Standard library only (urllib), imported only when ``--server`` is given. No proxies (the
environment's ``http_proxy`` must not see tool calls or the token), no redirects (a redirected
POST would lose its body), a short timeout. The bearer token comes from
``$SUPEREGO_API_TOKEN`` and never appears in an error message.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from superego_mcp.errors import SuperegoError

ROUTE = "/v1/hooks/claude-code"  # Claude Code's; other agents' are /v1/hooks/<agent>
TIMEOUT_S = 2.0
# A hook answer is small; a larger reply is not one.
MAX_REPLY = 1_048_576


class ServerError(SuperegoError):
    """The server could not be reached or did not answer with usable hook JSON."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def describe(url: str) -> str:
    """``url`` fit for a message: scheme, host and port only (no user:password@, path or
    query, which may carry secrets)."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}"[:200]


def forward(
    url: str, body: bytes, *, timeout: float = TIMEOUT_S, agent: str | None = None
) -> object:
    """POST ``body`` (hook JSON) to ``{url}/v1/hooks/claude-code`` (or ``agent``'s route,
    ``/v1/hooks/<agent>``); return the decoded reply.

    Raises :class:`ServerError` for a bad URL, a connection failure, a timeout, a non-2xx
    status or a body that is not JSON.
    """
    if not url.startswith(("http://", "https://")):
        raise ServerError("server URL must start with http:// or https://")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    token = os.environ.get("SUPEREGO_API_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 -- scheme checked above
        url.rstrip("/") + (ROUTE if agent in (None, "claude") else f"/v1/hooks/{agent}"),
        data=body,
        headers=headers,
        method="POST",
    )
    try:
        with _opener().open(request, timeout=timeout) as response:
            status = response.status
            reply = response.read(MAX_REPLY + 1)
    except urllib.error.HTTPError as exc:
        raise ServerError(f"server answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ServerError(f"server unreachable: {reason}") from None
    if not 200 <= status < 300:
        raise ServerError(f"server answered HTTP {status}")
    if len(reply) > MAX_REPLY:
        raise ServerError("server reply is too large")
    try:
        return json.loads(reply)
    except (ValueError, RecursionError):
        raise ServerError("server reply is not JSON") from None
