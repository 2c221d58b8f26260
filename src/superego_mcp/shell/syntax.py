"""Where tree-sitter-bash's tree differs from what bash reads, and checks on the tree.

The parser splits some words in two (``r\\<newline>m``, ``rm$IFS-rf``), drops a ``-`` before
a heredoc, reads ``{rm,-rf,/}`` as a group; the helpers here put those back together or
refuse the input. ``check_tree`` bounds the depth before any recursive walk.
"""

from __future__ import annotations

from superego_mcp.lazyre import LazyPattern

from .state import Limit, Unparseable
from .words import clip, node_text

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from tree_sitter import Node

_SAFE_GAP_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+%@"
)


# Syntax nodes a tree may have before it is refused unwalked. A 100,000-character heredoc
# full of $VAR expansions is about 40,000; thousands of commands joined by ; pass it.
MAX_NODES = 60_000


# What can hide a "|" that is not a pipe: an escape, quotes, a comment, a heredoc operator
# (its body is skipped from the next newline to the delimiter line); "||" is not a pipe.
_PIPE_SCAN = LazyPattern(
    r"""(?s)\\.|'[^']*'|"(?:\\.|[^"\\])*"|(?<!<)<<-?[ \t]*(?:'([^'\n]*)'|"([^"\n]*)"|\\?(\w+))"""
    r"""|(?:(?<=[\s;&|()])|^)#[^\n]*|\n|\|\||\|"""
)


def check_pipes(text: str, commands_left: int, max_commands: int) -> None:
    """Refuse, before parsing, a line whose pipelines alone have more commands than the
    analysis may still record: tree-sitter's time on a long pipeline of commands with
    arguments grows with the square of its length (5,000 stages take seconds). A scan of
    the text that skips quotes, comments and heredoc bodies; free when the text has few
    ``|`` at all."""
    if text.count("|") < commands_left:
        return
    pipes = 0
    pending: list[str] = []
    pos = 0
    while (m := _PIPE_SCAN().search(text, pos)) is not None:
        found, pos = m.group(0), m.end()
        if found == "|":
            pipes += 1
        elif found == "\n" and pending:
            import re

            for delimiter in pending:  # each heredoc body, in order, ends on its own line
                end = re.compile(r"^\t*" + re.escape(delimiter) + r"$", re.MULTILINE)
                body_end = end.search(text, pos)
                pos = body_end.end() if body_end else len(text)
            pending = []
        elif found.startswith("<<"):
            pending.append(m.group(1) or m.group(2) or m.group(3) or "")
    if pipes >= commands_left:
        raise Limit(f"{pipes + 1} or more commands, over the limit of {max_commands}")


def check_size(root: Node, commands_left: int, max_commands: int) -> None:
    """Refuse a tree too large to walk before walking it: more than :data:`MAX_NODES`
    syntax nodes, or more simple commands than the analysis may still record
    (``commands_left`` of ``max_commands``). Free for an ordinary command line: the node
    count is stored in the tree, and commands are counted only when they could be too many.
    """
    nodes = root.descendant_count
    if nodes // 2 > commands_left:  # a simple command is at least two nodes
        from .parser import count_commands

        commands = count_commands(root)
        if commands > commands_left:
            raise Limit(f"{commands} commands, over the limit of {max_commands}")
    if nodes > MAX_NODES:
        raise Limit(f"{nodes} syntax nodes, over the limit of {MAX_NODES}")


def check_tree(root: Node, limit: int) -> None:
    """Reject trees deeper than ``limit`` before any recursive walk (iteratively).

    Chains of ``&&`` / ``||`` nest to the left in the tree but are walked iteratively,
    so a list inside a list does not count as a level.
    """
    cursor = root.walk()
    types = [root.type]  # node types along the cursor's path
    depths = [0]

    def enter() -> None:
        kind = cursor.node.type if cursor.node is not None else ""
        depth = depths[-1] + (0 if kind == types[-1] == "list" else 1)
        if depth > limit:
            raise Limit(f"nested deeper than {limit} syntax levels")
        types.append(kind)
        depths.append(depth)

    while True:
        if cursor.goto_first_child():
            enter()
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return
            types.pop()
            depths.pop()
        types.pop()
        depths.pop()
        enter()


def error_excerpt(root: Node) -> str:
    """Some text around the first syntax error, for the finding."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return clip(node_text(node) or node.type, 60)
        stack.extend(reversed(node.children))
    return "?"


def error_row(root: Node) -> int:
    """The row (0-based) of the first syntax error: the innermost error node of the first
    one (an outer ERROR node often starts with the good statements before the error)."""
    found: Node | None = None
    stack = list(reversed(root.children))
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            found = node
            stack = list(reversed(node.children))  # look for a nested one
            continue
        stack.extend(reversed(node.children))
    return int(found.start_point[0]) if found is not None else 0


def brace_word(root: Node, data: bytes) -> int | None:
    """Offset of a ``{`` the parser took for a group although no blank follows it."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "{" and not node.is_named:
            after = data[node.end_byte : node.end_byte + 1]
            if after and after not in b" \t\n":
                return int(node.start_byte)
        if node.has_error:
            stack.extend(node.children)
    return None


def gap_words(parent: Node, children: list[Node]) -> list[str]:
    """Words between ``children`` that the parser dropped (``python3 - <<EOF`` loses ``-``).

    Plain words are recovered; anything else is refused rather than guessed.
    """
    raw = parent.text or b""
    base = parent.start_byte
    cursor = base
    words: list[str] = []
    for child in sorted(children, key=lambda c: c.start_byte):
        if child.start_byte > cursor:
            gap = raw[cursor - base : child.start_byte - base].decode("utf-8", "surrogateescape")
            words.extend(gap.replace("\\\n", " ").split())
        cursor = max(cursor, child.end_byte)
    for word in words:
        if not set(word) <= _SAFE_GAP_CHARS:
            raise Unparseable(f"text the parser skipped: {clip(word, 40)}")
    return words


def join_continued(words: list[Node]) -> list[list[Node]]:
    """Group nodes that form one word: the parser splits ``r\\<newline>m`` in two."""
    groups: list[list[Node]] = []
    prev: Node | None = None
    for node in words:
        if prev is not None and groups and _continued(prev, node):
            groups[-1].append(node)
        else:
            groups.append([node])
        prev = node
    return groups


def _continued(prev: Node, node: Node) -> bool:
    """Same word: nothing between the nodes (a parser split), or a backslash-newline."""
    if node.start_byte == prev.end_byte:
        return True
    if node.start_byte != prev.end_byte + 2:
        return False
    parent = prev.parent
    while parent is not None and parent.end_byte < node.end_byte:
        parent = parent.parent
    if parent is None:
        return False
    raw = parent.text or b""
    between = raw[prev.end_byte - parent.start_byte : node.start_byte - parent.start_byte]
    return between == b"\\\n"


def operator(node: Node, default: str) -> str:
    """The operator token of a redirect node (``>``, ``>>``, ``<<<``...)."""
    ops = [c.type for c in node.children if not c.is_named]
    return ops[0] if ops else default
