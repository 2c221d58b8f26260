"""Redirections: their targets as normalized paths, heredoc / herestring text fed on
stdin, statements made of redirections only, and redirects of a whole compound command."""

from __future__ import annotations

from . import syntax
from .model import REVERSE_SHELL, Command, Redirect
from .state import Unparseable, clip_text, dedupe
from .words import literal_text, node_text, tokens_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Sequence

    from tree_sitter import Node

    from .state import Ctx, Scope, Walker

# tree-sitter-bash node types of a redirection.
REDIRECT_NODES = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_WRITE_OPS = frozenset({">", ">>", "&>", "&>>", ">|", "<>", ">&"})


def collect_redirects(
    w: Walker, nodes: list[Node], scope: Scope, ctx: Ctx
) -> tuple[list[Redirect], str | None, list[Node]]:
    """The redirects, the text fed on stdin by a heredoc/herestring, and words the
    parser hung on a redirect that are really arguments (``rm 2>/dev/null -rf /``)."""
    out: list[Redirect] = []
    stdin: str | None = None
    args: list[Node] = []
    pending = list(nodes)
    # "cmd >& f 0>&1": the parser hangs the fd "0" on the previous redirect.
    starts = {n.start_byte for n in nodes}
    while pending:
        node = pending.pop(0)
        if node.type == "heredoc_redirect":
            stdin = heredoc(w, node, scope, ctx)
            out.append(Redirect(syntax.operator(node, "<<"), None, False))
            pending[0:0] = [c for c in node.named_children if c.type == "file_redirect"]
        elif node.type == "herestring_redirect":
            fields, unknown = w.walk.expand_words(w, [list(node.named_children)], scope, ctx)
            stdin = " ".join(f[0] for f in fields) + "\n"
            if unknown or any(f[1] for f in fields):
                w.dynamic_texts.add(stdin)
            out.append(Redirect("<<<", None, False))
        else:
            dests = node.children_by_field_name("destination")
            op = syntax.operator(node, ">")
            if not dests:
                out.append(Redirect(op, None, op in _WRITE_OPS))
                continue
            args.extend(d for d in dests[1:] if not (d.type == "number" and d.end_byte in starts))
            fields, unknown = w.walk.expand_words(w, [[dests[0]]], scope, ctx)
            target = fields[0] if len(fields) == 1 and not unknown else None
            if op in (">&", "<&") and target and (target[0].isdigit() or target[0] == "-"):
                out.append(Redirect(op, None, False))  # fd duplication, not a file
                continue
            writes = op in _WRITE_OPS
            if target is None or target[1]:
                out.append(Redirect(op, None, writes))
                continue
            # Unresolvable (a relative target after an unknown `cd`): unknown, not absent.
            resolved = w.path_forms(target[0], scope) or (None,)
            out.extend(Redirect(op, form, writes) for form in resolved)
    return out, stdin, args


def heredoc(w: Walker, node: Node, scope: Scope, ctx: Ctx) -> str:
    """The text a heredoc feeds (expanded unless its delimiter is quoted)."""
    start = next((c for c in node.children if c.type == "heredoc_start"), None)
    body = next((c for c in node.children if c.type == "heredoc_body"), None)
    if body is None:
        return ""
    quoted = start is not None and any(q in node_text(start) for q in "'\"\\")
    if quoted:
        return node_text(body)
    parts: list[str] = []
    dynamic_part = False
    ws = w.walk.word_scope(w, scope, ctx)
    cursor = body.start_byte
    raw = body.text or b""
    for child in body.named_children:
        lead = raw[cursor - body.start_byte : child.start_byte - body.start_byte]
        parts.append(_backticks(w, lead.decode("utf-8", "surrogateescape"), scope, ctx))
        if child.type == "heredoc_content":
            parts.append(_backticks(w, node_text(child), scope, ctx))
        else:
            toks = tokens_of([child], ws)
            text, dynamic = literal_text(toks)
            parts.append(node_text(child) if dynamic else text)
            dynamic_part = dynamic_part or dynamic
        cursor = child.end_byte
    tail = raw[cursor - body.start_byte :].decode("utf-8", "surrogateescape")
    parts.append(_backticks(w, tail, scope, ctx))
    text = "".join(parts)
    if dynamic_part:
        w.dynamic_texts.add(text)  # read as code, it is not what will run
    return text


def _backticks(w: Walker, text: str, scope: Scope, ctx: Ctx) -> str:
    """Walk the `...` substitutions in a stretch of an unquoted heredoc's text (the parser
    leaves them as text, but bash runs them); an unbalanced backtick fails closed."""
    if "`" not in text:
        return text
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            end = i + 1
            while end < n and text[end] != "`":
                end += 2 if text[end] == "\\" else 1
            if end >= n:
                raise Unparseable("unbalanced backtick in a heredoc")
            inner = text[i + 1 : end].replace("\\`", "`")
            w.walk.source(w, inner, scope.copy(), ctx.nested("``"))
            i = end + 1
            continue
        i += 1
    return text


def redirect_findings(w: Walker, redirects: list[Redirect], k: int | None) -> None:
    """Redirects to ``/dev/tcp`` / ``/dev/udp`` are network connections."""
    for r in redirects:
        if r.target and r.target.startswith(("/dev/tcp/", "/dev/udp/")):
            w.finding(REVERSE_SHELL, f"redirect {r.op} {r.target}", k)


def bare_statement(
    w: Walker, nodes: list[Node], node: Node, scope: Scope, ctx: Ctx, extra: Sequence[str] = ()
) -> None:
    """A statement of redirections only (``> /dev/sda``, ``$(< f)``)."""
    redirects, _stdin, args = collect_redirects(w, nodes, scope, ctx)
    words = [*extra, *(node_text(a) for a in args)]
    if words:  # bash would run them as a command; the parser saw none: fail closed
        raise Unparseable(f"unexpected words: {' '.join(words)}")
    bare_redirection(w, redirects, clip_text(node_text(node)), ctx)


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


def compound_redirects(
    w: Walker, redirects: list[Node], first: int, scope: Scope, ctx: Ctx
) -> None:
    """``{ a; b; } > f``: the redirect applies to every command inside."""
    got, _stdin, _args = collect_redirects(w, redirects, scope, ctx)
    for k in range(first, len(w.commands)):
        cmd = w.commands[k]
        cmd.redirects = (*cmd.redirects, *got)
        cmd.paths = dedupe((*cmd.paths, *(r.target for r in got if r.target)))
    redirect_findings(w, got, None)
