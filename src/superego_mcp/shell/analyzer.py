"""Walk a tree-sitter-bash tree and list every command that would run.

The walk follows bash's evaluation order closely enough to track what is statically known:
variables, functions and aliases defined earlier on the line, the working directory after
``cd``, positional parameters of ``bash -c`` and of function calls. Anything it cannot see
through becomes a finding (``UNPARSEABLE``, ``TOO_COMPLEX``, ``DYNAMIC_PROGRAM``) so the
engine fails closed. Recursion is bounded: the tree's depth is checked (iteratively) before
walking, and every nested source (``bash -c``, ``eval``, substitutions) counts against
``max_depth``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import paths as _paths
from . import astral, detect, flags, syntax, wrappers
from .model import (
    CODE_EXECUTION,
    DECODE_TO_SHELL,
    DOWNLOAD_TO_SHELL,
    DYNAMIC_PROGRAM,
    FORK_BOMB,
    REVERSE_SHELL,
    TOO_COMPLEX,
    UNPARSEABLE,
    Analysis,
    Command,
    Finding,
    Redirect,
)
from .parser import parse
from .state import Ctx, Limit, Scope, Unparseable
from .words import (
    IFS_DEFAULT,
    Field,
    WordScope,
    clip,
    expand,
    literal_text,
    node_text,
    tokens_of,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from tree_sitter import Node

_TEXT_LIMIT = 200
_DETAIL_LIMIT = 300
# Tree depth allowed per unit of max_depth (a `$(` level is about two tree levels; an if
# inside a loop inside a group adds a few more).
_TREE_LEVELS_PER_DEPTH = 6
_BRACE_RETRIES = 8
_MAX_STEPS = 20_000
_MAX_LOOP_VALUES = 8
_MAX_WORDS = 20_000
# Programs the analyzer has rules of its own for (case-folded on case-insensitive systems).
_KNOWN_PROGRAMS = frozenset(
    {k.split(" ")[0] for k in flags.known_programs()}
    | wrappers.WRAPPERS
    | detect.SHELLS
    | detect.DOWNLOADERS
    | detect.DECODERS
    | detect.NET_TOOLS
    | {
        "eval",
        "source",
        "exec",
        "find",
        "dd",
        "mkfs",
        "shred",
        "kill",
        "python",
        "python3",
        "node",
        "perl",
        "ruby",
        "php",
        "sudo",
    }
)
# Environment variables holding a command line that programs run through a shell.
_COMMAND_VARIABLES = frozenset(
    {
        "GIT_SSH_COMMAND",
        "GIT_PAGER",
        "PAGER",
        "MANPAGER",
        "GIT_EDITOR",
        "EDITOR",
        "VISUAL",
        "GIT_EXTERNAL_DIFF",
        "GIT_ASKPASS",
        "SSH_ASKPASS",
        "SUDO_ASKPASS",
        "LESSOPEN",
        "PROMPT_COMMAND",
        "GIT_SEQUENCE_EDITOR",
        "BROWSER",
    }
)
# git configuration keys whose value is a command git runs.
_GIT_COMMAND_KEYS = frozenset(
    {
        "core.pager",
        "core.editor",
        "core.sshcommand",
        "core.fsmonitor",
        "sequence.editor",
        "diff.external",
        "credential.helper",
        "gpg.program",
        "pager.log",
        "pager.diff",
        "uploadpack.packobjectshook",
        "core.askpass",
    }
)

_STATEMENTS = frozenset(
    [
        "command",
        "redirected_statement",
        "pipeline",
        "list",
        "subshell",
        "compound_statement",
        "if_statement",
        "while_statement",
        "for_statement",
        "c_style_for_statement",
        "case_statement",
        "function_definition",
        "variable_assignment",
        "variable_assignments",
        "declaration_command",
        "unset_command",
        "test_command",
        "negated_command",
    ]
)
_BRANCHING = frozenset(
    ["if_statement", "while_statement", "for_statement", "c_style_for_statement", "case_statement"]
)
_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_WRITE_OPS = frozenset({">", ">>", "&>", "&>>", ">|", "<>", ">&"})
# Programs whose operands are never file names.
_NO_PATH_OPERANDS = frozenset(
    [
        "echo",
        "printf",
        "sleep",
        "kill",
        "killall",
        "pkill",
        "expr",
        "seq",
        "yes",
        "true",
        "false",
        "exit",
        "return",
        "shift",
        "alias",
        "unalias",
        "type",
        "which",
        "hash",
        "set",
        "unset",
        "export",
        "declare",
        "local",
        "readonly",
        "typeset",
        ":",
        "test",
        "[",
        "eval",
        "trap",
        "wait",
        "jobs",
        "fg",
        "bg",
        "umask",
        "ulimit",
        "let",
        "read",
        "sudo",
        "doas",
    ]
)
# Programs whose first operand is a pattern, script or mode rather than a file.
_FIRST_OPERAND_NOT_PATH = frozenset(
    [
        "grep",
        "egrep",
        "fgrep",
        "rg",
        "ag",
        "ack",
        "sed",
        "awk",
        "gawk",
        "mawk",
        "chmod",
        "chown",
        "chgrp",
        "jq",
        "yq",
    ]
)


class _Analyzer:
    def __init__(self, home: str, max_depth: int, max_commands: int) -> None:
        self.home = home
        self.max_depth = max_depth
        self.max_commands = max_commands
        self.commands: list[Command] = []
        self.pipes: list[tuple[tuple[int, int], ...]] = []
        self.findings: list[Finding] = []
        self.reads_program: set[int] = set()  # shells/interpreters reading code from stdin
        self.stdin_text: dict[int, str] = {}  # heredoc / herestring text fed to a command
        self.stdin_feed: dict[int, tuple[int, int]] = {}  # commands feeding "< <(...)"
        self.downloaded: set[str] = set()  # files a downloader writes earlier on the line
        self.pipe_ids = 0
        self.steps = 0
        self.call_stack: list[str] = []
        # Every function definition seen (name, body, scope) and the bodies called so far
        # (by identity: the Node objects stay alive in `defined`).
        self.defined: list[tuple[str, Node, Scope]] = []
        self.called: set[int] = set()
        self.alias_stack: list[str] = []

    # ----- sources and statements -------------------------------------------------------

    def source(self, text: str, scope: Scope, ctx: Ctx) -> None:
        """Parse and walk one piece of shell source."""
        if ctx.depth > self.max_depth:
            raise Limit(f"nested deeper than {self.max_depth} levels")
        data = text.encode("utf-8", "surrogatepass")
        tree = parse(data)
        for _ in range(_BRACE_RETRIES):
            # `{rm,-rf,/}` is brace expansion, not a group, but the parser reads a group;
            # `""{rm,-rf,/}` means the same to bash and parses as a word.
            fix = syntax.brace_word(tree.root_node, data) if tree.root_node.has_error else None
            if fix is None:
                break
            data = data[:fix] + b'""' + data[fix:]
            tree = parse(data)
        root = tree.root_node
        syntax.check_tree(root, self.max_depth * _TREE_LEVELS_PER_DEPTH)
        if root.has_error:
            raise Unparseable(f"syntax error near: {syntax.error_excerpt(root)}")
        self.block(root, scope, ctx)

    def block(self, node: Node, scope: Scope, ctx: Ctx) -> None:
        """Walk the statements directly under ``node``."""
        for child in node.named_children:
            self.stmt(child, scope, ctx)

    def stmt(self, node: Node, scope: Scope, ctx: Ctx) -> None:
        """Walk one statement of any kind."""
        # Function calls and aliases can fan out exponentially without emitting commands:
        # bound the total work, not only the output.
        self.steps += 1
        if self.steps > _MAX_STEPS:
            raise Limit(f"more than {_MAX_STEPS} statements to walk")
        kind = node.type
        if kind == "command":
            self.command(node, [], scope, ctx)
        elif kind == "redirected_statement":
            self.redirected(node, scope, ctx)
        elif kind in _REDIRECTS:  # "$(< f)", "$(> f)": the parser hangs it on the "$("
            self.bare_statement([node], node, scope, ctx)
        elif kind == "pipeline":
            self.pipeline(list(node.named_children), scope, ctx)
        elif kind == "list":
            self.chain(node, scope, ctx)
        elif kind == "subshell":
            self.block(node, scope.copy(), ctx.nested(None, keep_pipes=True))
        elif kind in ("compound_statement", "do_group", "program"):
            self.block(node, scope, ctx)
        elif kind in _BRANCHING:
            branch = scope.copy()
            self.compound(node, branch, ctx)
            scope.merge(branch)
        elif kind == "function_definition":
            self.define_function(node, scope)
        elif kind == "variable_assignment":
            self.assign(node, scope, ctx)
        elif kind == "variable_assignments":
            for child in node.named_children:
                self.stmt(child, scope, ctx)
        elif kind == "declaration_command":
            self.declaration(node, scope, ctx)
        elif kind == "unset_command":
            for child in node.named_children:
                scope.vars[node_text(child)] = ""
        elif kind == "comment":
            return
        else:
            self.compound(node, scope, ctx)

    def compound(self, node: Node, scope: Scope, ctx: Ctx) -> None:
        """Any other construct: walk statements, and substitutions in its words."""
        walked: set[int] = set()  # start bytes of words already expanded
        if node.type == "for_statement":
            if self.for_each_value(node, scope, ctx):
                return
            walked = {v.start_byte for v in node.children_by_field_name("value")}
            var = node.child_by_field_name("variable")
            if var is not None:
                scope.vars[node_text(var)] = None
        # Alternatives (then / elif / else / case items) each start from the scope before
        # them; what they change becomes unknown afterwards.
        conditions = {c.start_byte for c in node.children_by_field_name("condition")}
        branches: list[Scope] = []
        then_scope: Scope | None = None
        for child in node.named_children:
            if child.start_byte in walked or child.type == "comment":
                continue
            if child.type in ("elif_clause", "else_clause", "case_item"):
                branches.append(scope.copy())
                self.compound(child, branches[-1], ctx)
            elif child.type in _STATEMENTS or child.type == "do_group":
                if node.type == "if_statement" and child.start_byte not in conditions:
                    if then_scope is None:
                        then_scope = scope.copy()
                        branches.append(then_scope)
                    self.stmt(child, then_scope, ctx)
                else:
                    self.stmt(child, scope, ctx)
            else:
                self.substitutions_in(child, scope, ctx)
        for branch in branches:
            scope.merge(branch)

    def for_each_value(self, node: Node, scope: Scope, ctx: Ctx) -> bool:
        """``for x in a b; do ...; done`` with a few known values: walk the body once per
        value (each on a copy, merged like a branch). False when the values are unknown."""
        var = node.child_by_field_name("variable")
        body = node.child_by_field_name("body")
        values = node.children_by_field_name("value")
        if var is None or body is None or not values:
            return False
        fields, unknown = self.expand_words([[v] for v in values], scope, ctx)
        if unknown or any(f[1] for f in fields) or len(fields) > _MAX_LOOP_VALUES:
            return False
        name = node_text(var)
        if name not in node_text(body):
            return False  # the body does not use the variable: walk it once
        for value, _ in fields:
            branch = scope.copy()
            branch.vars[name] = value
            self.stmt(body, branch, ctx)
            scope.merge(branch)
        return True

    def chain(self, node: Node, scope: Scope, ctx: Ctx) -> None:
        """``a && b || c``: the tree nests to the left; walk it without recursion."""
        rights: list[Node] = []
        cur = node
        while cur.type == "list" and cur.named_child_count >= 1:
            kids = cur.named_children
            rights.append(kids[-1])
            cur = kids[0]
            if len(kids) == 1:
                rights.pop()
                break
        self.stmt(cur, scope, ctx)
        for right in reversed(rights):
            self.stmt(right, scope, ctx)

    def pipeline(self, elements: list[Node], scope: Scope, ctx: Ctx, first: int = -1) -> None:
        """Walk a pipeline's elements, each in its own subshell, then link the programs."""
        self.pipe_ids += 1
        pid = self.pipe_ids
        start = len(self.commands) if first < 0 else first
        offset = 0 if first < 0 else 1
        for i, element in enumerate(elements):
            if element.type == "comment":
                continue
            sub = Ctx(ctx.via, ctx.depth, (*ctx.pipes, (pid, i + offset)))
            self.stmt(element, scope.copy(), sub)
        if first >= 0:
            for k in range(first, len(self.commands)):
                # The heredoc'd command before "| sh" is the pipeline's first element.
                if self.pipes[k] == ctx.pipes:
                    self.pipes[k] = (*ctx.pipes, (pid, 0))
        self.link_pipeline(pid, start, scope, ctx)

    def link_pipeline(self, pid: int, start: int, scope: Scope, ctx: Ctx) -> None:
        """Set ``piped_from``/``piped_to`` of pipeline ``pid``'s commands and look for what
        flows into shells (downloads, decoded data, network tools)."""
        members: dict[int, list[int]] = {}
        for k in range(start, len(self.commands)):
            for p, slot in self.pipes[k]:
                if p == pid:
                    members.setdefault(slot, []).append(k)
        slots = sorted(members)
        for slot in slots:
            before = [self.commands[k].program for s in slots if s < slot for k in members[s]]
            after = [self.commands[k].program for s in slots if s > slot for k in members[s]]
            for k in members[slot]:
                cmd = self.commands[k]
                cmd.piped_from = (*cmd.piped_from, *before)
                cmd.piped_to = (*cmd.piped_to, *after)
        cmds = [self.commands[k] for s in slots for k in members[s]]
        shell_in_pipe = any(detect.is_shell(c.program) for c in cmds)
        net_in_pipe = any(detect.networked(c) for c in cmds)
        for slot in slots:
            for k in members[slot]:
                if shell_in_pipe and net_in_pipe and detect.networked(self.commands[k]):
                    self.finding(REVERSE_SHELL, "a shell and a network tool in one pipeline", k)
                if k in self.reads_program:
                    self.piped_program(k, [members[s] for s in slots if s < slot], scope, ctx)

    def piped_program(self, k: int, upstream: list[list[int]], scope: Scope, ctx: Ctx) -> None:
        """A shell or interpreter reading its program from a pipe: what feeds it?"""
        cmd = self.commands[k]
        feeders = [self.commands[j] for group in upstream for j in group]
        if any(f.program in detect.DOWNLOADERS for f in feeders):
            self.finding(DOWNLOAD_TO_SHELL, f"downloaded code piped into {cmd.program}", k)
        if any(detect.decodes(f) for f in feeders):
            self.finding(DECODE_TO_SHELL, f"decoded data piped into {cmd.program}", k)
        if not upstream or len(upstream[-1]) != 1:
            return
        j = upstream[-1][0]
        feeder = self.commands[j]
        text: str | None = None
        if feeder.program in ("echo", "printf"):
            text = detect.echoed(feeder)
        elif feeder.program == "cat" and not feeder.positionals and j in self.stdin_text:
            text = self.stdin_text[j]
        if text is not None:
            if detect.is_shell(cmd.program):
                self.source(text, scope.copy(), ctx.nested(f"{feeder.program} | {cmd.program}"))
            else:
                self.finding(CODE_EXECUTION, _detail(cmd.program, text), k)

    def redirected(self, node: Node, scope: Scope, ctx: Ctx) -> None:
        """A statement with redirects (and, for heredocs, whatever the parser hung on them)."""
        body = node.child_by_field_name("body")
        redirects = [c for c in node.named_children if c.type in _REDIRECTS]
        extra = syntax.gap_words(node, [c for c in node.children if c.type != "comment"])
        # tree-sitter-bash hangs "| sh" or "&& rm" after a heredoc inside the redirect node.
        trailing = [
            c
            for r in redirects
            if r.type == "heredoc_redirect"
            for c in r.named_children
            if c.type in _STATEMENTS
        ]
        first = len(self.commands)
        if body is None:
            self.bare_statement(redirects, node, scope, ctx, extra)
        elif body.type == "command":
            self.command(body, redirects, scope, ctx, extra_words=extra)
        else:
            if extra:
                raise Unparseable(f"unexpected words: {' '.join(extra)}")
            self.stmt(body, scope, ctx)
            self.compound_redirects(redirects, first, scope, ctx)
        for t in trailing:
            if t.type == "pipeline":
                self.pipeline(list(t.named_children), scope, ctx, first=first)
            else:
                self.stmt(t, scope, ctx)

    def bare_statement(
        self, nodes: list[Node], node: Node, scope: Scope, ctx: Ctx, extra: Sequence[str] = ()
    ) -> None:
        """A statement of redirections only (``> /dev/sda``, ``$(< f)``)."""
        redirects, _stdin, args = self.redirects(nodes, scope, ctx)
        words = [*extra, *(node_text(a) for a in args)]
        if words:  # bash would run them as a command; the parser saw none: fail closed
            raise Unparseable(f"unexpected words: {' '.join(words)}")
        self.bare_redirection(redirects, _clip(node_text(node)), ctx)

    def bare_redirection(self, redirects: list[Redirect], text: str, ctx: Ctx) -> None:
        """Redirections with no command word: bash opens (for ``>`` truncates) the files and
        runs nothing, like the no-op builtin ``:``. Recorded as program ``:`` with
        ``program_path`` ``""`` so that redirect and path rules judge its targets."""
        if not redirects:
            return
        cmd = Command(
            ":",
            "",
            (),
            paths=_dedupe(tuple(r.target for r in redirects if r.target)),
            redirects=tuple(redirects),
            via=ctx.via,
            text=text,
            # A write to a file only known at run time (`> "$out"`), as for any command.
            dynamic=any(r.writes and r.target is None for r in redirects),
        )
        k = self.add(cmd, ctx)
        self.redirect_findings(redirects, k)

    def compound_redirects(self, redirects: list[Node], first: int, scope: Scope, ctx: Ctx) -> None:
        """``{ a; b; } > f``: the redirect applies to every command inside."""
        got, _stdin, _args = self.redirects(redirects, scope, ctx)
        for k in range(first, len(self.commands)):
            cmd = self.commands[k]
            cmd.redirects = (*cmd.redirects, *got)
            cmd.paths = _dedupe((*cmd.paths, *(r.target for r in got if r.target)))
        self.redirect_findings(got, None)

    # ----- assignments, functions ---------------------------------------------------------

    def assign(self, node: Node, scope: Scope, ctx: Ctx) -> str:
        """Apply ``NAME=value`` to ``scope``; return it as text."""
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        name = node_text(name_node) if name_node is not None else ""
        value: str | None = ""
        if value_node is not None:
            toks = tokens_of([value_node], self.word_scope(scope, ctx))
            text, dynamic = literal_text(toks)
            if value_node.type == "array":
                dynamic = True
            if text.startswith("~/") or text == "~":
                text = self.home + text[1:]
            value = None if dynamic else text
        append = any(c.type == "+=" for c in node.children)
        if name:
            old = scope.lookup(name) if append else ""
            scope.vars[name] = None if value is None or old is None else old + value
        shown = value if value is not None else node_text(value_node) if value_node else ""
        return f"{name}={shown}"

    def declaration(self, node: Node, scope: Scope, ctx: Ctx) -> None:
        """``export``/``declare``/``local``/``readonly``: assignments, and a command for rules."""
        keyword = node.children[0].type if node.children else "declare"
        argv: list[str] = []
        for child in node.named_children:
            if child.type == "variable_assignment":
                argv.append(self.assign(child, scope, ctx))
            else:
                fields, _ = self.expand_words([[child]], scope, ctx)
                argv.extend(f[0] for f in fields)
        self.add(
            Command(keyword, keyword, tuple(argv), text=_clip(node_text(node)), via=ctx.via), ctx
        )

    def define_function(self, node: Node, scope: Scope) -> None:
        """Remember a function (its body runs when called); report fork bombs."""
        name_node = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name_node is None or body is None:
            return
        name = node_text(name_node)
        scope.funcs[name] = body
        self.defined.append((name, body, scope))
        if detect.self_calls(body, name) >= 2 or (
            detect.self_calls(body, name) and detect.backgrounds(body)
        ):
            self.finding(
                FORK_BOMB, f"function {name!r} calls itself repeatedly: " + _clip(node_text(node))
            )

    def call_function(self, name: str, args: list[Field], scope: Scope, ctx: Ctx) -> None:
        """Walk a function's body with the call's arguments as ``$1``..."""
        self.called.add(id(scope.funcs[name]))
        if name in self.call_stack:
            return  # recursion: its body is already being walked
        saved = scope.positional
        scope.positional = None if any(f[1] for f in args) else [f[0] for f in args]
        self.call_stack.append(name)
        try:
            self.stmt(scope.funcs[name], scope, ctx.nested(f"{name}()", keep_pipes=True))
        finally:
            self.call_stack.pop()
            scope.positional = saved

    def uncalled_functions(self, ctx: Ctx) -> None:
        """Bodies of functions never called on the line may still run (a trap, a name built
        at run time): list their commands too rather than guess."""
        for name, body, scope in self.defined:  # grows while walking: bodies define more
            if id(body) in self.called:
                continue
            self.called.add(id(body))
            self.call_stack.append(name)
            try:
                self.stmt(body, scope.copy(), ctx.nested(f"{name}() (defined)"))
            finally:
                self.call_stack.pop()

    # ----- words ------------------------------------------------------------------------

    def word_scope(self, scope: Scope, ctx: Ctx) -> WordScope:
        """What word expansion needs: variables, home, and how to walk substitutions."""

        def substitute(node: Node, label: str) -> None:
            inner = ctx.nested(label)
            if inner.depth > self.max_depth:
                raise Limit(f"nested deeper than {self.max_depth} levels")
            self.block(node, scope.copy(), inner)

        return WordScope(scope.lookup, self.home, substitute)

    def expand_words(
        self, words: list[list[Node]], scope: Scope, ctx: Ctx
    ) -> tuple[list[Field], bool]:
        """Fields of several words; also whether their number is unknown."""
        ws = self.word_scope(scope, ctx)
        out: list[Field] = []
        unknown = False
        for nodes in words:
            fields, unk = expand(tokens_of(nodes, ws), self.home, scope.lookup("IFS"))
            out.extend(fields)
            unknown = unknown or unk
        return out, unknown

    def substitutions_in(self, node: Node, scope: Scope, ctx: Ctx) -> None:
        """Walk the substitutions inside any word-like node."""
        tokens_of([node], self.word_scope(scope, ctx))

    # ----- redirects --------------------------------------------------------------------

    def redirects(
        self, nodes: list[Node], scope: Scope, ctx: Ctx
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
                stdin = self.heredoc(node, scope, ctx)
                out.append(Redirect(syntax.operator(node, "<<"), None, False))
                pending[0:0] = [c for c in node.named_children if c.type == "file_redirect"]
            elif node.type == "herestring_redirect":
                fields, _ = self.expand_words([list(node.named_children)], scope, ctx)
                stdin = " ".join(f[0] for f in fields) + "\n"
                out.append(Redirect("<<<", None, False))
            else:
                dests = node.children_by_field_name("destination")
                op = syntax.operator(node, ">")
                if not dests:
                    out.append(Redirect(op, None, op in _WRITE_OPS))
                    continue
                args.extend(
                    d for d in dests[1:] if not (d.type == "number" and d.end_byte in starts)
                )
                fields, unknown = self.expand_words([[dests[0]]], scope, ctx)
                target = fields[0] if len(fields) == 1 and not unknown else None
                if op in (">&", "<&") and target and (target[0].isdigit() or target[0] == "-"):
                    out.append(Redirect(op, None, False))  # fd duplication, not a file
                    continue
                writes = op in _WRITE_OPS
                if target is None or target[1]:
                    out.append(Redirect(op, None, writes))
                    continue
                # Unresolvable (a relative target after an unknown `cd`): unknown, not absent.
                resolved = self.path_forms(target[0], scope) or (None,)
                out.extend(Redirect(op, form, writes) for form in resolved)
        return out, stdin, args

    def heredoc(self, node: Node, scope: Scope, ctx: Ctx) -> str:
        """The text a heredoc feeds (expanded unless its delimiter is quoted)."""
        start = next((c for c in node.children if c.type == "heredoc_start"), None)
        body = next((c for c in node.children if c.type == "heredoc_body"), None)
        if body is None:
            return ""
        quoted = start is not None and any(q in node_text(start) for q in "'\"\\")
        if quoted:
            return node_text(body)
        parts: list[str] = []
        ws = self.word_scope(scope, ctx)
        cursor = body.start_byte
        raw = body.text or b""
        for child in body.named_children:
            lead = raw[cursor - body.start_byte : child.start_byte - body.start_byte]
            parts.append(lead.decode("utf-8", "surrogateescape"))
            if child.type == "heredoc_content":
                parts.append(node_text(child))
            else:
                toks = tokens_of([child], ws)
                text, dynamic = literal_text(toks)
                parts.append(node_text(child) if dynamic else text)
            cursor = child.end_byte
        parts.append(raw[cursor - body.start_byte :].decode("utf-8", "surrogateescape"))
        return "".join(parts)

    def redirect_findings(self, redirects: list[Redirect], k: int | None) -> None:
        """Redirects to ``/dev/tcp`` / ``/dev/udp`` are network connections."""
        for r in redirects:
            if r.target and r.target.startswith(("/dev/tcp/", "/dev/udp/")):
                self.finding(REVERSE_SHELL, f"redirect {r.op} {r.target}", k)

    # ----- commands -----------------------------------------------------------------------

    def command(
        self,
        node: Node,
        outer_redirects: list[Node],
        scope: Scope,
        ctx: Ctx,
        extra_words: list[str] | None = None,
    ) -> None:
        """A simple command: expand its words, then alias, function or program."""
        assignments: list[Node] = []
        words: list[Node] = []
        redirect_nodes: list[Node] = []
        name_node: Node | None = None
        for child in node.named_children:
            if child.type == "variable_assignment":
                assignments.append(child)
            elif child.type in _REDIRECTS:
                redirect_nodes.append(child)
            elif child.type == "command_name":
                name_node = child
                words.extend(child.named_children)
            elif child.type != "comment":
                words.append(child)
        gap = syntax.gap_words(node, [c for c in node.children if c.type != "comment"])
        redirect_nodes.extend(outer_redirects)
        # Prefix assignments set the command's environment, not the shell's.
        env_scope = scope.copy() if assignments else scope
        shown_assignments = tuple(self.assign(a, env_scope, ctx) for a in assignments)
        before_redirects = len(self.commands)
        redirects, stdin, redirect_args = self.redirects(redirect_nodes, scope, ctx)
        # "bash < <(curl ..)": what a stdin redirect's substitution produces is the script.
        stdin_feed: tuple[int, int] | None = None
        if len(self.commands) > before_redirects and any(r.op == "<" for r in redirects):
            stdin_feed = (before_redirects, len(self.commands))
        # "curl x > >(sh)": commands in an output process substitution read this one's output.
        out_fed = range(before_redirects, len(self.commands))
        words.extend(redirect_args)
        words.sort(key=lambda n: n.start_byte)
        groups = syntax.join_continued(words)
        ws = self.word_scope(scope, ctx)
        fields: list[Field] = []
        unknown = False
        word_ranges: list[tuple[int, int, int]] = []  # (first field, first cmd, end cmd)
        for group in groups:
            before = len(self.commands)
            got, unk = expand(tokens_of(group, ws), self.home, scope.lookup("IFS"))
            word_ranges.append((len(fields), before, len(self.commands)))
            fields.extend(got)
            unknown = unknown or unk
            if len(fields) > _MAX_WORDS:  # brace expansion can multiply words
                raise Limit(f"more than {_MAX_WORDS} words in one command")
        fields.extend((w, False) for w in (extra_words or []) + gap)
        text = _clip(node_text(node))
        if not fields:
            if assignments:
                for a in assignments:
                    self.assign(a, scope, ctx)
            self.bare_redirection(redirects, text, ctx)  # "x=; $x > f"
            return
        subst = _substitution_ranges(word_ranges)
        name_plain = (
            name_node is not None
            and name_node.named_child_count == 1
            and (name_node.named_children[0].type == "word")
        )
        head = fields[0][0]
        if name_plain and head in scope.aliases and head not in self.alias_stack:
            rest = (node.text or b"")[name_node.end_byte - node.start_byte :] if name_node else b""
            self.alias_stack.append(head)
            try:
                self.source(
                    scope.aliases[head] + rest.decode("utf-8", "surrogateescape"),
                    scope,
                    ctx.nested(f"alias {head}", keep_pipes=True),
                )
            finally:
                self.alias_stack.pop()
            return
        k = len(self.commands)
        self.run(
            fields,
            unknown,
            env_scope,
            scope,
            ctx,
            redirects=redirects,
            stdin=stdin,
            assignments=shown_assignments,
            text=text,
            subst=subst,
            stdin_feed=stdin_feed,
        )
        if k < len(self.commands) and any(r.writes for r in redirects):
            for j in out_fed:
                if j in self.reads_program and self.commands[j].via[-1:] == (">()",):
                    self.piped_program(j, [[k, *range(k + 1, len(self.commands))]], scope, ctx)

    def run(
        self,
        fields: list[Field],
        unknown: bool,
        env_scope: Scope,
        scope: Scope,
        ctx: Ctx,
        *,
        redirects: list[Redirect],
        stdin: str | None,
        assignments: tuple[str, ...],
        text: str,
        subst: dict[int, tuple[int, int]],
        inner_args_dynamic: bool = False,
        stdin_feed: tuple[int, int] | None = None,
    ) -> None:
        """One command (after expansion): emit it, then look through it if it runs more."""
        path_word, dyn_program = fields[0]
        args = fields[1:]
        skips_functions = ctx.via[-1:] in (("command",), ("builtin",))
        if not dyn_program and path_word in scope.funcs and not skips_functions:
            self.call_function(path_word, args, scope, ctx)
            return
        if any(c in path_word for c in "*?["):
            dyn_program = True  # "/???/r? -rf /": the filesystem picks the program
        program = "" if dyn_program else _program_name(path_word)
        argv = [f[0] for f in args]
        dynamic = dyn_program or unknown or inner_args_dynamic or any(f[1] for f in args)
        # A write to a file only known at run time (`> "$out"`).
        dynamic = dynamic or any(r.writes and r.target is None for r in redirects)
        key = program
        if program in ("uv", "poetry", "pipenv") and argv[:1] == ["run"]:
            key = f"{program} run"
        if key in wrappers.WRAPPERS or key in wrappers.SUB_WRAPPERS:
            self.wrapper(
                key,
                program,
                path_word,
                args[1:] if " " in key else args,
                scope,
                ctx,
                dynamic=dynamic,
                redirects=redirects,
                text=text,
                assignments=assignments,
                stdin=stdin,
            )
            return
        parsed = flags.parse_args(program, argv)
        cmd = Command(
            program,
            path_word,
            tuple(argv),
            subcommand=parsed.subcommand,
            flags=frozenset(parsed.flags),
            positionals=tuple(parsed.positionals),
            dynamic=dynamic,
            redirects=tuple(redirects),
            via=ctx.via,
            text=text,
        )
        cmd.paths = self.command_paths(cmd, args, parsed, redirects, scope)
        if scope.cwd is None and any(not p.startswith("/") for p in parsed.positionals):
            cmd.dynamic = True
        k = self.add(cmd, ctx, assignments)
        if stdin is not None:
            self.stdin_text[k] = stdin
        if stdin_feed is not None:
            self.stdin_feed[k] = stdin_feed
        if dyn_program:
            self.finding(DYNAMIC_PROGRAM, f"program only known at run time: {path_word}", k)
        self.redirect_findings(redirects, k)
        if program in detect.DOWNLOADERS:
            self.downloaded.update(self.download_targets(cmd, parsed, scope))
        if "/" in path_word:
            self.downloaded_check(k, self.path_forms(path_word, scope))
        if assignments:
            self.command_variables(k, assignments, env_scope, ctx)
        if program == "git":
            self.git_config_commands(parsed, env_scope, ctx)
        self.look_inside(k, args, env_scope, scope, ctx, stdin=stdin, subst=subst)

    def wrapper(
        self,
        key: str,
        program: str,
        path_word: str,
        args: list[Field],
        scope: Scope,
        ctx: Ctx,
        *,
        dynamic: bool,
        redirects: list[Redirect],
        text: str,
        assignments: tuple[str, ...],
        stdin: str | None,
    ) -> None:
        """A wrapper (sudo, env, xargs, ...): emit it, then what it runs."""
        u = wrappers.unwrap(key, args)
        operands = [f[0] for f in u.operands if not f[1]]
        cmd = Command(
            program,
            path_word,
            tuple(f[0] for f in ([("run", False)] if " " in key else []) + args),
            subcommand=key.split(" ", 1)[1] if " " in key else None,
            flags=frozenset(u.flags),
            positionals=tuple(operands),
            dynamic=dynamic,
            redirects=tuple(redirects),
            via=ctx.via,
            text=text,
        )
        if program in ("flock", "chroot"):
            cmd.paths = _dedupe(tuple(p for o in operands for p in self.path_forms(o, scope)))
        k = self.add(cmd, ctx, assignments)
        self.redirect_findings(redirects, k)
        label = "find -exec" if key == "find" else key
        inner_ctx = ctx.nested(label, keep_pipes=True)
        inner_scope = scope.copy()
        for f in u.assignments:
            name, _, value = f[0].partition("=")
            inner_scope.vars[name] = None if f[1] else value
        if u.shell is not None:
            code = " ".join(f[0] for f in u.shell)
            if u.argv:
                code += " " + " ".join(_quote(f[0]) for f in u.argv)
            if any(f[1] for f in u.shell):
                self.finding(DYNAMIC_PROGRAM, f"{key} runs a command only known at run time", k)
            first = len(self.commands)
            self.source(code, inner_scope, inner_ctx)
            if u.appends_input:  # parallel: arguments come from its input
                for cmd_run in self.commands[first:]:
                    cmd_run.dynamic = True
            return
        if u.argv is None:
            return
        self.run(
            list(u.argv),
            False,
            inner_scope,
            inner_scope,
            inner_ctx,
            redirects=redirects,
            stdin=stdin,
            assignments=tuple(f[0] for f in u.assignments),
            text=cmd.text,
            subst={},
            inner_args_dynamic=u.appends_input or dynamic,
        )

    def look_inside(
        self,
        k: int,
        args: list[Field],
        env_scope: Scope,
        scope: Scope,
        ctx: Ctx,
        *,
        stdin: str | None,
        subst: dict[int, tuple[int, int]],
    ) -> None:
        """Commands that run code given as data: shells, eval, source, interpreters, find."""
        cmd = self.commands[k]
        program = cmd.program
        argv = list(cmd.argv)
        if program in ("eval", "trap"):
            code_fields = args if program == "eval" else args[:1]
            if any(f[1] for f in code_fields):
                self.finding(DYNAMIC_PROGRAM, f"{program} of text only known at run time", k)
            self.feed_check(k, [subst.get(i) for i in range(len(code_fields))])
            if code_fields:
                # eval runs in this shell; a trap's text runs later, on a copy.
                runs_in = scope if program == "eval" else scope.copy()
                self.source(" ".join(f[0] for f in code_fields), runs_in, ctx.nested(program))
            return
        if program in ("source", "."):
            cmd.program = "source"
            self.feed_check(k, [subst.get(0)], (scope, ctx, True))
            self.downloaded_check(k, cmd.paths)
            if argv[:1] == ["/dev/stdin"] and stdin is not None:
                self.source(stdin, scope, ctx.nested("source <<"))
            return
        if program == "alias":
            for word in argv:
                name, eq, value = word.partition("=")
                if eq:
                    scope.aliases[name] = value + " "
            return
        if program == "popd":
            scope.cwd = None
            return
        if program in ("cd", "pushd"):
            target = next((a for a in argv if not a.startswith("-") or a == "-"), None)
            if target is None:
                scope.cwd = self.home
            elif target == "-" or cmd.dynamic:
                scope.cwd = None
            elif scope.cwd is not None or target.startswith("/"):
                scope.cwd = _paths.lexical(target, scope.cwd or "/", self.home)
            return
        if program == "set" and "--" in argv:
            rest = args[argv.index("--") + 1 :]
            scope.positional = None if any(f[1] for f in rest) else [f[0] for f in rest]
            return
        if program in ("read", "mapfile", "readarray", "getopts"):
            for word in argv:
                if not word.startswith("-"):
                    scope.vars[word] = None
            return
        if program == "find":
            self.find(k, args, scope, ctx)
            return
        family = "sh" if detect.is_shell(program) else detect.interpreter(program)
        if family is None:
            if program in detect.AWKS:
                prog = next((a for a in argv if not a.startswith("-")), "")
                if detect.awk_runs_commands(prog):
                    self.finding(CODE_EXECUTION, _detail(program, prog), k)
            elif program in ("nc", "ncat", "netcat") and (
                cmd.flags & {"-e", "-c", "--exec", "--sh-exec", "--lua-exec"}
            ):
                self.finding(REVERSE_SHELL, f"{program} runs a program for the connection", k)
            elif program == "socat" and any(
                a.lower().startswith(("exec:", "system:")) or ",exec:" in a.lower() for a in argv
            ):
                self.finding(REVERSE_SHELL, "socat connects a program to a socket", k)
            return
        self.code_runner(k, family, args, env_scope, ctx, stdin=stdin, subst=subst)

    def code_runner(
        self,
        k: int,
        family: str,
        args: list[Field],
        env_scope: Scope,
        ctx: Ctx,
        *,
        stdin: str | None,
        subst: dict[int, tuple[int, int]],
    ) -> None:
        """A shell or interpreter: find its program text and look at it."""
        cmd = self.commands[k]
        argv = list(cmd.argv)
        src = detect.code_source(family, argv)
        script = [] if src.script is None else self.path_forms(argv[src.script], env_scope)
        cmd.paths = _dedupe((*script, *(r.target for r in cmd.redirects if r.target)))
        if family == "deno" and cmd.subcommand == "eval" and cmd.positionals:
            self.finding(CODE_EXECUTION, _detail(cmd.program, cmd.positionals[0]), k)
            return
        if family == "python" and "-m" in argv[: src.script or len(argv)]:
            m = argv.index("-m")
            if m + 1 < len(argv):
                self.run(
                    args[m + 1 :],
                    False,
                    env_scope,
                    env_scope,
                    ctx.nested(f"{cmd.program} -m", keep_pipes=True),
                    redirects=[],
                    stdin=stdin,
                    assignments=(),
                    text=cmd.text,
                    subst={},
                )
            return
        shell = family == "sh"
        if src.code is not None:
            index = src.code_index if src.code_index is not None else 0
            self.feed_check(k, [subst.get(index)])
            if shell:
                inner = env_scope.copy()
                dyn = args[index][1] if index < len(args) else False
                if dyn:
                    self.finding(
                        DYNAMIC_PROGRAM, f"{cmd.program} -c of text only known at run time", k
                    )
                rest = args[src.rest :]
                inner.positional = None if any(f[1] for f in rest) else [f[0] for f in rest[1:]]
                inner.vars["0"] = None if not rest or rest[0][1] else rest[0][0]
                self.source(src.code, inner, ctx.nested(f"{cmd.program} -c"))
            else:
                self.finding(CODE_EXECUTION, _detail(cmd.program, src.code), k)
            return
        if src.script is not None:
            self.feed_check(k, [subst.get(src.script)], (env_scope, ctx, shell))
            self.downloaded_check(k, script)
            return
        # Reads its program from stdin: a heredoc / herestring, or a pipe.
        if stdin is not None:
            if shell:
                inner = env_scope.copy()
                self.source(stdin, inner, ctx.nested(f"{cmd.program} <<"))
            else:
                self.finding(CODE_EXECUTION, _detail(cmd.program, stdin), k)
            return
        self.reads_program.add(k)
        self.feed_check(k, [self.stdin_feed.get(k)], (env_scope, ctx, shell))

    def download_targets(self, cmd: Command, parsed: flags.ParsedArgs, scope: Scope) -> list[str]:
        """Files a downloader writes: ``-o``/``-O FILE``, redirects, or the URL's name."""
        out = [r.target for r in cmd.redirects if r.target and r.writes]
        for name, value in parsed.option_values:
            if name in ("-o", "--output", "-O", "--output-document") and value != "-":
                out.extend(self.path_forms(value, scope))
        names_from_url = (cmd.program == "wget" and not parsed.option_values) or (
            "remote-name" in cmd.flags
        )
        for word in cmd.positionals if names_from_url else ():
            if "://" in word:
                name = word.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
                out.extend(self.path_forms(name, scope) if name and "/" not in name else ())
        return out

    def downloaded_check(self, k: int, forms: Sequence[str]) -> None:
        """Running, or feeding to a shell, a file downloaded earlier on the line."""
        if self.downloaded.intersection(forms):
            cmd = self.commands[k]
            self.finding(DOWNLOAD_TO_SHELL, f"{cmd.program} runs a file downloaded on this line", k)

    def command_variables(
        self, k: int, assignments: tuple[str, ...], scope: Scope, ctx: Ctx
    ) -> None:
        """Environment variables whose value is a command the program may run
        (``GIT_SSH_COMMAND='...' git fetch``, ``PAGER=...``) or a file bash sources."""
        for text in assignments:
            name, _, value = text.partition("=")
            if name in _COMMAND_VARIABLES and value:
                self.source(value, scope.copy(), ctx.nested(f"${name}"))
            elif name in ("BASH_ENV", "ENV") and value:
                forms = self.path_forms(value, scope)
                src = Command(
                    "source",
                    "source",
                    (value,),
                    positionals=(value,),
                    paths=forms,
                    via=(*ctx.via, f"${name}"),
                    text=self.commands[k].text,
                )
                self.add(src, ctx)

    def git_config_commands(self, parsed: flags.ParsedArgs, scope: Scope, ctx: Ctx) -> None:
        """``git -c core.pager='...'`` / ``-c alias.x='!...'``: configuration that runs commands."""
        for name, value in parsed.option_values:
            if name != "-c" or "=" not in value:
                continue
            key, _, command = value.partition("=")
            key = key.lower()
            if key.startswith("alias.") and command.startswith("!"):
                self.source(command[1:], scope.copy(), ctx.nested(f"git -c {key}"))
            elif key in _GIT_COMMAND_KEYS and command:
                self.source(command.lstrip("!"), scope.copy(), ctx.nested(f"git -c {key}"))

    def feed_check(
        self,
        k: int,
        ranges: list[tuple[int, int] | None],
        reads: tuple[Scope, Ctx, bool] | None = None,
    ) -> None:
        """Code taken from a substitution (``sh -c "$(curl ..)"``, ``bash <(curl ..)``).

        With ``reads`` (scope, ctx, is a shell), a file fed by a single ``echo``/``printf``
        (``bash <(echo 'rm -rf /')``) is read as the program it is."""
        cmd = self.commands[k]
        for r in ranges:
            if r is None:
                continue
            fed = self.commands[r[0] : r[1]]
            if reads is not None and len(fed) == 1 and fed[0].program in ("echo", "printf"):
                text = detect.echoed(fed[0])
                if text is not None and reads[2]:
                    self.source(text, reads[0].copy(), reads[1].nested(f"{cmd.program} <()"))
                elif text is not None:
                    self.finding(CODE_EXECUTION, _detail(cmd.program, text), k)
            if any(c.program in detect.DOWNLOADERS for c in fed):
                self.finding(DOWNLOAD_TO_SHELL, f"downloaded code run by {cmd.program}", k)
            if any(detect.decodes(c) for c in fed):
                self.finding(DECODE_TO_SHELL, f"decoded data run by {cmd.program}", k)

    def find(self, k: int, args: list[Field], scope: Scope, ctx: Ctx) -> None:
        """``find``: start paths, ``-exec``/``-ok`` commands, ``-delete``."""
        cmd = self.commands[k]
        argv = list(cmd.argv)
        starts: list[str] = []
        i = 0
        while i < len(argv) and not argv[i].startswith(("-", "(", "!")):
            starts.append(argv[i])
            i += 1
        primaries: set[str] = set()
        skip_to_end = False
        for a in argv[i:]:
            if skip_to_end:
                skip_to_end = a not in (";", "+")
            elif a.startswith("-") and len(a) > 1:
                primaries.add(a.lstrip("-"))
                skip_to_end = a in ("-exec", "-execdir", "-ok", "-okdir")
        cmd.flags = frozenset(primaries)
        cmd.positionals = tuple(starts)
        start_paths = tuple(p for s in (starts or ["."]) for p in self.path_forms(s, scope))
        cmd.paths = _dedupe((*start_paths, *(r.target for r in cmd.redirects if r.target)))
        while i < len(argv):
            word = argv[i]
            i += 1
            if word in ("-exec", "-execdir", "-ok", "-okdir"):
                end = i
                while end < len(argv) and argv[end] not in (";", "+"):
                    end += 1
                inner = [(f[0], f[1] or "{}" in f[0]) for f in args[i:end]]
                i = end + 1
                if inner:
                    self.run(
                        inner,
                        False,
                        scope,
                        scope.copy(),
                        ctx.nested(f"find {word}", keep_pipes=True),
                        redirects=[],
                        stdin=None,
                        assignments=(),
                        text=cmd.text,
                        subst={},
                        inner_args_dynamic=True,
                    )
            elif word == "-delete":
                rm = Command(
                    "rm",
                    "rm",
                    tuple(starts),
                    flags=frozenset({"delete"}),
                    positionals=tuple(starts),
                    paths=start_paths,
                    via=(*ctx.via, "find -delete"),
                    text=cmd.text,
                    dynamic=cmd.dynamic,
                )
                self.add(rm, ctx)

    # ----- paths, bookkeeping -------------------------------------------------------------

    def path_forms(self, word: str, scope: Scope) -> tuple[str, ...]:
        """Normalized forms of a path word; () when it cannot be resolved."""
        if not word or "\n" in word or "\0" in word or "://" in word:
            return ()
        if word.startswith("/dev/fd/") or word in (
            "/dev/null",
            "/dev/stdin",
            "/dev/stdout",
            "/dev/stderr",
            "/dev/tty",
        ):
            return (word,)
        if not word.startswith("/") and scope.cwd is None:
            return ()
        # Tilde was already expanded if unquoted; a literal '~' left here is a file name.
        safe = "./" + word if word.startswith("~") else word
        # Resolve symlinks on the real name; results are re-encoded until the end.
        forms = _paths.normalize(astral.decode(safe), scope.cwd or "/", self.home)
        return tuple(astral.encode(f) for f in forms)

    def command_paths(
        self,
        cmd: Command,
        args: list[Field],
        parsed: flags.ParsedArgs,
        redirects: list[Redirect],
        scope: Scope,
    ) -> tuple[str, ...]:
        """The paths a command names: path-like operands, option values, redirects."""
        dynamic_words = {f[0] for f in args if f[1]}
        candidates: list[str] = []
        if cmd.program not in _NO_PATH_OPERANDS:
            operands = list(parsed.positionals)
            if cmd.program in _FIRST_OPERAND_NOT_PATH and operands:
                operands = operands[1:]
            if cmd.program == "dd":
                operands = [o.split("=", 1)[1] for o in operands if o.startswith(("if=", "of="))]
            candidates.extend(operands)
            for name, value in parsed.option_values:
                if cmd.program in ("docker", "podman") and name in ("-v", "--volume"):
                    value = value.split(":", 1)[0]
                if value and not any(c.isspace() for c in value):
                    candidates.append(value)
        out: list[str] = []
        for word in candidates:
            if word in dynamic_words or word == "-":
                continue
            out.extend(self.path_forms(word, scope))
        out.extend(r.target for r in redirects if r.target)
        return _dedupe(tuple(out))

    def add(self, cmd: Command, ctx: Ctx, assignments: tuple[str, ...] = ()) -> int:
        """Record a command (bounded by ``max_commands``); return its index."""
        if len(self.commands) >= self.max_commands:
            raise Limit(f"more than {self.max_commands} commands")
        if assignments:
            cmd.assignments = assignments
        self.commands.append(cmd)
        self.pipes.append(ctx.pipes)
        return len(self.commands) - 1

    def finding(self, kind: str, detail: str, k: int | None = None) -> None:
        """Record a finding once per kind and command."""
        if not any(f.kind == kind and f.command == k for f in self.findings):
            self.findings.append(Finding(kind, detail, k))


# ----- helpers ------------------------------------------------------------------------------


def _clip(text: str, limit: int = _TEXT_LIMIT) -> str:
    return clip(text, limit)


def _detail(program: str, code: str) -> str:
    return _clip(f"{program}: {code}", _DETAIL_LIMIT)


def _dedupe(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _program_name(path_word: str) -> str:
    """The program's name: the base name, lower-cased when that is a program the analyzer
    knows (macOS file systems ignore case: ``RM -rf /`` runs rm there)."""
    name = path_word.rstrip("/").rsplit("/", 1)[-1] if "/" in path_word else path_word
    lower = name.lower()
    return lower if lower != name and lower in _KNOWN_PROGRAMS else name


def _quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"


def _substitution_ranges(word_ranges: list[tuple[int, int, int]]) -> dict[int, tuple[int, int]]:
    """Argument index -> commands emitted while expanding that word (its substitutions)."""
    out: dict[int, tuple[int, int]] = {}
    for first_field, start, end in word_ranges:
        if end > start and first_field >= 1:
            out[first_field - 1] = (start, end)
    return out


def _decode_results(commands: list[Command], findings: list[Finding]) -> None:
    """Map the private-use stand-ins of :mod:`astral` back in every string of the result."""
    d = astral.decode
    for cmd in commands:
        cmd.program, cmd.program_path, cmd.text = d(cmd.program), d(cmd.program_path), d(cmd.text)
        cmd.argv = tuple(map(d, cmd.argv))
        cmd.positionals = tuple(map(d, cmd.positionals))
        cmd.paths = tuple(map(d, cmd.paths))
        cmd.flags = frozenset(map(d, cmd.flags))
        cmd.subcommand = None if cmd.subcommand is None else d(cmd.subcommand)
        cmd.via = tuple(map(d, cmd.via))
        cmd.piped_from = tuple(map(d, cmd.piped_from))
        cmd.piped_to = tuple(map(d, cmd.piped_to))
        cmd.assignments = tuple(map(d, cmd.assignments))
        for r in cmd.redirects:
            r.target = None if r.target is None else d(r.target)
    for f in findings:
        f.detail = d(f.detail)


def analyze(
    source: str,
    *,
    cwd: str,
    home: str,
    env: Mapping[str, str] | None = None,
    max_length: int = 100_000,
    max_depth: int = 32,
    max_commands: int = 500,
) -> Analysis:
    """Every command ``source`` would run, and findings; never raises.

    Any internal failure is reported as an ``UNPARSEABLE`` finding and over-limit input as
    ``TOO_COMPLEX``; both make ``Analysis.failed`` true so the caller fails closed.
    """
    given: object = source  # callers pass decoded JSON: check rather than trust the type
    if not isinstance(given, str):
        return Analysis("", (), (Finding(UNPARSEABLE, "command is not text"),))
    if len(source) > max_length:
        detail = f"command is {len(source)} characters, over the {max_length} limit"
        return Analysis(source, (), (Finding(TOO_COMPLEX, detail),))
    analyzer = _Analyzer(home, max_depth, max_commands)
    encoded = astral.needs_encoding(source)
    if encoded and astral.ambiguous(source):
        detail = "mixes characters above U+FFFF with private-use characters U+E000-U+E7FF"
        return Analysis(source, (), (Finding(UNPARSEABLE, detail),))
    text = astral.encode(source) if encoded else source
    try:
        scope = Scope()
        if env:
            scope.vars.update(env)
        scope.vars.update({"HOME": home, "PWD": cwd, "IFS": IFS_DEFAULT})
        scope.cwd = cwd
        ctx = Ctx((), 0, ())
        analyzer.source(text, scope, ctx)
        analyzer.uncalled_functions(ctx)
    except (Limit, RecursionError) as exc:
        analyzer.findings.append(Finding(TOO_COMPLEX, _clip(str(exc) or "nested too deeply")))
    except Unparseable as exc:
        analyzer.findings.append(Finding(UNPARSEABLE, str(exc)))
        if "/dev/tcp/" in source or "/dev/udp/" in source:
            # The parser cannot read some reverse-shell forms (exec 5<>/dev/tcp/...).
            analyzer.findings.append(Finding(REVERSE_SHELL, "mentions /dev/tcp or /dev/udp"))
    except Exception as exc:  # never raise: fail closed instead
        analyzer.findings.append(Finding(UNPARSEABLE, f"analysis failed: {type(exc).__name__}"))
    if encoded:
        _decode_results(analyzer.commands, analyzer.findings)
    return Analysis(source, tuple(analyzer.commands), tuple(analyzer.findings))
