"""The shell walk's one dispatch: the entry points through which a part of the walk that
finds more code inside a command (a substitution, ``bash -c``, a script read from disk, an
alias, a function, ``python -m``) walks it again.

The walker's modules import each other only downwards; a lower one goes back in through
``Walker.walk``, which is this module (:func:`.analyzer.analyze` hands it over; mypy checks
it against :class:`.state.Walk`).
"""

from __future__ import annotations

from .simple_command import run
from .statements import assign, call_function, expand_alias, expand_words, source, word_scope

__all__ = ["assign", "call_function", "expand_alias", "expand_words", "run", "source", "word_scope"]
