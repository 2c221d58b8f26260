"""``serve --reload``, for development: uvicorn runs the server in a worker process and
starts a new one when a file of the installed package changes (an editable install: the
files under ``src/``). Policy files hot-reload without it (``Settings.reload``).

The worker builds its app from the environment: ``run_reloading`` writes the command
line's host, port, transport, rules and settings file into ``SUPEREGO_*`` first, so the
restarted worker serves exactly what the command line said.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from superego_mcp.config import Settings, load_settings
from superego_mcp.places import settings_file

if TYPE_CHECKING:
    from fastapi import FastAPI

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def run_reloading(settings: Settings, config: str | None) -> int:
    """Serve with uvicorn's reloader until SIGINT/SIGTERM; exit code."""
    import uvicorn

    os.environ["SUPEREGO_HOST"] = settings.host
    os.environ["SUPEREGO_PORT"] = str(settings.port)
    os.environ["SUPEREGO_TRANSPORT"] = settings.transport
    if settings.rules:
        os.environ["SUPEREGO_RULES"] = str(settings.rules)
    if config:
        os.environ["SUPEREGO_CONFIG"] = config
    uvicorn.run(
        "superego_mcp.server.devreload:app",
        factory=True,
        reload=True,
        reload_dirs=[str(PACKAGE_DIR)],
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        server_header=False,
    )
    return 0


def app() -> FastAPI:
    """The app factory each worker calls: settings from the environment, as ``serve``."""
    from superego_mcp.server.app import create_app
    from superego_mcp.server.reload import holder_from_settings

    config = settings_file()
    settings = load_settings(config)
    return create_app(settings, holder_from_settings(settings, config))
