"""Compiled conditions: the nodes a rule's ``conditions`` mapping becomes.

Each node has ``test(unit, ctx) -> bool``. A *unit* is what one rule decision is about: one
shell command of a Bash call, or a whole non-shell tool call (see ``engine``).
"""

from __future__ import annotations

from superego_mcp import observe
from superego_mcp.lazyre import LazyPattern

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any

    from superego_mcp.model import ToolCall
    from superego_mcp.policy.matchers import JsonPath, NameMatcher, PathSet, ValueMatcher
    from superego_mcp.policy.urls import URL
    from superego_mcp.shell.model import Command


class Context:
    """What every unit of one call shares: the call, its cwd, project root, home, the temp
    dirs, the time, and Superego's own files in effect (``${superego}``).

    ``roots`` is what path globs' variables stand for: ``home`` (this call's home),
    ``project``, ``tmp``; and what they leave out: ``not-tmp``, the project and home when
    they lie strictly inside a temp directory (they keep their own protections), and
    ``not-project``, the home when it lies strictly inside the project (an agent started in
    ``/`` or ``/tmp`` does not make the home project files). ``commands``: every command
    of the call's line (set once analysed; ``git:`` looks at the others of a deletion).
    """

    __slots__ = ("call", "commands", "cwd", "home", "now", "project", "roots")

    def __init__(
        self,
        call: ToolCall,
        cwd: tuple[str, ...],
        home: str,
        tmp: tuple[str, ...],
        now: datetime | None,
        project: tuple[str, ...] | None = None,
        protected: tuple[str, ...] = (),
    ) -> None:
        self.call = call
        self.commands: tuple[Command, ...] = ()
        self.cwd = cwd[0]  # lexical form; cwd[1], if any, is the symlink-resolved one
        self.home = home
        self.now = now
        # Without a project root (an old caller), the cwd stands for it.
        project = project or cwd
        self.project = project[0]
        self.roots = {
            "home": (home,),
            "project": project,
            "tmp": tmp,
            "not-tmp": _inside(tmp, (*project, home)),
            "not-project": _inside(project, (home,)),
            "superego": protected,
        }


def _inside(bases: tuple[str, ...], dirs: tuple[str, ...]) -> tuple[str, ...]:
    """The ``dirs`` that lie strictly below one of ``bases``."""
    return tuple(
        d.rstrip("/")
        for d in dirs
        if any(d.rstrip("/").startswith(b.rstrip("/") + "/") for b in bases)
    )


class Unit:
    """One thing a rule decides: a shell command (``command``), the findings of a Bash call not
    tied to a command (``command is None`` and ``shell``), or a non-shell call. ``details``
    says more about some findings (a reason's ``{details}``: the session write a command
    runs)."""

    __slots__ = (
        "command",
        "details",
        "dynamic",
        "findings",
        "git_loss",
        "label",
        "paths",
        "shell",
        "urls",
    )

    def __init__(
        self,
        *,
        is_shell: bool,
        command: Command | None,
        findings: frozenset[str],
        paths: tuple[str, ...],
        dynamic: bool,
        label: str,
    ) -> None:
        self.shell = is_shell
        self.command = command
        self.findings = findings
        self.paths = paths
        self.dynamic = dynamic
        self.label = label
        self.urls: tuple[URL, ...] | None = None  # parsed on first use (see Url)
        self.details: tuple[str, ...] = ()
        # What git says the command would lose (see Git): False until first asked.
        self.git_loss: str | bool | None = False


class Condition:
    """Base of every compiled condition."""

    __slots__ = ()

    def test(self, unit: Unit, ctx: Context) -> bool:  # pragma: no cover - abstract
        """True when the condition holds for ``unit``."""
        raise NotImplementedError


class AllOf(Condition):
    """Every child holds (a conditions mapping, or ``all: [...]``)."""

    __slots__ = ("children",)

    def __init__(self, children: tuple[Condition, ...]) -> None:
        self.children = children

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when every child holds (true for no children)."""
        return all(c.test(unit, ctx) for c in self.children)


class AnyOf(Condition):
    """Some child holds (``any: [...]``)."""

    __slots__ = ("children",)

    def __init__(self, children: tuple[Condition, ...]) -> None:
        self.children = children

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when at least one child holds."""
        return any(c.test(unit, ctx) for c in self.children)


class Not(Condition):
    """The child does not hold (``not: {...}``)."""

    __slots__ = ("child",)

    def __init__(self, child: Condition) -> None:
        self.child = child

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when the child does not hold."""
        return not self.child.test(unit, ctx)


class Tool(Condition):
    """The tool name matches (``tool:``; 0.0.0 files test it with a value matcher)."""

    __slots__ = ("names",)

    def __init__(self, names: NameMatcher | ValueMatcher) -> None:
        self.names = names

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when the call's tool name, or another agent's own name for it, matches."""
        call = ctx.call
        if self.names.match(call.tool_name):
            return True
        return call.agent_tool is not None and self.names.match(call.agent_tool)


class Param(Condition):
    """A ``tool_input`` field, selected by name or JSONPath, exists (or not) and some selected
    value passes the value tests."""

    __slots__ = ("exists", "matcher", "path")

    def __init__(self, path: JsonPath, matcher: ValueMatcher | None, exists: bool | None) -> None:
        self.path = path
        self.matcher = matcher
        self.exists = exists

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when the selected values satisfy ``exists`` and the value tests."""
        values = self.path.find(ctx.call.tool_input)
        if self.exists is not None and bool(values) != self.exists:
            return False
        if self.matcher is None:
            return True
        matcher = self.matcher
        return any(matcher.match(v) for v in values)


class Paths(Condition):
    """The unit's paths against globs: ``any`` (some path matches), ``all`` (there are paths,
    every one matches, and none is hidden behind a run-time value), ``none`` (no path matches,
    and none is hidden behind a run-time value). ``except`` narrows ``any``: some path matches
    ``any`` and none of ``except`` ("in home but outside the project")."""

    __slots__ = ("all", "any", "except_", "none")

    def __init__(
        self,
        any_: PathSet | None,
        all_: PathSet | None,
        none: PathSet | None,
        except_: PathSet | None = None,
    ) -> None:
        self.any = any_
        self.all = all_
        self.none = none
        self.except_ = except_

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when every given part (any / all / none) holds."""
        roots = ctx.roots
        paths = unit.paths
        if self.any is not None:
            any_, except_ = self.any, self.except_
            if not any(
                any_.match(p, roots) and (except_ is None or not except_.match(p, roots))
                for p in paths
            ):
                return False
        if self.all is not None:
            # An allow rule must never match vacuously, nor on a path it cannot see.
            if not paths or unit.dynamic:
                return False
            if not all(self.all.match(p, roots) for p in paths):
                return False
        # 'none' is a claim about every path too: false when one is hidden.
        none = self.none
        return none is None or not (unit.dynamic or any(none.match(p, roots) for p in paths))


class Cwd(Condition):
    """The call's working directory matches a path glob, or (0.0.0 files) a value test."""

    __slots__ = ("globs", "matcher")

    def __init__(self, globs: PathSet | None, matcher: ValueMatcher | None = None) -> None:
        self.globs = globs
        self.matcher = matcher

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when the cwd matches."""
        if self.matcher is not None:
            return self.matcher.match(ctx.call.cwd)
        return self.globs is not None and self.globs.match(ctx.cwd, ctx.roots)


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TimeWindow(Condition):
    """The current time, in ``timezone``, is in ``[start, end)`` (a window may cross
    midnight) on one of ``days``."""

    __slots__ = ("days", "end", "start", "timezone")

    def __init__(self, start: int, end: int, timezone: str, days: frozenset[int]) -> None:
        self.start = start  # minutes after midnight
        self.end = end
        self.timezone = timezone
        self.days = days  # 0 = Monday

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when the call happens inside the window."""
        # Imported here: only policies with time windows pay for zoneinfo and datetime.
        from datetime import UTC, datetime
        from zoneinfo import ZoneInfo

        now = ctx.now
        if now is None:
            observe.volatile()  # the answer depends on the clock: never remembered
            now = datetime.now(UTC)
        local = now.astimezone(ZoneInfo(self.timezone))
        if local.weekday() not in self.days:
            return False
        minute = local.hour * 60 + local.minute + local.second / 60
        if self.start <= self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end


def parse_days(days: list[str]) -> frozenset[int]:
    """``[mon, tue, ...]`` as weekday numbers; raises ``ValueError`` naming a bad day."""
    out: set[int] = set()
    for d in days:
        key = str(d).lower()[:3]
        if key not in _DAYS:
            raise ValueError(f"bad day {d!r} (expected one of: {', '.join(_DAYS)})")
        out.add(_DAYS.index(key))
    return frozenset(out)


def parse_clock(text: Any) -> int:
    """``"HH:MM"`` as minutes after midnight; raises ``ValueError`` on anything else."""
    if isinstance(text, int) and not isinstance(text, bool):
        # YAML 1.1 reads an unquoted 09:00 as a base-60 number (540).
        text = f"{text // 60:02d}:{text % 60:02d}"
    if not isinstance(text, str):
        raise ValueError(f'bad time {text!r} (expected "HH:MM")')
    hh, sep, mm = text.partition(":")
    if not (sep and hh.isdigit() and mm.isdigit() and len(mm) == 2):
        raise ValueError(f'bad time {text!r} (expected "HH:MM")')
    h, m = int(hh), int(mm)
    if h > 24 or m > 59 or (h == 24 and m):
        raise ValueError(f'bad time {text!r} (expected "HH:MM" between 00:00 and 24:00)')
    return h * 60 + m


class Shell(Condition):
    """Tests on one shell command (``shell:``); false for units that are not shell commands.
    Every given field must hold."""

    __slots__ = (
        "any_flags",
        "args",
        "dynamic",
        "finding",
        "flags",
        "moves_above",
        "piped_from",
        "piped_to",
        "program",
        "program_file",
        "redirect",
        "redirect_outside",
        "script",
        "sets",
        "subcommand",
        "verb",
        "via",
        "writes",
        "writes_outside",
    )

    def __init__(
        self,
        *,
        program: NameMatcher | None = None,
        program_file: PathSet | None = None,
        script: PathSet | None = None,
        subcommand: NameMatcher | None = None,
        flags: dict[str, frozenset[str]] | None = None,
        any_flags: dict[str, tuple[frozenset[str], ...]] | None = None,
        args: ValueMatcher | None = None,
        piped_to: NameMatcher | None = None,
        piped_from: NameMatcher | None = None,
        via: NameMatcher | None = None,
        finding: frozenset[str] | None = None,
        redirect: PathSet | None = None,
        redirect_outside: PathSet | None = None,
        dynamic: bool | None = None,
        verb: frozenset[str] | None = None,
        writes: PathSet | None = None,
        writes_outside: PathSet | None = None,
        moves_above: tuple[str, ...] | None = None,
        sets: ValueMatcher | None = None,
    ) -> None:
        self.program = program
        self.subcommand = subcommand
        # Flags are canonicalized per program when the policy is compiled: program -> set;
        # the key "" holds flags written as canonical names (no leading dash).
        self.flags = flags
        self.any_flags = any_flags
        self.args = args
        self.piped_to = piped_to
        self.piped_from = piped_from
        self.via = via
        self.finding = finding
        self.redirect = redirect
        self.redirect_outside = redirect_outside
        self.dynamic = dynamic
        # "destructive" / "read": what the command's verbs say (shell.verbs)
        self.verb = verb
        self.program_file = program_file
        self.script = script
        # The files the command writes (shell.effects: redirects, tee, cp/mv/ln/install
        # destinations, sed -i, downloads, compiler outputs), not every path it names.
        self.writes = writes
        self.writes_outside = writes_outside
        # Names of roots (``project``, ``home``): the command moves one of them, or a
        # directory above one, away (see :func:`moved_sources`).
        self.moves_above = moves_above
        # ``NAME=VALUE``: some variable the command sets passes it (see set_variables).
        self.sets = sets

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when the unit is a shell command passing every given test."""
        if not unit.shell:
            return False
        if self.finding is not None and not (self.finding & unit.findings):
            return False
        cmd = unit.command
        if cmd is None:
            # A findings-only unit (or an empty command line) has nothing else to test.
            return self.finding is not None and self._only_finding()
        if self.program is not None and not self.program.match(cmd.program):
            return False
        # A program written as a path: every form of it (through symlinks too) must match.
        if self.program_file is not None and not (
            cmd.program_files
            and all(self.program_file.match(p, ctx.roots) for p in cmd.program_files)
        ):
            return False
        if self.script is not None and (
            cmd.script is None or not self.script.match(cmd.script, ctx.roots)
        ):
            return False
        if self.subcommand is not None and (
            cmd.subcommand is None or not self.subcommand.match(cmd.subcommand)
        ):
            return False
        if self.flags is not None:
            need = self.flags.get(cmd.program, self.flags.get("", frozenset()))
            if not need <= cmd.flags:
                return False
        if self.any_flags is not None:
            options = self.any_flags.get(cmd.program, self.any_flags.get("", ()))
            if not any(opt <= cmd.flags for opt in options):
                return False
        if self.args is not None:
            args = self.args
            if not any(args.match(a) for a in cmd.positionals):
                return False
        if self.piped_to is not None and not self.piped_to.match_any(cmd.piped_to):
            return False
        if self.piped_from is not None and not self.piped_from.match_any(cmd.piped_from):
            return False
        if self.via is not None and not self.via.match_any(cmd.via):
            return False
        redirect = self.redirect
        if redirect is not None and not any(
            r.writes and r.target is not None and redirect.match(r.target, ctx.roots)
            for r in cmd.redirects
        ):
            return False
        outside = self.redirect_outside
        # A target only known at run time (None) could be anywhere: it counts as outside.
        if outside is not None and not any(
            r.writes and (r.target is None or not outside.match(r.target, ctx.roots))
            for r in cmd.redirects
        ):
            return False
        if self.writes is not None and not any(self.writes.match(w, ctx.roots) for w in cmd.writes):
            return False
        if self.writes_outside is not None and not any(
            not self.writes_outside.match(w, ctx.roots) for w in cmd.writes
        ):
            return False
        if self.dynamic is not None and cmd.dynamic != self.dynamic:
            return False
        sets = self.sets
        if sets is not None and not any(sets.match(a) for a in set_variables(cmd)):
            return False
        if self.moves_above is not None:
            places = [r for name in self.moves_above for r in ctx.roots.get(name, ())]
            if not any(
                r == s or r.startswith(s.rstrip("/") + "/")
                for s in moved_sources(cmd)
                for r in places
            ):
                return False
        if self.verb is not None:
            from superego_mcp.shell import verbs

            return ("destructive" in self.verb and verbs.is_destructive(cmd)) or (
                "read" in self.verb and verbs.is_read(cmd)
            )
        return True

    def _only_finding(self) -> bool:
        return all(getattr(self, name) is None for name in self.__slots__ if name != "finding")


# Builtins whose ``NAME=VALUE`` words set a variable (exported, or already in the
# environment, it reaches every command after them).
_DECLARERS = frozenset({"export", "declare", "typeset", "local", "readonly"})


def set_variables(cmd: Command) -> tuple[str, ...]:
    """The ``NAME=VALUE`` assignments a command makes: for its own environment (``X=v
    cmd``, ``env X=v cmd``; a script's bare ``X=v``, listed as ``:``) and through
    ``export``/``declare``/``typeset``/``local``/``readonly``."""
    if cmd.program not in _DECLARERS:
        return cmd.assignments
    words = tuple(a for a in cmd.argv if "=" in a and not a.startswith("-"))
    return (*cmd.assignments, *words) if cmd.assignments else words


def moved_sources(cmd: Command) -> tuple[str, ...]:
    """What a command carries away from where it was: the sources of ``mv`` and of ``rsync
    --remove-source-files`` (the paths it names less the destination it writes)."""
    if cmd.program != "mv" and not (cmd.program == "rsync" and "remove-source-files" in cmd.flags):
        return ()
    written = set(cmd.writes)
    return tuple(p for p in cmd.paths if p not in written)


# Programs that fetch the URLs among their operands; an operand without a scheme is http
# to them (``curl localhost:8080``); httpie's ``:8080/x`` is localhost.
URL_PROGRAMS = frozenset(
    {
        "curl",
        "curlie",
        "wget",
        "wget2",
        "http",
        "https",
        "httpie",
        "xh",
        "xhs",
        "aria2c",
        "axel",
        "lynx",
        "links",
        "elinks",
        "w3m",
        "fetch",
        "lwp-request",
        "GET",
        "HEAD",
        "POST",
    }
)
# tool_input fields of non-shell tools that hold a URL (WebFetch's url, MCP fetchers').
URL_FIELDS = ("url", "uri", "href", "endpoint", "link", "base_url", "webhook_url")
_BARE_HOST = LazyPattern(r"^(\[[0-9A-Fa-f:.%]+\]|[^\s/:@=\[\]]+)(:\d*)?([/?#].*)?$")
_MAX_URLS = 64
# httpie's method operand (`http GET example.com`) is not a host.
_HTTP_METHOD = LazyPattern(r"^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|CONNECT)$")


def _non_web_scheme(word: str) -> bool:
    import re  # only for a word with a colon

    return re.match(r"(?i)^(file|gopher|dict|ldap|tftp|jar|netdoc):", word) is not None


def unit_urls(unit: Unit, ctx: Context) -> tuple[URL, ...]:
    """The URLs a unit names, parsed once: a shell command's words with a scheme (every
    program), the operands of URL fetchers (curl, wget, httpie, ...), curl's ``--resolve``/
    ``--connect-to`` addresses; a tool's URL fields (``url``, ``uri``, ...)."""

    if unit.urls is not None:
        return unit.urls
    found: list[URL] = []
    cmd = unit.command
    texts: list[tuple[str, str | None]] = []
    if cmd is not None:
        fetcher = cmd.program in URL_PROGRAMS
        positionals = set(cmd.positionals)
        argv = list(cmd.argv)
        for i, word in enumerate(argv):
            if word.startswith("-") and "=" in word:
                word = word.partition("=")[2]  # --index-url=https://...: the option's value
            if "://" in word or (":" in word and _non_web_scheme(word)):
                texts.append((word, None))
            elif fetcher and word in positionals and not _HTTP_METHOD().match(word):
                if word.startswith(":") and cmd.program in ("http", "https", "httpie", "xh"):
                    word = "localhost" + word
                if _BARE_HOST().match(word) and not word.startswith("-"):
                    texts.append((word, "http"))
            if fetcher and word in ("--resolve", "--connect-to") and i + 1 < len(argv):
                # --resolve HOST:PORT:ADDR[,ADDR]..., --connect-to HOST1:PORT1:HOST2:PORT2:
                # the address connected to is the third field.
                fields = argv[i + 1].split(":", 2)
                rest = fields[2] if len(fields) == 3 else ""
                if word == "--connect-to":
                    rest = rest.rsplit(":", 1)[0] if rest.count(":") >= 1 else rest
                for address in rest.split(",") if word == "--resolve" else [rest]:
                    if address:
                        texts.append((f"http://{address}/", None))
    elif not unit.shell:
        tool_input = ctx.call.tool_input
        for key in URL_FIELDS:
            value = tool_input.get(key)
            if isinstance(value, str) and value:
                texts.append((value, "http"))
    if texts:  # imported only when there is a URL to read
        from superego_mcp.policy import urls
    for text, default in texts[:_MAX_URLS]:
        parsed = urls.parse(text, default)
        if parsed is not None:
            found.append(parsed)
    unit.urls = tuple(found)
    return unit.urls


class Url(Condition):
    """Tests on the URLs a unit names (``url:``): some URL passes every given test. No DNS:
    a host is judged by how it is written (see ``policy.urls``). ``secret``: the URL carries
    something shaped like a secret (``superego_mcp.redact``: a vendor key, a JWT, a
    secret-named query parameter, ``user:password@``); ``except_host``: its host matches none
    of these names."""

    __slots__ = ("except_host", "host", "loopback", "metadata", "private", "scheme", "secret")

    def __init__(
        self,
        *,
        private: bool | None = None,
        metadata: bool | None = None,
        loopback: bool | None = None,
        scheme: NameMatcher | None = None,
        host: NameMatcher | None = None,
        secret: bool | None = None,
        except_host: NameMatcher | None = None,
    ) -> None:
        self.private = private
        self.metadata = metadata
        self.loopback = loopback
        self.scheme = scheme
        self.host = host
        self.secret = secret
        self.except_host = except_host

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when some URL of the unit passes every given test."""
        for u in unit_urls(unit, ctx):
            if self.private is not None and u.private != self.private:
                continue
            if self.metadata is not None and ("metadata" in u.kinds) != self.metadata:
                continue
            if self.loopback is not None and ("loopback" in u.kinds) != self.loopback:
                continue
            if self.scheme is not None and not self.scheme.match(u.scheme):
                continue
            if self.host is not None and not self.host.match(u.host):
                continue
            if self.except_host is not None and self.except_host.match(u.host):
                continue
            if self.secret is not None:
                from superego_mcp.redact import contains_secret

                if contains_secret(u.text) != self.secret:
                    continue
            return True
        return False


# tool_input fields of non-shell tools that hold SQL (MCP database servers).
SQL_FIELDS = ("sql", "query", "statement", "statements", "sql_query", "queries")


class SqlGate:
    """What a command must have for ``policy.sql`` to look at it, copied from its tables
    when a policy is compiled (so that judging any other command imports nothing): a SQL
    client's name, a query subcommand, or a long option named for SQL."""

    __slots__ = ("clients", "option_words", "subcommands")

    def __init__(self) -> None:
        from superego_mcp.policy import sql

        self.clients = sql.SQL_CLIENTS
        self.subcommands = sql.QUERY_SUBCOMMANDS
        self.option_words = sql.OPTION_WORDS

    def may_run_sql(self, cmd: Command) -> bool:
        """False when ``cmd`` passes no SQL (the one cheap test before ``policy.sql``)."""
        return cmd.program in self.clients or any(
            w in self.subcommands or (w[:2] == "--" and any(o in w for o in self.option_words))
            for w in cmd.argv
        )


def unit_sql(unit: Unit, ctx: Context, gate: SqlGate) -> list[str]:
    """The SQL a unit runs: a database client's arguments (``psql -c``, ``sqlite3 db SQL``),
    or a tool's SQL fields (strings, or lists of strings)."""
    cmd = unit.command
    if cmd is not None:
        if not gate.may_run_sql(cmd):
            return []
        from superego_mcp.policy import sql

        return sql.command_sql(cmd)
    if unit.shell:
        return []
    out: list[str] = []
    for key in SQL_FIELDS:
        value = ctx.call.tool_input.get(key)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, str))
    return out


class Sql(Condition):
    """``sql: {destructive: true}``: some SQL the unit runs drops, truncates, deletes or
    updates without a real WHERE, drops columns, grants or revokes (see ``policy.sql``);
    ``false``: the unit runs SQL and none of it does."""

    __slots__ = ("destructive", "gate")

    def __init__(self, destructive: bool) -> None:
        self.destructive = destructive
        self.gate = SqlGate()

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when the unit runs SQL and its destructiveness is as asked."""
        texts = unit_sql(unit, ctx, self.gate)
        if not texts:
            return False
        from superego_mcp.policy import sql

        found = any(sql.destructive(t) is not None for t in texts)
        return found == self.destructive


# What a unit may do to Superego itself (``superego:``); see ``policy.selfguard``.
SUPEREGO_ACTS = (
    "changes", "reads", "removes", "unhooks", "copies", "stops", "may_stop", "replaces",
    "agent_off", "agent_unguarded",
)  # fmt: skip
# Cheap tests before ``policy.selfguard`` is imported (tests keep them equal to its tables):
# the programs that may remove or stop Superego, the directories agents keep hooks in, the
# programs that remove a directory with what is below it.
SELF_REMOVERS = frozenset(
    {
        "pip", "uv", "pipx", "poetry", "pdm", "conda", "mamba", "npm", "pnpm", "yarn", "bun",
        "brew", "apt", "apt-get", "dnf", "yum", "zypper", "apk", "snap", "nix-env", "nix",
        "port", "pacman", "dpkg", "rpm", "kill", "pkill", "killall", "skill", "slay", "pgrep",
        "pidof", "systemctl", "service", "launchctl", "docker", "podman", "kubectl", "cargo",
        "go", "gem", "composer", "dart", "flutter", "mix", "dotnet", "cabal", "stack", "opam",
        "luarocks", "cpanm", "cpm", "deno", "micromamba", "flox", "scoop", "pipenv",
    }
)  # fmt: skip
AGENT_DIRS = ("/.claude", "/.codex", "/.gemini", "/.cursor", "/.github", "/.copilot", "opencode")
DIR_REMOVERS = frozenset({"rm", "rmdir", "mv", "shred", "srm", "unlink", "trash", "trash-put"})
GIT_RESTORERS = frozenset({"checkout", "restore", "stash", "clean", "reset", "rm", "mv", "switch"})
DUPLICATORS = frozenset({"cp", "ln", "install", "rsync", "scp", "ditto", "mv"})
# ``policy.signals``: programs that send signals, and those selecting their targets when
# their output is fed to one.
SIGNALLERS = frozenset(
    {
        "kill", "pkill", "killall", "skill", "slay", "fuser", "kill-port",
        # and the programs that take a process over by its PID (signals.ATTACHERS)
        "gdb", "lldb", "strace", "ltrace", "gcore", "prlimit", "pyrasite", "py-spy", "criu",
    }
)  # fmt: skip
SIGNAL_SELECTORS = frozenset({"pgrep", "pidof", "lsof", "fuser", "grep", "egrep"})
# ``policy.nested``: coding agents' programs (kept equal to its PROGRAMS by a test).
AGENT_PROGRAMS = frozenset(
    {
        "claude", "claude-code", "codex", "gemini", "gemini-cli", "copilot", "cursor-agent",
        "opencode", "opencode-ai", "aider", "goose", "amp", "qwen", "crush", "cline", "plandex",
        "auggie", "droid", "kiro-cli",
    }
)  # fmt: skip


def _may_signal(cmd: Command) -> bool:
    """A necessary test for ``policy.signals.reach`` without importing it."""
    if cmd.program in SIGNALLERS:
        return True
    return cmd.program in SIGNAL_SELECTORS and ("kill" in cmd.piped_to or "$()" in cmd.via)


def _may_unhook(cmd: Command | None, paths: tuple[str, ...], ctx: Context) -> bool:
    """A necessary test for ``selfguard.unhooks`` without touching the file system: the unit
    names a place under an agent's directory (or ``$CODEX_HOME``/``$COPILOT_HOME``), removes
    a directory above home or the project, or spells something about hooks."""
    if cmd is not None and any("ooks" in w for w in cmd.argv):
        return True
    if cmd is not None and cmd.program == "git" and cmd.subcommand in GIT_RESTORERS:
        return True  # it may put back or delete a hook file it does not name
    if not paths:
        return False
    extra = tuple(v for v in (observe.env("CODEX_HOME"), observe.env("COPILOT_HOME")) if v)
    remover = cmd is not None and cmd.program in DIR_REMOVERS
    home, project = ctx.home, ctx.project
    for p in paths:
        if any(d in p for d in AGENT_DIRS) or "/etc/gemini-cli" in p:
            return True
        if extra and p.startswith(extra):
            return True
        if remover:
            prefix = p.rstrip("/") + "/"
            if home.startswith(prefix) or project.startswith(prefix) or p in (home, project):
                return True
    return False


# Python installers whose environment may be Superego's own (``selfguard.ENV_INSTALLERS``).
ENV_INSTALLERS = frozenset({"pip", "pip3", "easy_install", "uv", "python", "python3"})


def _may_replace(cmd: Command | None, paths: tuple[str, ...], ctx: Context) -> bool:
    """A necessary test for ``selfguard.replaces`` without importing it: a program an
    install declares, a written file or a word naming Superego, a Python installer run by
    path or with VIRTUAL_ENV set while Superego's own places are known."""
    if cmd is None:
        return any("superego" in p.lower() for p in paths)
    if (
        (cmd.program in ENV_INSTALLERS or cmd.program.startswith("python"))
        and (cmd.program_files or cmd.assignments)
        and ctx.roots["superego"]
    ):
        return True
    words = (*cmd.writes, *cmd.argv, *(name for name, _ in cmd.installs))
    return any("superego" in w.lower() for w in words)


def _may_be_superego_file(program_files: tuple[str, ...]) -> bool:
    """A necessary test for ``selfguard.is_superego_file`` without importing it (a program
    run by path is common): a form named after Superego, or a script naming it in its head."""
    if not program_files:
        return False
    if any("superego" in f.rsplit("/", 1)[-1] for f in program_files):
        return True
    from superego_mcp.files import read_regular  # a program run by path: no hook-path cost

    try:  # noted for the decision cache; never blocking (a FIFO named as the program)
        head = read_regular(program_files[0], 4096)
    except (OSError, ValueError):
        return False
    return head is not None and head.startswith(b"#!") and b"superego" in head


class Superego(Condition):
    """``superego: [changes, reads, removes, unhooks, copies, stops, may_stop, replaces,
    agent_off, agent_unguarded]``: the unit does one of these to Superego
    (``policy.selfguard``): runs its command line (by any name: a symlink to it or a copy of
    its entry point too) to change its state (``changes``) or only to read (``reads``),
    removes, replaces or stops it by name (``removes``), removes or disables its hook in an
    agent's settings (``unhooks``), copies or links its executable to another name
    (``copies``), signals a running Superego server however it picks it (its PID, process
    group, port, a pattern that matches it: ``stops``), signals processes only known when it
    runs while a Superego server runs (``may_stop``; ``policy.signals``), puts another
    program under its program's name: an install of a directory whose manifest declares
    ``superego-mcp``, a write of a file so named (``replaces``; where, in the unit's
    ``details``), or starts another coding agent with its hook switched off or steered
    (``agent_off``) or one with no Superego hook where it runs (``agent_unguarded``;
    ``policy.nested``)."""

    __slots__ = ("acts",)

    def __init__(self, acts: frozenset[str]) -> None:
        self.acts = acts

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when the unit does one of the acts (cheap tests first: most units are far
        from Superego)."""
        acts = self.acts
        cmd = unit.command
        if unit.shell and cmd is None:
            return False
        cli = "changes" in acts or "reads" in acts
        if (
            cli
            and cmd is not None
            and (cmd.program.startswith("superego") or _may_be_superego_file(cmd.program_files))
        ):
            from superego_mcp.policy import selfguard

            if selfguard.runs_superego(cmd.program) or (
                cmd.program_files and selfguard.is_superego_file(cmd.program_files)
            ):
                act = selfguard.cli_act(cmd.argv, cmd.dynamic)
                if (act == "change" and "changes" in acts) or (act == "read" and "reads" in acts):
                    return True
        if (
            cmd is not None
            and "removes" in acts
            and (cmd.program in SELF_REMOVERS or cmd.program.startswith("pip"))
        ):
            from superego_mcp.policy import selfguard

            if selfguard.removes(cmd):
                return True
        if (
            "copies" in acts
            and cmd is not None
            and any("superego" in w for w in cmd.argv)
            and cmd.program in DUPLICATORS
        ):
            from superego_mcp.policy import selfguard

            if selfguard.copies(cmd):
                return True
        if cmd is not None and ("stops" in acts or "may_stop" in acts) and _may_signal(cmd):
            from superego_mcp.policy import signals

            found = signals.reach(cmd)
            if (found == "superego" and "stops" in acts) or (
                found == "unknown" and "may_stop" in acts
            ):
                return True
        if "replaces" in acts and _may_replace(cmd, unit.paths, ctx):
            from superego_mcp.policy import selfguard

            replaced = selfguard.replaces(
                ctx.call, cmd, unit.paths, ctx.project, ctx.roots["superego"]
            )
            if replaced:
                unit.details = (*unit.details, *(r for r in replaced if r not in unit.details))
                return True
        if (
            cmd is not None
            and cmd.program in AGENT_PROGRAMS
            and ("agent_off" in acts or "agent_unguarded" in acts)
        ):
            from superego_mcp.policy import nested

            if nested.runs_agent(cmd):
                if "agent_off" in acts and nested.steered(cmd, ctx.commands):
                    return True
                if "agent_unguarded" in acts and nested.unguarded(
                    cmd, ctx.commands, ctx.home, ctx.project
                ):
                    return True
        if "unhooks" in acts and _may_unhook(cmd, unit.paths, ctx):
            from superego_mcp.policy import selfguard

            return selfguard.unhooks(ctx.call, cmd, unit.paths, ctx.home, ctx.project)
        return False


class Known(Condition):
    """``known: [power, kill_all, secret_export, env_secrets, disk, firewall, user_admin]``:
    the command is a well-known dangerous program used in a way of one of these classes
    (``policy.known``: tables of programs, subcommands and options). ``programs`` is every
    program the tables know: the rule is indexed by it, so other commands never import them."""

    __slots__ = ("classes", "programs")

    def __init__(self, classes: frozenset[str], programs: frozenset[str]) -> None:
        self.classes = classes
        self.programs = programs

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when the unit's command is of one of the classes."""
        cmd = unit.command
        if cmd is None or cmd.program not in self.programs:
            return False
        from superego_mcp.policy import known

        return known.classes(cmd, self.classes)


# What `container:` can say about a container run (shell.containers).
CONTAINER_ACTS = ("runs", "isolated", "escapes", "opaque", "inside", "settings")
CONTAINER_PROGRAMS = frozenset({"docker", "podman", "nerdctl", "docker-compose", "podman-compose"})


class ContainerRun(Condition):
    """``container: [runs, isolated, escapes]``: the unit's command runs a container
    (``docker|podman|nerdctl run|create``, ``compose run|exec``; ``runs``) read from its
    options (``shell.containers``): every word read and nothing breaking isolation
    (``isolated``; its host paths, the unit's paths, are for a ``path`` test), or some
    option breaking it (``escapes``: ``--privileged``, a host namespace, an added capability
    or device, an unconfined profile, the runtime's socket, a host variable forwarded by
    name); ``opaque``: the run's command is the image's own (none given, or only
    arguments for its entrypoint; a compose service whose file gives none); ``inside``:
    the unit is a command a container run gives its container (walked with its paths
    mapped through the run's mounts); ``settings``: the unit's run (its own, or the one it
    is inside) mounts writable a host directory that holds an agent's settings directory
    that exists, or lies in one. One of the listed acts must hold."""

    __slots__ = ("acts",)

    def __init__(self, acts: frozenset[str]) -> None:
        self.acts = acts

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when the unit's container run does one of the acts."""
        cmd = unit.command
        if cmd is None:
            return False
        acts = self.acts
        run = cmd.container
        if run is not None and (
            "runs" in acts
            or ("isolated" in acts and run.isolated)
            or ("escapes" in acts and bool(run.breaks))
            or ("opaque" in acts and run.opaque)
        ):
            return True
        if "inside" in acts and cmd.inside is not None:
            return True
        if "settings" in acts:
            inside = cmd.inside
            writable = (*(run.writable if run else ()), *(inside.writable if inside else ()))
            if writable:
                from .selfguard import holds_settings  # only for container runs

                return holds_settings(writable, ctx.home, ctx.project)
        return False


# The programs whose commands ``git:`` judges (equal to ``policy.gitloss.PROGRAMS``: a test
# keeps them so), and what it answers.
GIT_PROGRAMS = frozenset({"rm", "find", "git"})
GIT_LOSSES = ("nothing", "work")


def _may_lose(cmd: Command) -> bool:
    """A necessary test for ``policy.gitloss.loss`` without importing it (equal to
    ``gitloss.candidate``: a test keeps them so)."""
    program = cmd.program
    if program == "rm":
        return "recursive" in cmd.flags or bool(cmd.via and cmd.via[-1].startswith("find -"))
    if program == "find":
        return "delete" in cmd.flags
    return program == "git" and cmd.subcommand in ("checkout", "restore")


class Git(Condition):
    """``git: {loses: nothing}`` / ``git: {loses: work}``: the unit deletes inside the
    project (``rm -r``, ``find -delete``, ``find DIR -exec rm``) or puts paths back from git
    (``git checkout``/``git restore`` of paths), and git says nothing would be lost that it
    cannot give back, or that something would (``policy.gitloss``; the first path lost
    becomes the unit's ``{details}``). Neither holds when git cannot tell (not a git work
    tree, an error, a path outside the project or through a symlink, ``.git`` itself)."""

    __slots__ = ("loses",)

    def __init__(self, loses: str) -> None:
        self.loses = loses

    def test(self, unit: Unit, ctx: Context) -> bool:
        """True when git's answer for the unit's command is ``loses`` (asked once a unit)."""
        cmd = unit.command
        if cmd is None or cmd.program not in GIT_PROGRAMS:
            return False
        found = unit.git_loss
        if found is False:
            found = None
            if _may_lose(cmd):  # cheap, before the module is imported (`git status`)
                from superego_mcp.policy import gitloss

                others = tuple(c for c in ctx.commands if c is not cmd)
                line = ctx.call.tool_input.get("command")
                text = line if isinstance(line, str) else ""
                found = gitloss.loss(cmd, ctx.roots["project"], others, text)
            unit.git_loss = found
        if not isinstance(found, str):
            return False
        if self.loses == "nothing":
            return not found
        if found and found not in unit.details:
            unit.details = (*unit.details, found)
        return bool(found)


def required_programs(condition: Condition) -> frozenset[str] | None:
    """Program names a unit's command must have for ``condition`` to hold. ``None`` when
    the condition may hold without one of a known set of names (no shell test, or a glob or
    ``re:`` program): the engine then always tries the rule. A necessary test only, used to
    skip rules fast; a plain set, so a cached policy loads it cheaply."""
    if isinstance(condition, Shell):
        program = condition.program
        return program.exact if program is not None and program.names_only else None
    if isinstance(condition, Known):
        return condition.programs
    if isinstance(condition, ContainerRun):
        # a command inside a container has the image's programs
        return None if condition.acts & {"inside", "settings"} else CONTAINER_PROGRAMS
    if isinstance(condition, Git):
        return GIT_PROGRAMS
    if isinstance(condition, AllOf):
        for child in condition.children:
            found = required_programs(child)
            if found is not None:
                return found
        return None
    if isinstance(condition, AnyOf):
        union: set[str] = set()
        for child in condition.children:
            found = required_programs(child)
            if found is None:
                return None
            union |= found
        return frozenset(union) if union else None
    return None


class LazyCondition(Condition):
    """A condition kept pickled until first tested (see ``Policy.for_cache``)."""

    __slots__ = ("blob", "loaded")

    def __init__(self, condition: Condition) -> None:
        import pickle

        self.blob: bytes | None = pickle.dumps(condition, protocol=pickle.HIGHEST_PROTOCOL)
        self.loaded: Condition | None = None

    def test(self, unit: Unit, ctx: Context) -> bool:
        """The wrapped condition's answer (unpickled on the first test)."""
        found = self.loaded
        if found is None:
            import _pickle  # pickle.loads without the pickle module's Python layer

            assert self.blob is not None
            found = self.loaded = _pickle.loads(self.blob)  # our own bytes, see above
            self.blob = None
        return found.test(unit, ctx)
