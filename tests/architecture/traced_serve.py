"""Run ``superego-mcp`` with a profiler that records which of the package's modules call which,
armed by SIGUSR1 and written out (as JSON lines "caller callee") by SIGUSR2 to the file named in
$SUPEREGO_TEST_TRACE. Used by test_request_path.py; never part of the product."""

from __future__ import annotations

import json
import os
import runpy
import signal
import sys
import threading
from types import FrameType
from typing import Any

PACKAGE = "superego_mcp"
edges: set[tuple[str, str]] = set()
armed = False


def _profile(frame: FrameType, event: str, _arg: Any) -> None:
    if not armed or event != "call":
        return
    callee = frame.f_globals.get("__name__", "")
    caller_frame = frame.f_back
    if caller_frame is None or not callee.startswith(PACKAGE):
        return
    caller = caller_frame.f_globals.get("__name__", "")
    if caller.startswith(PACKAGE) and caller != callee:
        edges.add((caller, callee))


def _arm(_sig: int, _frame: FrameType | None) -> None:
    global armed
    edges.clear()
    armed = True


def _dump(_sig: int, _frame: FrameType | None) -> None:
    global armed
    armed = False
    with open(os.environ["SUPEREGO_TEST_TRACE"], "w", encoding="utf-8") as out:
        json.dump(sorted(edges), out)


signal.signal(signal.SIGUSR1, _arm)
signal.signal(signal.SIGUSR2, _dump)
threading.setprofile(_profile)
sys.setprofile(_profile)
sys.argv = ["superego-mcp", *sys.argv[1:]]
runpy.run_module(PACKAGE, run_name="__main__")
