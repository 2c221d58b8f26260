"""Redirections once read (:func:`.statements.collect_redirects` expands their targets and
heredoc / herestring text): network redirects as findings, and statements made of
redirections only as the no-op command ``:``."""

from __future__ import annotations

from .model import REVERSE_SHELL, Command, Redirect
from .state import dedupe

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from .state import Ctx, Walker

# tree-sitter-bash node types of a redirection, and the operators that write their target.
REDIRECT_NODES = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
WRITE_OPS = frozenset({">", ">>", "&>", "&>>", ">|", "<>", ">&"})


def redirect_findings(w: Walker, redirects: list[Redirect], k: int | None) -> None:
    """Redirects to ``/dev/tcp`` / ``/dev/udp`` are network connections."""
    for r in redirects:
        if r.target and r.target.startswith(("/dev/tcp/", "/dev/udp/")):
            w.finding(REVERSE_SHELL, f"redirect {r.op} {r.target}", k)


def bare_redirection(w: Walker, redirects: list[Redirect], text: str, ctx: Ctx) -> None:
    """Redirections with no command word: bash opens (for ``>`` truncates) the files and
    runs nothing, like the no-op builtin ``:``. Recorded as program ``:`` with
    ``program_path`` ``""`` so that redirect and path rules judge its targets."""
    if not redirects:
        return
    cmd = Command(
        ":",
        "",
        (),
        paths=dedupe(tuple(r.target for r in redirects if r.target)),
        redirects=tuple(redirects),
        via=ctx.via,
        text=text,
        # A write to a file only known at run time (`> "$out"`), as for any command.
        dynamic=any(r.writes and r.target is None for r in redirects),
    )
    k = w.add(cmd, ctx)
    redirect_findings(w, redirects, k)
