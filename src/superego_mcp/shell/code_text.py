"""Code given as text: what shells and interpreters run from ``-c``, a script, stdin
(heredoc, herestring, a pipe) or a substitution; ``eval``/``source`` text; commands in
environment variables and git configuration; and downloaded or decoded data that ends up
run. Shell code is analyzed recursively; Python and JavaScript code is read by
:mod:`superego_mcp.lang` (what it does becomes commands with origin "python -c:LINE" or
"FILE:LINE"); other interpreters' code becomes a finding.
"""

from __future__ import annotations

# shell.scripts is imported where a script is read: most commands read none (hook path).
from . import astral, detect
from .model import (
    CODE_EXECUTION,
    CODE_PARTIAL,
    CODE_READ,
    DECODE_TO_SHELL,
    DOWNLOAD_TO_SHELL,
    DYNAMIC_PROGRAM,
    Command,
)
from .state import clip_text, code_detail, dedupe

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Sequence

    from . import flags
    from .state import Ctx, Scope, Walker
    from .words import Field

# Environment variables holding a command line that programs run through a shell.
_COMMAND_VARIABLES = frozenset(
    {
        "GIT_SSH_COMMAND",
        "GIT_SSH",
        "GIT_PROXY_COMMAND",
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
# The flag of a shell whose program, read from its input (a heredoc, a herestring, a
# literal echo/printf piped in), was walked as the line's own commands.
STDIN_CODE = frozenset({"stdin-code"})


def piped_program(w: Walker, k: int, upstream: list[list[int]], scope: Scope, ctx: Ctx) -> None:
    """A shell or interpreter reading its program from a pipe: what feeds it?"""
    cmd = w.commands[k]
    feeders = [w.commands[j] for group in upstream for j in group]
    if any(f.program in detect.DOWNLOADERS for f in feeders):
        w.finding(DOWNLOAD_TO_SHELL, f"downloaded code piped into {cmd.program}", k)
    if any(detect.decodes(f) for f in feeders):
        w.finding(DECODE_TO_SHELL, f"decoded data piped into {cmd.program}", k)
    if not upstream or len(upstream[-1]) != 1:
        return
    j = upstream[-1][0]
    feeder = w.commands[j]
    text: str | None = None
    if feeder.program in ("echo", "printf"):
        text = detect.echoed(feeder)
    elif feeder.program == "cat" and not feeder.positionals and j in w.stdin_text:
        text = w.stdin_text[j]
    elif feeder.program == "cat" and len(feeder.positionals) == 1 and feeder.paths:
        # "cat x.sh | bash": the shell's program is the file
        if cmd.program in detect.SH_FAMILY and not feeder.dynamic:
            from . import scripts

            scripts.shell_file(w, k, (feeder.paths[0],), [], scope, ctx)
        return
    if text is not None:
        if detect.is_shell(cmd.program):
            cmd.flags = cmd.flags | STDIN_CODE
            w.walk.source(w, text, scope.copy(), ctx.nested(f"{feeder.program} | {cmd.program}"))
        else:
            inline_code(w, k, text, f"{feeder.program} | {cmd.program}", scope, ctx)


def code_runner(
    w: Walker,
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
    cmd = w.commands[k]
    argv = list(cmd.argv)
    src = detect.code_source(family, argv)
    script = [] if src.script is None else w.path_forms(argv[src.script], env_scope)
    # The script's own arguments that name files by absolute or home path are the
    # command's paths too (`node tool.js ~/.ssh/id_rsa` hands the key to the script);
    # relative words stay out (a script's arguments are mostly not files).
    given: list[str] = []
    if src.script is not None:
        for text, dynamic in args[src.script + 1 :]:
            if not dynamic and text.startswith(("/", "~")):
                given.extend(w.path_forms(text, env_scope))
    # `node -r ./hook.js`, `--import ./x.mjs`: a file given by path that it loads first
    preloaded = [f for p in detect.preloads(family, argv) for f in w.path_forms(p, env_scope)]
    redirected = (r.target for r in cmd.redirects if r.target)
    cmd.paths = dedupe((*script, *given, *preloaded, *redirected))
    cmd.runs = dedupe((*cmd.runs, *script, *preloaded))
    if family == "deno" and cmd.subcommand == "eval" and cmd.positionals:
        inline_code(w, k, cmd.positionals[0], "deno eval", env_scope, ctx, dynamic=cmd.dynamic)
        return
    if family == "python" and "-m" in argv[: src.script or len(argv)]:
        m = argv.index("-m")
        if m + 1 < len(argv) and not args[m + 1][1]:
            # The module, when it is the cwd's own (python looks there first).
            module = argv[m + 1].replace(".", "/")
            cmd.runs = dedupe(
                (
                    *cmd.runs,
                    *w.path_forms(module + ".py", env_scope),
                    *w.path_forms(module + "/__main__.py", env_scope),
                )
            )
            module_file(w, k, argv[m + 1], env_scope, ctx)
        if m + 1 < len(argv):
            w.walk.run(
                w,
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
        feed_check(w, k, [subst.get(index)])
        if shell:
            inner = env_scope.copy()
            dyn = args[index][1] if index < len(args) else False
            if dyn:
                w.finding(DYNAMIC_PROGRAM, f"{cmd.program} -c of text only known at run time", k)
            rest = args[src.rest :]
            # xargs/parallel add arguments at run time (the command is dynamic): unknown
            appended = cmd.dynamic and any("xargs" in v or "parallel" in v for v in cmd.via)
            unknown = appended or any(f[1] for f in rest)
            inner.positional = None if unknown else [f[0] for f in rest[1:]]
            inner.vars["0"] = None if not rest or rest[0][1] else rest[0][0]
            w.walk.source(w, src.code, inner, ctx.nested(f"{cmd.program} -c"))
        else:
            flag = argv[index - 1] if 0 < index <= len(argv) else "-c"
            if index < len(argv) and argv[index].startswith("--") and "=" in argv[index]:
                flag = argv[index].partition("=")[0]  # node --eval=CODE
            flag = flag if flag.startswith("-") and len(flag) <= 8 else "-c"
            dynamic = args[index][1] if index < len(args) else True
            inline_code(w, k, src.code, f"{cmd.program} {flag}", env_scope, ctx, dynamic=dynamic)
        return
    if src.script is not None:
        feed_check(w, k, [subst.get(src.script)], (env_scope, ctx, shell))
        downloaded_check(w, k, script)
        if shell and cmd.program in detect.SH_FAMILY and not args[src.script][1]:
            from . import scripts

            scripts.shell_file(w, k, tuple(script), args[src.script + 1 :], env_scope, ctx)
        elif not shell and not args[src.script][1]:
            index = src.script
            if family in ("deno", "bun") and argv[index] == "run":
                # deno run [flags] FILE, bun run FILE (bun run SCRIPT is package.json's)
                index = next((i for i in range(index + 1, len(argv)) if argv[i][:1] != "-"), -1)
                script = [] if index < 0 or args[index][1] else w.path_forms(argv[index], env_scope)
            script_file(w, k, family, tuple(script), env_scope, ctx)
        return
    # Reads its program from stdin: a heredoc / herestring, or a pipe.
    if stdin is not None:
        if shell:
            inner = env_scope.copy()
            cmd.flags = cmd.flags | STDIN_CODE
            w.walk.source(w, stdin, inner, ctx.nested(f"{cmd.program} <<"))
        else:
            dynamic = stdin in w.dynamic_texts
            inline_code(w, k, stdin, f"{cmd.program} <<", env_scope, ctx, dynamic=dynamic)
        return
    w.reads_program.add(k)
    feed_check(w, k, [w.stdin_feed.get(k)], (env_scope, ctx, shell))
    # "bash < deploy.sh": the shell's program is a file on disk.
    from_file = [r.target for r in cmd.redirects if r.op == "<" and r.target]
    if shell and cmd.program in detect.SH_FAMILY and from_file and k not in w.stdin_feed:
        from . import scripts

        scripts.shell_file(w, k, (from_file[-1],), [], env_scope, ctx)


def download_targets(w: Walker, cmd: Command, parsed: flags.ParsedArgs, scope: Scope) -> list[str]:
    """Files a downloader writes: ``-o``/``-O FILE``, redirects, or the URL's name."""
    out = [r.target for r in cmd.redirects if r.target and r.writes]
    for name, value in parsed.option_values:
        if name in ("-o", "--output", "-O", "--output-document") and value != "-":
            out.extend(w.path_forms(value, scope))
    names_from_url = (cmd.program == "wget" and not parsed.option_values) or (
        "remote-name" in cmd.flags
    )
    for word in cmd.positionals if names_from_url else ():
        if "://" in word:
            name = word.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            out.extend(w.path_forms(name, scope) if name and "/" not in name else ())
    return out


def downloaded_check(w: Walker, k: int, forms: Sequence[str]) -> None:
    """Running, or feeding to a shell, a file downloaded earlier on the line."""
    if w.downloaded.intersection(forms):
        cmd = w.commands[k]
        w.finding(DOWNLOAD_TO_SHELL, f"{cmd.program} runs a file downloaded on this line", k)


def command_variables(
    w: Walker, k: int, assignments: tuple[str, ...], scope: Scope, ctx: Ctx
) -> None:
    """Environment variables whose value is a command the program may run
    (``GIT_SSH_COMMAND='...' git fetch``, ``PAGER=...``) or a file bash sources."""
    for text in assignments:
        name, _, value = text.partition("=")
        if name in _COMMAND_VARIABLES and value:
            w.walk.source(w, value, scope.copy(), ctx.nested(f"${name}"))
        elif name in ("BASH_ENV", "ENV") and value:
            forms = w.path_forms(value, scope)
            src = Command(
                "source",
                "source",
                (value,),
                positionals=(value,),
                paths=forms,
                via=(*ctx.via, f"${name}"),
                text=w.commands[k].text,
            )
            w.add(src, ctx)


def pager_option(w: Walker, k: int, scope: Scope, ctx: Ctx) -> None:
    """``bat --pager='less -R'``: the pager is a command line bat runs when it pages (as
    ``PAGER=`` is for other programs)."""
    cmd = w.commands[k]
    argv = list(cmd.argv)
    for i, word in enumerate(argv):
        if word == "--":
            return
        name, eq, value = word.partition("=")
        if name == "--pager":
            text = value if eq else (argv[i + 1] if i + 1 < len(argv) else "")
            if text:
                w.walk.source(w, text, scope.copy(), ctx.nested(f"{cmd.program} --pager"))


def feed_check(
    w: Walker,
    k: int,
    ranges: list[tuple[int, int] | None],
    reads: tuple[Scope, Ctx, bool] | None = None,
) -> None:
    """Code taken from a substitution (``sh -c "$(curl ..)"``, ``bash <(curl ..)``).

    With ``reads`` (scope, ctx, is a shell), a file fed by a single ``echo``/``printf``
    (``bash <(echo 'rm -rf /')``) is read as the program it is."""
    cmd = w.commands[k]
    for r in ranges:
        if r is None:
            continue
        fed = w.commands[r[0] : r[1]]
        if reads is not None and len(fed) == 1 and fed[0].program in ("echo", "printf"):
            text = detect.echoed(fed[0])
            if text is not None and reads[2]:
                w.walk.source(w, text, reads[0].copy(), reads[1].nested(f"{cmd.program} <()"))
            elif text is not None:
                inline_code(w, k, text, f"{cmd.program} <()", reads[0], reads[1])
        if any(c.program in detect.DOWNLOADERS for c in fed):
            w.finding(DOWNLOAD_TO_SHELL, f"downloaded code run by {cmd.program}", k)
        if any(detect.decodes(c) for c in fed):
            w.finding(DECODE_TO_SHELL, f"decoded data run by {cmd.program}", k)


def inline_code(
    w: Walker, k: int, code: str, label: str, scope: Scope, ctx: Ctx, *, dynamic: bool = False
) -> None:
    """Code given to interpreter ``k`` as text (``-c``/``-e``, a heredoc, a pipe): Python
    and JavaScript are read (:func:`foreign_code`), ``code_read`` when completely;
    anything else, code not followed everywhere, or code with parts the shell fills in at
    run time (``python3 -c "open('$f')"``, an unquoted heredoc's ``$x``) is
    ``code_execution`` as before."""
    cmd = w.commands[k]
    family = detect.interpreter(cmd.program)
    if family == "perl" and not dynamic and not cmd.dynamic:
        from superego_mcp.lang.perl import substitutions_only

        if substitutions_only(cmd.argv, code):
            # perl as sed (only s///, tr///): no code of its own; the files it reads or
            # edits in place are its paths, judged like sed's.
            files = (f for p in cmd.positionals for f in w.path_forms(p, scope))
            cmd.paths = dedupe((*cmd.paths, *files))
            return
    # words added at run time (xargs) are options to perl and ruby unless `--` ends them
    if family in ("perl", "ruby") and not dynamic and (not cmd.dynamic or "--" in cmd.argv):
        from superego_mcp.lang.printing import loaded, prints_only

        if prints_only(family, cmd.argv, code, stdin=code not in cmd.argv):
            # only prints constants or exits (`perl -e 'print 1'`): read completely; the
            # libraries it loads are the project's or installed ones (`ruby -Ilib -rapp`),
            # and a library given as a path is a file it runs (`ruby -r ./x.rb`)
            lib_files, lib_dirs = loaded(family or "", cmd.argv)
            ran = tuple(f for p in lib_files for f in w.path_forms(p, scope))
            cmd.runs = dedupe((*cmd.runs, *ran))
            cmd.paths = dedupe(
                (*cmd.paths, *ran, *(f for d in lib_dirs for f in w.path_forms(d, scope)))
            )
            w.finding(CODE_READ, code_detail(cmd.program, astral.decode(code)), k)
            return
    from superego_mcp.lang import FAMILIES

    language = FAMILIES.get(family or "")
    if language is None:
        w.finding(CODE_EXECUTION, code_detail(cmd.program, code), k)
        return
    where = f"{w.where} {label}" if w.where else label
    gap = foreign_code(w, code, language, where, 0, scope, ctx.nested(label))
    if dynamic:
        gap = "the shell fills in parts of the code at run time"
    if gap:
        detail = clip_text(f"{cmd.program}: not followed ({gap}): {astral.decode(code)}", 200)
        w.finding(CODE_EXECUTION, detail, k)
    else:
        w.finding(CODE_READ, code_detail(cmd.program, astral.decode(code)), k)


def code_file(
    w: Walker, k: int, path: str, text: str, language: str, scope: Scope, ctx: Ctx
) -> None:
    """A Python / JavaScript file command ``k`` runs, read from disk: what it does becomes
    commands with origin "FILE:LINE"; what could not be followed is ``code_partial``."""
    cmd = w.commands[k]
    name = path.rsplit("/", 1)[-1]
    gap = foreign_code(w, text, language, path, 0, scope, ctx.nested(f"{cmd.program} {name}"))
    if gap:
        w.finding(CODE_PARTIAL, clip_text(f"{path}: not followed at {gap}", 200), k)


def foreign_code(
    w: Walker, code: str, language: str, origin: str, offset: int, scope: Scope, ctx: Ctx
) -> str:
    """Read ``code`` in ``language`` and walk each of its effects as shell, with origin
    ``origin:LINE``; return the first gap ("line N: why"), or "" when fully analysed."""
    from superego_mcp.lang import read_code

    report = read_code(language, astral.decode(code))
    for effect in report.effects:
        text = effect.shell
        if astral.needs_encoding(text):
            if astral.ambiguous(text):
                from .state import Unparseable

                raise Unparseable(f"{origin}:{effect.line} mixes astral and private-use characters")
            text = astral.encode(text)
            w.encoded = True
        w.walk.source(w, text, scope.copy(), ctx, (astral.encode(origin), offset + effect.line))
    return report.first_gap()


def script_file(
    w: Walker, k: int, family: str, forms: tuple[str, ...], scope: Scope, ctx: Ctx
) -> None:
    """``python x.py`` / ``node x.js`` / ``bun x.ts`` / ``deno run x.ts`` / ``tsx x.ts``: the
    file is read in the interpreter's language (Python; JavaScript or TypeScript by the
    file's ending) when it is one Superego reads."""
    from superego_mcp.lang import FAMILIES, language_of

    language = FAMILIES.get(family)
    if language is None or not forms:
        return
    if language != "python":
        language = language_of(forms[0]) or language
    from . import scripts

    got = scripts.read(w, k, forms, what="script", unread=CODE_PARTIAL)
    if got is not None:
        code_file(w, k, got[0], got[1], language, scope, ctx)


def module_file(w: Walker, k: int, module: str, scope: Scope, ctx: Ctx) -> None:
    """``python -m pkg.mod``: when the module is a file under the working directory (the
    first place Python looks) or its ``src/`` (a src-layout project installed editable), it
    is read like ``python pkg/mod.py``."""
    parts = module.split(".")
    if scope.cwd is None or not all(p.isidentifier() for p in parts):
        return
    base = "/".join(parts)
    candidates = (base + ".py", base + "/__main__.py")
    from . import scripts

    for rel in (*candidates, *("src/" + c for c in candidates)):
        forms = w.path_forms(rel, scope)
        if forms and scripts.exists(forms[0]):
            script_file(w, k, "python", forms, scope, ctx)
            return


def ts_runner(w: Walker, k: int, scope: Scope, ctx: Ctx) -> None:
    """``tsx x.ts`` / ``ts-node x.ts``: the file they run (their first operand), read as
    TypeScript (or JavaScript, by its ending)."""
    cmd = w.commands[k]
    if cmd.dynamic or not cmd.positionals:
        return
    first = cmd.positionals[0]
    if cmd.program == "tsx" and first in ("watch", "--"):
        rest = cmd.positionals[1:]
        if not rest:
            return
        first = rest[0]
    script_file(
        w, k, "tsx" if cmd.program == "tsx" else "ts-node", w.path_forms(first, scope), scope, ctx
    )
