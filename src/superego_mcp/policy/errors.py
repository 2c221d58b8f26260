"""The one error a policy file can raise: it names the file, the line and the rule."""

from __future__ import annotations

from superego_mcp.errors import SuperegoError


class PolicyError(SuperegoError):
    """A policy that cannot be used. ``str()`` is ``FILE:LINE: rule RULE_ID: MESSAGE``
    (the line and rule parts are left out when unknown)."""

    def __init__(
        self,
        message: str,
        *,
        file: str = "<policy>",
        line: int | None = None,
        rule_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.rule_id = rule_id
        self.message = message

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        rule = "" if self.rule_id is None else f" rule {self.rule_id}:"
        return f"{where}:{rule} {self.message}"

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments do not survive the default exception pickling.
        return (_rebuild, (self.message, self.file, self.line, self.rule_id))


def _rebuild(message: str, file: str, line: int | None, rule_id: str | None) -> PolicyError:
    return PolicyError(message, file=file, line=line, rule_id=rule_id)
