"""Module-level regular expressions compiled on first use, not at import.

Compiling a pattern costs tens of microseconds; the hook imports the shell, policy and
redaction modules on every call, and most of their patterns serve only some commands
(Makefiles, justfiles, printf, SQL clients, long pipelines). Standard library only.
(Policy matchers use :class:`superego_mcp.policy.matchers.LazyRegex`, which also pickles
as its source; this holder is for module constants, never pickled.)
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    import re


class LazyPattern:
    """A pattern's source; calling it returns the compiled ``re.Pattern``, compiled once."""

    __slots__ = ("_compiled", "flags", "source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.source = source
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    def __call__(self) -> re.Pattern[str]:
        """The compiled pattern (compiled on the first call)."""
        compiled = self._compiled
        if compiled is None:
            import re  # on first use: most hook calls compile no module pattern

            compiled = self._compiled = re.compile(self.source, self.flags)
        return compiled
