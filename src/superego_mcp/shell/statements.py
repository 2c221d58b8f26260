"""The tree walk: sources, statements, lists, pipelines and compound commands.

Follows bash's evaluation order closely enough to track what is statically known (see
:mod:`.analyzer`). Subshells and pipeline elements walk a copy of the scope; branches
(``if``/``case``/loops) walk a copy that is merged back, so what they change becomes
unknown. Simple commands go to :mod:`.simple_command`; word expansion with its
substitutions is walked here too, since a substitution is statements again. So are
functions and aliases defined on the line: a call walks the function's body with the
call's arguments, an alias is walked as source, and bodies never called are walked too.
"""

from __future__ import annotations

from . import detect, pipes, redirections, simple_command, syntax, wrappers
from .model import FORK_BOMB, REVERSE_SHELL, Command, Redirect
from .parser import parse
from .state import Ctx, Limit, Unparseable, clip_text, dedupe
from .words import WordScope, expand, literal_text, node_text, static_lead, tokens_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Sequence

    from tree_sitter import Node

    from .state import Scope, Walker
    from .words import Field, Token

# Tree depth allowed per unit of max_depth (a `$(` level is about two tree levels; an if
# inside a loop inside a group adds a few more).
_TREE_LEVELS_PER_DEPTH = 6
_BRACE_RETRIES = 8
_MAX_STEPS = 20_000
_MAX_LOOP_VALUES = 8
_MAX_WORDS = 20_000
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


def source(
    w: Walker, text: str, scope: Scope, ctx: Ctx, origin: tuple[str, int] | None = None
) -> None:
    """Parse and walk one piece of shell source. ``origin`` is (file, line of its first
    line) for text read from a script: its commands get ``origin`` "FILE:LINE", and a
    syntax error names the file and line, never the text (it may hold secrets)."""
    w.sources.append(origin)
    where = w.where
    try:
        _source(w, text, scope, ctx, origin)
    finally:
        w.sources.pop()
        w.where = where


def _source(w: Walker, text: str, scope: Scope, ctx: Ctx, origin: tuple[str, int] | None) -> None:
    if ctx.depth > w.max_depth:
        raise Limit(f"nested deeper than {w.max_depth} levels")
    # Size before work: a line over the limits is refused before parsing or walking it.
    left = w.max_commands - len(w.commands)
    syntax.check_pipes(text, left, w.max_commands)
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
    syntax.check_size(root, left, w.max_commands)
    syntax.check_tree(root, w.max_depth * _TREE_LEVELS_PER_DEPTH)
    if root.has_error:
        if origin is not None:
            line = origin[1] + syntax.error_row(root)
            raise Unparseable(f"syntax error in {origin[0]}:{line}")
        raise Unparseable(f"syntax error near: {syntax.error_excerpt(root)}")
    block(w, root, scope, ctx)


def block(w: Walker, node: Node, scope: Scope, ctx: Ctx) -> None:
    """Walk the statements directly under ``node``."""
    for child in node.named_children:
        stmt(w, child, scope, ctx)


def stmt(w: Walker, node: Node, scope: Scope, ctx: Ctx) -> None:
    """Walk one statement of any kind."""
    # Function calls and aliases can fan out exponentially without emitting commands:
    # bound the total work, not only the output.
    w.steps += 1
    if w.steps > _MAX_STEPS:
        raise Limit(f"more than {_MAX_STEPS} statements to walk")
    origin = w.sources[-1] if w.sources else None
    if origin is not None:
        w.where = f"{origin[0]}:{origin[1] + node.start_point[0]}"
    kind = node.type
    if kind == "command":
        command(w, node, [], scope, ctx)
    elif kind == "redirected_statement":
        redirected(w, node, scope, ctx)
    elif kind in redirections.REDIRECT_NODES:  # "$(< f)", "$(> f)": the parser hangs it on the "$("
        bare_statement(w, [node], node, scope, ctx)
    elif kind == "pipeline":
        pipeline(w, list(node.named_children), scope, ctx)
    elif kind == "list":
        chain(w, node, scope, ctx)
    elif kind == "subshell":
        block(w, node, scope.copy(), ctx.nested(None, keep_pipes=True))
    elif kind in ("compound_statement", "do_group", "program"):
        block(w, node, scope, ctx)
    elif kind in _BRANCHING:
        branch = scope.copy()
        compound(w, node, branch, ctx)
        scope.merge(branch)
    elif kind == "function_definition":
        define_function(w, node, scope)
    elif kind == "variable_assignment":
        shown = assign(w, node, scope, ctx)
        if w.where is not None:
            script_assignment(w, shown, node, ctx)
    elif kind == "variable_assignments":
        for child in node.named_children:
            stmt(w, child, scope, ctx)
    elif kind == "declaration_command":
        declaration(w, node, scope, ctx)
    elif kind == "unset_command":
        for child in node.named_children:
            scope.vars[node_text(child)] = ""
    elif kind == "comment":
        return
    else:
        compound(w, node, scope, ctx)


def compound(w: Walker, node: Node, scope: Scope, ctx: Ctx) -> None:
    """Any other construct: walk statements, and substitutions in its words."""
    walked: set[int] = set()  # start bytes of words already expanded
    if node.type == "for_statement":
        if for_each_value(w, node, scope, ctx):
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
            compound(w, child, branches[-1], ctx)
        elif child.type in _STATEMENTS or child.type == "do_group":
            if node.type == "if_statement" and child.start_byte not in conditions:
                if then_scope is None:
                    then_scope = scope.copy()
                    branches.append(then_scope)
                stmt(w, child, then_scope, ctx)
            else:
                stmt(w, child, scope, ctx)
        else:
            substitutions_in(w, child, scope, ctx)
    for branch in branches:
        scope.merge(branch)


def for_each_value(w: Walker, node: Node, scope: Scope, ctx: Ctx) -> bool:
    """``for x in a b; do ...; done`` with a few known values: walk the body once per
    value (each on a copy, merged like a branch). False when the values are unknown."""
    var = node.child_by_field_name("variable")
    body = node.child_by_field_name("body")
    values = node.children_by_field_name("value")
    if var is None or body is None or not values:
        return False
    fields, unknown = expand_words(w, [[v] for v in values], scope, ctx)
    if unknown or any(f[1] for f in fields) or len(fields) > _MAX_LOOP_VALUES:
        return False
    name = node_text(var)
    if name not in node_text(body):
        return False  # the body does not use the variable: walk it once
    for value, _ in fields:
        branch = scope.copy()
        branch.vars[name] = value
        stmt(w, body, branch, ctx)
        scope.merge(branch)
    return True


def chain(w: Walker, node: Node, scope: Scope, ctx: Ctx) -> None:
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
    stmt(w, cur, scope, ctx)
    for right in reversed(rights):
        stmt(w, right, scope, ctx)


def pipeline(w: Walker, elements: list[Node], scope: Scope, ctx: Ctx, first: int = -1) -> None:
    """Walk a pipeline's elements, each in its own subshell, then link the programs."""
    w.pipe_ids += 1
    pid = w.pipe_ids
    start = len(w.commands) if first < 0 else first
    offset = 0 if first < 0 else 1
    for i, element in enumerate(elements):
        if element.type == "comment":
            continue
        sub = Ctx(ctx.via, ctx.depth, (*ctx.pipes, (pid, i + offset)))
        stmt(w, element, scope.copy(), sub)
    if first >= 0:
        for k in range(first, len(w.commands)):
            # The heredoc'd command before "| sh" is the pipeline's first element.
            if w.pipes[k] == ctx.pipes:
                w.pipes[k] = (*ctx.pipes, (pid, 0))
    link_pipeline(w, pid, start, scope, ctx)


def link_pipeline(w: Walker, pid: int, start: int, scope: Scope, ctx: Ctx) -> None:
    """Set ``piped_from``/``piped_to`` of pipeline ``pid``'s commands and look for what
    flows into shells (downloads, decoded data, network tools)."""
    members: dict[int, list[int]] = {}
    for k in range(start, len(w.commands)):
        for p, slot in w.pipes[k]:
            if p == pid:
                members.setdefault(slot, []).append(k)
    slots = sorted(members)
    for slot in slots:
        before = [w.commands[k].program for s in slots if s < slot for k in members[s]]
        after = [w.commands[k].program for s in slots if s > slot for k in members[s]]
        for k in members[slot]:
            cmd = w.commands[k]
            cmd.piped_from = (*cmd.piped_from, *before)
            cmd.piped_to = (*cmd.piped_to, *after)
    for pos, slot in enumerate(slots[1:], 1):
        feeders = [w.commands[j] for j in members[slots[pos - 1]]]
        upstream = [w.commands[j] for s in slots[:pos] for j in members[s]]
        for k in members[slot]:
            pipes.piped_files(w, w.commands[k], feeders, scope)
            if w.commands[k].flags >= simple_command.INPUT_NAMES and not all(
                pipes.lists_names(c) for c in upstream
            ):
                w.commands[k].flags = w.commands[k].flags - simple_command.INPUT_NAMES
            if w.commands[k].flags >= simple_command.LISTED_NAMES:
                pipes.listed_names(w, w.commands[k], upstream, scope)
            if len(feeders) == 1:
                fed_wrapper(w, w.commands[k], feeders[0], scope, ctx)
    cmds = [w.commands[k] for s in slots for k in members[s]]
    shell_in_pipe = any(detect.is_shell(c.program) for c in cmds)
    net_in_pipe = any(detect.networked(c) for c in cmds)
    for slot in slots:
        for k in members[slot]:
            if shell_in_pipe and net_in_pipe and detect.networked(w.commands[k]):
                w.finding(REVERSE_SHELL, "a shell and a network tool in one pipeline", k)
            if k in w.reads_program:
                from . import code_text  # only for a program reading code from the pipe

                code_text.piped_program(w, k, [members[s] for s in slots if s < slot], scope, ctx)


def fed_wrapper(w: Walker, cmd: Command, feeder: Command, scope: Scope, ctx: Ctx) -> None:
    """``printf 'reset --hard' | xargs git``, ``echo 'rm -rf /' | parallel``: text printed
    literally into xargs or parallel becomes arguments or commands; walk the command lines
    they make with it (the command as walked before got unknown arguments)."""
    if cmd.program not in ("xargs", "parallel") or cmd.dynamic or cmd.via:
        return
    text = detect.printed(feeder)
    if text is None:
        return
    fields = [(a, False) for a in cmd.argv]
    for line in wrappers.with_input(cmd.program, fields, text):
        source(w, line, scope.copy(), ctx.nested(f"{feeder.program} | {cmd.program}"))


def command(
    w: Walker,
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
        elif child.type in redirections.REDIRECT_NODES:
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
    shown_assignments = tuple(assign(w, a, env_scope, ctx) for a in assignments)
    before_redirects = len(w.commands)
    redirects, stdin, redirect_args = collect_redirects(w, redirect_nodes, scope, ctx)
    # "bash < <(curl ..)": what a stdin redirect's substitution produces is the script.
    stdin_feed: tuple[int, int] | None = None
    if len(w.commands) > before_redirects and any(r.op == "<" for r in redirects):
        stdin_feed = (before_redirects, len(w.commands))
    # "curl x > >(sh)": commands in an output process substitution read this one's output.
    out_fed = range(before_redirects, len(w.commands))
    words.extend(redirect_args)
    words.sort(key=lambda n: n.start_byte)
    groups = syntax.join_continued(words)
    fields: list[Field] = []
    unknown = False
    word_ranges: list[tuple[int, int, int]] = []  # (first field, first cmd, end cmd)
    # argument index -> known text before the unknown part of a one-field word
    leads: dict[int, str] = {}
    for group in groups:
        before = len(w.commands)
        toks = tokens(w, group, scope, ctx)
        got, unk = expand(toks, w.home, scope.lookup("IFS"))
        if fields and len(got) == 1 and got[0][1] and not unk:
            lead = static_lead(toks)
            if lead is not None and got[0][0].startswith(lead):
                leads[len(fields) - 1] = lead
        word_ranges.append((len(fields), before, len(w.commands)))
        fields.extend(got)
        unknown = unknown or unk
        if len(fields) > _MAX_WORDS:  # brace expansion can multiply words
            raise Limit(f"more than {_MAX_WORDS} words in one command")
    fields.extend((word, False) for word in (extra_words or []) + gap)
    text = clip_text(node_text(node))
    if not fields:
        if assignments:
            for a in assignments:
                assign(w, a, scope, ctx)
        redirections.bare_redirection(w, redirects, text, ctx)  # "x=; $x > f"
        return
    subst = _substitution_ranges(word_ranges)
    name_plain = (
        name_node is not None
        and name_node.named_child_count == 1
        and (name_node.named_children[0].type == "word")
    )
    head = fields[0][0]
    if name_plain and head in scope.aliases and head not in w.alias_stack:
        rest = (node.text or b"")[name_node.end_byte - node.start_byte :] if name_node else b""
        expand_alias(w, head, rest.decode("utf-8", "surrogateescape"), scope, ctx)
        return
    k = len(w.commands)
    simple_command.run(
        w,
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
        leads=leads,
    )
    if k < len(w.commands) and any(r.writes for r in redirects):
        for j in out_fed:
            if j in w.reads_program and w.commands[j].via[-1:] == (">()",):
                from . import code_text  # only for a program reading code from a >(...)

                code_text.piped_program(w, j, [[k, *range(k + 1, len(w.commands))]], scope, ctx)


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
            fields, unknown = expand_words(w, [list(node.named_children)], scope, ctx)
            stdin = " ".join(f[0] for f in fields) + "\n"
            if unknown or any(f[1] for f in fields):
                w.dynamic_texts.add(stdin)
            out.append(Redirect("<<<", None, False))
        else:
            dests = node.children_by_field_name("destination")
            op = syntax.operator(node, ">")
            if not dests:
                out.append(Redirect(op, None, op in redirections.WRITE_OPS))
                continue
            args.extend(d for d in dests[1:] if not (d.type == "number" and d.end_byte in starts))
            fields, unknown = expand_words(w, [[dests[0]]], scope, ctx)
            target = fields[0] if len(fields) == 1 and not unknown else None
            if op in (">&", "<&") and target and (target[0].isdigit() or target[0] == "-"):
                out.append(Redirect(op, None, False))  # fd duplication, not a file
                continue
            writes = op in redirections.WRITE_OPS
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
    cursor = body.start_byte
    raw = body.text or b""
    for child in body.named_children:
        lead = raw[cursor - body.start_byte : child.start_byte - body.start_byte]
        parts.append(_backticks(w, lead.decode("utf-8", "surrogateescape"), scope, ctx))
        if child.type == "heredoc_content":
            parts.append(_backticks(w, node_text(child), scope, ctx))
        else:
            toks = tokens(w, [child], scope, ctx)
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
            source(w, inner, scope.copy(), ctx.nested("``"))
            i = end + 1
            continue
        i += 1
    return text


def bare_statement(
    w: Walker, nodes: list[Node], node: Node, scope: Scope, ctx: Ctx, extra: Sequence[str] = ()
) -> None:
    """A statement of redirections only (``> /dev/sda``, ``$(< f)``)."""
    redirects, _stdin, args = collect_redirects(w, nodes, scope, ctx)
    words = [*extra, *(node_text(a) for a in args)]
    if words:  # bash would run them as a command; the parser saw none: fail closed
        raise Unparseable(f"unexpected words: {' '.join(words)}")
    redirections.bare_redirection(w, redirects, clip_text(node_text(node)), ctx)


def compound_redirects(
    w: Walker, redirects: list[Node], first: int, scope: Scope, ctx: Ctx
) -> None:
    """``{ a; b; } > f``: the redirect applies to every command inside."""
    got, _stdin, _args = collect_redirects(w, redirects, scope, ctx)
    for k in range(first, len(w.commands)):
        cmd = w.commands[k]
        cmd.redirects = (*cmd.redirects, *got)
        cmd.paths = dedupe((*cmd.paths, *(r.target for r in got if r.target)))
    redirections.redirect_findings(w, got, None)


def _substitution_ranges(word_ranges: list[tuple[int, int, int]]) -> dict[int, tuple[int, int]]:
    """Argument index -> commands emitted while expanding that word (its substitutions)."""
    out: dict[int, tuple[int, int]] = {}
    for first_field, start, end in word_ranges:
        if end > start and first_field >= 1:
            out[first_field - 1] = (start, end)
    return out


def redirected(w: Walker, node: Node, scope: Scope, ctx: Ctx) -> None:
    """A statement with redirects (and, for heredocs, whatever the parser hung on them)."""
    body = node.child_by_field_name("body")
    redirects = [c for c in node.named_children if c.type in redirections.REDIRECT_NODES]
    extra = syntax.gap_words(node, [c for c in node.children if c.type != "comment"])
    # tree-sitter-bash hangs "| sh" or "&& rm" after a heredoc inside the redirect node.
    trailing = [
        c
        for r in redirects
        if r.type == "heredoc_redirect"
        for c in r.named_children
        if c.type in _STATEMENTS
    ]
    first = len(w.commands)
    if body is None:
        bare_statement(w, redirects, node, scope, ctx, extra)
    elif body.type == "command":
        command(w, body, redirects, scope, ctx, extra_words=extra)
    else:
        if extra:
            raise Unparseable(f"unexpected words: {' '.join(extra)}")
        stmt(w, body, scope, ctx)
        compound_redirects(w, redirects, first, scope, ctx)
    for t in trailing:
        if t.type == "pipeline":
            pipeline(w, list(t.named_children), scope, ctx, first=first)
        else:
            stmt(w, t, scope, ctx)


def assign(w: Walker, node: Node, scope: Scope, ctx: Ctx) -> str:
    """Apply ``NAME=value`` to ``scope``; return it as text."""
    name_node = node.child_by_field_name("name")
    value_node = node.child_by_field_name("value")
    name = node_text(name_node) if name_node is not None else ""
    value: str | None = ""
    if value_node is not None:
        toks = tokens(w, [value_node], scope, ctx)
        text, dynamic = literal_text(toks)
        if value_node.type == "array":
            dynamic = True
        if text.startswith("~/") or text == "~":
            text = w.home + text[1:]
        value = None if dynamic else text
    append = any(c.type == "+=" for c in node.children)
    if name:
        old = scope.lookup(name) if append else ""
        scope.vars[name] = None if value is None or old is None else old + value
    shown = value if value is not None else node_text(value_node) if value_node else ""
    return f"{name}={shown}"


def script_assignment(w: Walker, shown: str, node: Node, ctx: Ctx) -> None:
    """A bare ``NAME=value`` in a script read from disk: listed as the no-op ``:`` with that
    assignment, so that rules see what the script sets for the commands after it (a variable
    the environment already holds, PATH or LD_LIBRARY_PATH, reaches them without ``export``).
    On the call's own line the rules read the text itself."""
    cmd = Command(":", "", (), via=ctx.via, text=clip_text(node_text(node)))
    w.add(cmd, ctx, (shown,))


def declaration(w: Walker, node: Node, scope: Scope, ctx: Ctx) -> None:
    """``export``/``declare``/``local``/``readonly``: assignments, and a command for rules."""
    keyword = node.children[0].type if node.children else "declare"
    argv: list[str] = []
    for child in node.named_children:
        if child.type == "variable_assignment":
            argv.append(assign(w, child, scope, ctx))
        else:
            fields, _ = expand_words(w, [[child]], scope, ctx)
            argv.extend(f[0] for f in fields)
    w.add(Command(keyword, keyword, tuple(argv), text=clip_text(node_text(node)), via=ctx.via), ctx)


def tokens(w: Walker, nodes: list[Node], scope: Scope, ctx: Ctx) -> list[Token]:
    """The tokens of one word (its nodes), then the substitutions in it walked, in the order
    bash runs them (their output is unknown: walking them after reading the word changes
    nothing it reads)."""
    ws = WordScope(scope.lookup, w.home)
    toks = tokens_of(nodes, ws)
    for node, label in ws.substitutions:
        inner = ctx.nested(label)
        if inner.depth > w.max_depth:
            raise Limit(f"nested deeper than {w.max_depth} levels")
        block(w, node, scope.copy(), inner)
    return toks


def expand_words(
    w: Walker, words: list[list[Node]], scope: Scope, ctx: Ctx
) -> tuple[list[Field], bool]:
    """Fields of several words; also whether their number is unknown."""
    out: list[Field] = []
    unknown = False
    for nodes in words:
        fields, unk = expand(tokens(w, nodes, scope, ctx), w.home, scope.lookup("IFS"))
        out.extend(fields)
        unknown = unknown or unk
    return out, unknown


def substitutions_in(w: Walker, node: Node, scope: Scope, ctx: Ctx) -> None:
    """Walk the substitutions inside any word-like node."""
    tokens(w, [node], scope, ctx)


def define_function(w: Walker, node: Node, scope: Scope) -> None:
    """Remember a function (its body runs when called); report fork bombs."""
    name_node = node.child_by_field_name("name")
    body = node.child_by_field_name("body")
    if name_node is None or body is None:
        return
    name = node_text(name_node)
    scope.funcs[name] = body
    w.defined.append((name, body, scope))
    if w.sources and w.sources[-1] is not None:
        w.func_origin[id(body)] = w.sources[-1]  # its commands' origin when called later
    if detect.self_calls(body, name) >= 2 or (
        detect.self_calls(body, name) and detect.backgrounds(body)
    ):
        w.finding(
            FORK_BOMB, f"function {name!r} calls itself repeatedly: " + clip_text(node_text(node))
        )


def call_function(w: Walker, name: str, args: list[Field], scope: Scope, ctx: Ctx) -> None:
    """Walk a function's body with the call's arguments as ``$1``..."""
    w.called.add(id(scope.funcs[name]))
    if name in w.call_stack:
        return  # recursion: its body is already being walked
    saved = scope.positional
    scope.positional = None if any(f[1] for f in args) else [f[0] for f in args]
    w.call_stack.append(name)
    body = scope.funcs[name]
    w.sources.append(w.func_origin.get(id(body)))
    where = w.where
    try:
        stmt(w, body, scope, ctx.nested(f"{name}()", keep_pipes=True))
    finally:
        w.call_stack.pop()
        w.sources.pop()
        w.where = where
        scope.positional = saved


def uncalled_functions(w: Walker, ctx: Ctx) -> None:
    """Bodies of functions never called on the line may still run (a trap, a name built
    at run time): list their commands too rather than guess."""
    for name, body, scope in w.defined:  # grows while walking: bodies define more
        if id(body) in w.called:
            continue
        w.called.add(id(body))
        w.call_stack.append(name)
        w.sources.append(w.func_origin.get(id(body)))
        try:
            stmt(w, body, scope.copy(), ctx.nested(f"{name}() (defined)"))
        finally:
            w.call_stack.pop()
            w.sources.pop()
            w.where = None


def expand_alias(w: Walker, name: str, rest: str, scope: Scope, ctx: Ctx) -> None:
    """Run alias ``name`` defined on the line: its text followed by the rest of the command
    (``rest``, as written) is walked as source in this shell."""
    w.alias_stack.append(name)
    try:
        source(
            w,
            scope.aliases[name] + rest,
            scope,
            ctx.nested(f"alias {name}", keep_pipes=True),
        )
    finally:
        w.alias_stack.pop()
