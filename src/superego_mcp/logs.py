"""Logging set-up: human-readable text (the default) or one JSON object per line.

``log_format: json`` (``SUPEREGO_LOG_FORMAT=json``) writes each event as one JSON object with
``time``, ``level``, ``logger``, ``message``, the ``request_id`` of the HTTP request being
served (when there is one) and any structured fields passed as ``extra={"fields": {...}}``.
Every message and field goes through the audit's redaction in both formats, so a secret that
reaches a log call still never reaches the log.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from contextvars import ContextVar
from typing import Any

from superego_mcp.redact import redact_text, redact_value

# The id of the HTTP request being served (set by the server's request middleware).
request_id: ContextVar[str | None] = ContextVar("superego_request_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _Redacting(logging.Filter):
    """Redact the formatted message in place (args folded in), for either format."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single JSON line."""
        event: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid is not None:
            event["request_id"] = rid
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            event.update(redact_value(fields))
        if record.exc_info:
            event["exception"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(event, ensure_ascii=False, default=str)


def setup(level: str, fmt: str) -> None:
    """Send every log record to stderr (stdout may carry MCP JSON-RPC) in ``fmt``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_Redacting())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
