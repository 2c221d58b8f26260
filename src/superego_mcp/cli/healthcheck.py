"""``superego-mcp healthcheck``: exit 0 when the server's ``/healthz`` answers 200, else 1.

Standard library only, and settings from the environment only (no pydantic, no YAML), so a
container HEALTHCHECK pays a few milliseconds, not the server's imports.
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.error
import urllib.request

_DEFAULT_PORT = "8642"  # keep in step with config.Settings.port


def default_url(host: str | None = None, port: int | str | None = None) -> str:
    """``http://HOST:PORT`` from ``host``/``port`` (the ``--host``/``--port`` flags), else
    ``SUPEREGO_HOST``/``SUPEREGO_PORT``; a wildcard bind address is probed through loopback."""
    if host is None:
        host = os.environ.get("SUPEREGO_HOST", "127.0.0.1")
    host = host.strip() or "127.0.0.1"
    if host in ("0.0.0.0", "::", "[::]"):  # noqa: S104 - mapping the wildcard to loopback
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    if port is None:
        port = os.environ.get("SUPEREGO_PORT", _DEFAULT_PORT).strip() or _DEFAULT_PORT
    return f"http://{host}:{port}"


def run(args: argparse.Namespace) -> int:
    """Probe ``<url>/healthz``; 0 when it answers 200 within ``--timeout`` seconds."""
    given = getattr(args, "url", None)
    base = (given or default_url(getattr(args, "host", None), getattr(args, "port", None))).rstrip(
        "/"
    )
    url = base if base.endswith("/healthz") else f"{base}/healthz"
    if not url.startswith(("http://", "https://")):
        print(f"superego-mcp healthcheck: not an http(s) URL: {url}", file=sys.stderr)
        return 1
    # No proxies: an http_proxy variable must not send a loopback probe elsewhere.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=getattr(args, "timeout", 3.0)) as resp:
            ok = resp.status == 200
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"superego-mcp healthcheck: {url}: {exc}", file=sys.stderr)
        return 1
    if not ok:
        print(f"superego-mcp healthcheck: {url}: HTTP {resp.status}", file=sys.stderr)
    return 0 if ok else 1
