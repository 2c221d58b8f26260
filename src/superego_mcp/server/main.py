"""``superego-mcp serve``: check settings and policy, then run stdio or one uvicorn process."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import TYPE_CHECKING, Any

from superego_mcp.config import ConfigError, Settings, load_settings
from superego_mcp.places import settings_file
from superego_mcp.policy.errors import PolicyError
from superego_mcp.server.reload import PolicyHolder, holder_from_settings

if TYPE_CHECKING:
    from superego_mcp.server.recorder import Recorder

log = logging.getLogger("superego_mcp.server")

# SIGTERM/SIGINT: stop accepting, let in-flight requests finish, exit within 5 s in total.
GRACEFUL_SHUTDOWN_SECONDS = 3


def _fail(message: str) -> int:
    print(f"superego-mcp: {message}", file=sys.stderr)
    return 2


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        getattr(args, "config", None),
        transport=getattr(args, "transport", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        rules=getattr(args, "rules", None),
    )


def run(args: argparse.Namespace) -> int:
    """Run the server until SIGTERM/SIGINT (HTTP) or end of input (stdio); exit code."""
    try:
        settings = _settings(args)
    except ConfigError as exc:
        return _fail(str(exc))
    # Logs go to stderr: over stdio, stdout carries JSON-RPC and nothing else.
    from superego_mcp.logs import setup

    setup(settings.log_level, settings.log_format)
    if settings.transport != "stdio" and not settings.is_loopback and settings.api_token is None:
        return _fail(
            f"refusing to listen on non-loopback address {settings.host!r} without "
            "SUPEREGO_API_TOKEN (set it, or bind 127.0.0.1)"
        )
    config = settings_file(getattr(args, "config", None))
    try:
        holder = holder_from_settings(settings, config)
    except (PolicyError, OSError) as exc:
        return _fail(f"cannot load the policy: {exc}")
    if getattr(args, "reload_code", False):
        if settings.transport == "stdio":
            return _fail("--reload restarts the HTTP server; it does not apply to stdio")
        from superego_mcp.server.devreload import run_reloading

        return run_reloading(settings, config)
    from superego_mcp.audit.store import StoreError
    from superego_mcp.server.recorder import Recorder

    try:
        recorder = Recorder(settings, holder)
    except StoreError as exc:  # told to keep an audit it cannot keep: do not start
        return _fail(f"cannot open the audit store: {exc}")
    if settings.transport == "stdio":
        return _run_stdio(settings, holder, recorder)
    return _run_http(settings, holder, recorder)


def _run_stdio(settings: Settings, holder: PolicyHolder, recorder: Recorder) -> int:
    import anyio

    from superego_mcp.server.mcp import build_mcp
    from superego_mcp.server.reload import watching
    from superego_mcp.server.stdio import answered_stdio

    mcp = build_mcp(holder, recorder)

    async def serve() -> None:
        async with watching(holder, poll=settings.reload), recorder.running():
            # No banner: it would go to the terminal, and its update check to the network.
            await mcp.run_stdio_async(show_banner=False, log_level=settings.log_level.upper())

    # A client that closes stdin right after its last request still gets the answer.
    with answered_stdio():
        anyio.run(serve)
    return 0


def _run_http(settings: Settings, holder: PolicyHolder, recorder: Recorder) -> int:
    import uvicorn

    from superego_mcp.server.app import create_app

    config = uvicorn.Config(
        create_app(settings, holder, recorder),
        # JSON logs: uvicorn's loggers go through the root handler set up above.
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,  # per-request logging costs more than an evaluation
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        **_one_write_per_response(),
    )
    server = uvicorn.Server(config)
    # uvicorn handles SIGTERM/SIGINT gracefully, then re-raises the signal to the handler
    # that was installed before it; a no-op one there turns a clean shutdown into exit 0.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    server.run()
    if not server.started:
        return 1
    log.info("stopped")
    return 0


def _one_write_per_response() -> dict[str, Any]:
    """uvicorn's ``http`` option: its httptools protocol sending each response in one write
    (``server.coalesce``); uvicorn's own choice where httptools is missing."""
    try:
        from superego_mcp.server.coalesce import Protocol
    except ImportError:
        return {}
    return {"http": Protocol}
