"""The base of every error Superego raises on purpose (a bad policy, settings, hook input,
store, provider answer...): ``except SuperegoError`` catches ours and nothing else. Each
error keeps its own module and name; a message always names the problem."""

from __future__ import annotations


class SuperegoError(Exception):
    """An error Superego raises on purpose, with a message that names the problem."""
