"""The shell walk's one dispatch: the entry points through which a part of the walk that
finds more code inside a command (``bash -c``, a script read from disk, a function,
``python -m``) walks it again. Substitutions, aliases and redirections are syntax:
:mod:`.statements` walks them itself, so a line without code inside its commands never
comes back in here.

The walker's modules import each other only downwards; a lower one goes back in through
``Walker.walk``, which is this module (:func:`.analyzer.analyze` hands it over; mypy checks
it against :class:`.state.Walk`).
"""

from __future__ import annotations

from .simple_command import run
from .statements import call_function, source

__all__ = ["call_function", "run", "source"]
