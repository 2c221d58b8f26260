"""The audit trail: every decision from every entry point, one row each.

One store interface (:class:`superego_mcp.audit.store.Store`) over two backends, SQLite (the
default, a file in the user's state directory) and PostgreSQL (for replicas behind a load
balancer), sharing one set of versioned SQL migrations. What goes in a row is built in
:mod:`superego_mcp.audit.record`, after :mod:`superego_mcp.redact` has removed secrets.
See ``docs/audit.md``.

This package's ``__init__`` imports nothing: the command hook imports only the modules a
call needs (``record`` in the judging child, ``hookwrite`` in the parent).
"""
