"""SQL statements that destroy data or change who may touch it, found without a database.

:func:`destructive` reads SQL text the way a server would split it (comments, quoted strings
and identifiers, dollar quoting, parentheses) and names the first statement that drops or
truncates, deletes or updates without a real ``WHERE`` (``WHERE 1=1`` is none), drops a
column or constraint (``ALTER TABLE ... DROP``), grants or revokes privileges, or runs SQL
built at run time (``EXECUTE``, ``PREPARE``). :func:`command_sql` finds the SQL a shell
command passes to a database client (``psql -c``, ``mysql -e``, ``sqlite3 db SQL``, ...).

Imported only when a policy tests SQL.
"""

from __future__ import annotations

import re

from superego_mcp.lazyre import LazyPattern

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from superego_mcp.shell.model import Command

_MAX_TEXT = 200_000
# Client -> options whose value is SQL. sqlite3/duckdb/bq take SQL as operands too.
_CLIENT_OPTIONS: dict[str, tuple[str, ...]] = {
    "psql": ("-c", "--command"),
    "usql": ("-c", "--command"),
    "mysql": ("-e", "--execute"),
    "mariadb": ("-e", "--execute"),
    "clickhouse-client": ("-q", "--query"),
    "clickhouse": ("-q", "--query"),
    "sqlcmd": ("-Q", "-q"),
    "cockroach": ("-e", "--execute"),
    "snowsql": ("-q", "--query"),
    "trino": ("--execute",),
    "duckdb": ("-c", "-cmd"),
    "sqlite3": ("-cmd",),
    "mycli": ("-e", "--execute"),
    "pgcli": ("-c",),
    "cqlsh": ("-e", "--execute"),
    "beeline": ("-e",),
    "hive": ("-e",),
    "impala-shell": ("-q", "--query"),
    "presto": ("--execute",),
    "vsql": ("-c", "--command"),
    "bq": (),
}
SQL_CLIENTS = frozenset(_CLIENT_OPTIONS)
_TAUTOLOGY = LazyPattern(
    r"^(?:1|TRUE|NOT\s+FALSE|(\S+)\s*=\s*\1|(\S+)\s+IS\s+NOT\s+NULL\s+OR\s+\2\s+IS\s+NULL|"
    r"\d+\s*[<>]=?\s*\d+|1\s*=\s*1)\s*$"
)
_VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "TABLE")


# Any CLI's long options that carry SQL by their name (`aws athena start-query-execution
# --query-string`, `--sql`, `--statement`), and subcommands whose operands are a query
# (`sqlcmd query 'DROP TABLE x'`).
_SQL_OPTION = LazyPattern(r"^--([a-z-]*-)?(sql|query|statement|query-string)(-[a-z-]*)?$")
QUERY_SUBCOMMANDS = frozenset({"query", "sql", "execute-sql", "execute-statement"})
# Words in the name of a long option whose value may be SQL (--sql, --query-string, ...).
OPTION_WORDS = ("sql", "query", "statement")


def command_sql(cmd: Command) -> list[str]:
    """The SQL texts a command runs from its arguments: a database client's (``psql -c``),
    or any CLI's SQL-named options and query subcommand's operands."""
    options = _CLIENT_OPTIONS.get(cmd.program)
    if options is None:
        return _cli_sql(cmd)
    argv = list(cmd.argv)
    out: list[str] = []
    for i, word in enumerate(argv):
        for opt in options:
            if word == opt and i + 1 < len(argv):
                out.append(argv[i + 1])
            elif opt.startswith("--") and word.startswith(opt + "="):
                out.append(word[len(opt) + 1 :])
            elif len(opt) == 2 and word.startswith(opt) and len(word) > 2 and opt != "-c":
                out.append(word[2:])
    if cmd.program in ("sqlite3", "duckdb"):
        operands = [p for p in cmd.positionals if p not in out]
        out.extend(operands[1:])  # the first operand is the database file
    if cmd.program == "bq" and cmd.subcommand == "query":
        out.extend(p for p in cmd.positionals if p not in out)
    out.extend(t for t in _cli_sql(cmd) if t not in out)
    return out


def _cli_sql(cmd: Command) -> list[str]:
    """SQL given to any CLI: values of options named for SQL or queries, and the operands
    after a ``query`` subcommand word (a statement has more than one word: `fzf
    --query=execute` or `az --query delete` is not SQL)."""
    argv = list(cmd.argv)
    out: list[str] = []
    for i, word in enumerate(argv):
        name, eq, value = word.partition("=")
        if _SQL_OPTION().match(name):
            if eq:
                out.append(value)
            elif i + 1 < len(argv):
                out.append(argv[i + 1])
        elif word in QUERY_SUBCOMMANDS:
            out.extend(w for w in argv[i + 1 :] if not w.startswith("-"))
            break
    return [t for t in out if len(t.split(None, 1)) > 1]


def destructive(text: str) -> str | None:
    """What destroys in ``text`` (``"DROP TABLE users"``), or None."""
    if len(text) > _MAX_TEXT:
        return "SQL too long to read"
    for statement in _statements(text):
        found = _statement_verdict(statement)
        if found is not None:
            return found
    return None


def _statements(text: str) -> list[list[str]]:
    """Statements as lists of upper-case top-level tokens (strings, comments and
    parenthesized parts replaced by placeholders: ``'?'``, ``()``)."""
    out: list[list[str]] = []
    tokens: list[str] = []
    depth = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c == "#" and depth == 0 and (i == 0 or text[i - 1] in " \t\n;"):
            j = text.find("\n", i)  # MySQL comment
            i = n if j < 0 else j + 1
            continue
        if c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c in "'\"`[":
            close = "]" if c == "[" else c
            j = i + 1
            while j < n:
                if text[j] == close:
                    if j + 1 < n and text[j + 1] == close:  # doubled quote
                        j += 2
                        continue
                    break
                if text[j] == "\\" and c != "[":
                    j += 1
                j += 1
            if depth == 0:
                tokens.append("'?'" if c == "'" else "IDENT")
            i = j + 1
            continue
        if c == "$":
            m = re.match(r"\$([A-Za-z_]\w*)?\$", text[i:])
            if m:
                end = text.find(m.group(0), i + m.end())
                if depth == 0:
                    tokens.append("'?'")
                i = n if end < 0 else end + m.end()
                continue
        if c == "(":
            if depth == 0:
                tokens.append("()")
            depth += 1
            i += 1
            continue
        if c == ")":
            depth = max(0, depth - 1)
            i += 1
            continue
        if c == ";" and depth == 0:
            if tokens:
                out.append(tokens)
            tokens = []
            i += 1
            continue
        m = re.match(r"[A-Za-z_][\w$.]*|\d+|<>|[<>!=]=?|\S", text[i:])
        if m is None:  # whitespace
            i += 1
            continue
        if depth == 0:
            tokens.append(m.group(0).upper())
        i += m.end()
    if tokens:
        out.append(tokens)
    return out


def _statement_verdict(tokens: list[str]) -> str | None:
    first = tokens[0]
    if first in ("DROP", "TRUNCATE"):
        return " ".join(tokens[:3])
    if first in ("GRANT", "REVOKE"):
        return f"{first} (privileges)"
    if first in ("EXECUTE", "EXEC", "PREPARE"):
        return f"{first} of SQL built at run time"
    if first == "ALTER" and "DROP" in tokens:
        return " ".join(tokens[: tokens.index("DROP") + 2])
    verb = first
    if first == "WITH":
        verb = next((t for t in tokens[1:] if t in _VERBS), "")
    if verb in ("DELETE", "UPDATE"):
        start = tokens.index(verb)
        rest = tokens[start:]
        if "WHERE" not in rest:
            return f"{verb} without WHERE"
        condition = " ".join(rest[rest.index("WHERE") + 1 :])
        if any(_TAUTOLOGY().match(part.strip()) for part in condition.split(" OR ")):
            return f"{verb} with an always-true WHERE"
    return None
