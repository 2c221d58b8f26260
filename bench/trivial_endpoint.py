"""The yardstick for ``bench_server.py``: the least a FastAPI hook endpoint can do.

``POST /v1/hooks/claude-code`` reads the body, parses it as JSON and answers a fixed deny in
Claude Code's hook format; uvicorn is started with the same options as ``superego-mcp serve``
(no access log, no server header). Whatever Superego's hook route costs beyond this is its own.

    python bench/trivial_endpoint.py PORT
"""

from __future__ import annotations

import json
import sys

import uvicorn
from fastapi import FastAPI, Request, Response

ANSWER = json.dumps(
    {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": "fixed answer",
        }
    }
).encode()

app = FastAPI()


@app.post("/v1/hooks/claude-code")
async def hook(request: Request) -> Response:
    """Parse the body (as Superego must), answer the fixed deny."""
    json.loads(await request.body())
    return Response(ANSWER, media_type="application/json")


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness, for the benchmark's start-up wait."""
    return {"status": "ok"}


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        access_log=False,
        server_header=False,
    )
