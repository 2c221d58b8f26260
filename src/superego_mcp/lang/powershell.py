"""PowerShell read for what it does (the ``PowerShell`` tool, ``pwsh``/``powershell -c``,
``-EncodedCommand``, ``.ps1`` files a command runs).

The source is split into statements and pipelines by a small reader of PowerShell's
syntax (quotes, here-strings, comments, ``$()``/``()``/``{}`` nesting, backtick escapes);
each command is resolved through PowerShell's aliases and parameter prefixes and turned into
the shell command that does the same (``Remove-Item -Recurse -Force C:\\Users\\dev`` ->
``rm -r -f -- /home/dev``, ``iex (irm URL)`` -> ``eval "$(curl -s URL)"``, ``Get-Content``
-> ``cat``, ``Set-Content`` -> a write redirect, ``Stop-Computer`` -> ``shutdown``), so the
shell rules judge it. Windows paths become POSIX ones the rules know: a drive root is ``/``,
``C:\\Users\\NAME`` and ``$HOME``/``$env:USERPROFILE`` are a home, ``$env:TEMP`` is ``/tmp``.

Everything not understood is a gap, never silence: an unknown cmdlet (``Verb-Noun``),
.NET calls (``[IO.File]::Delete``), ``Invoke-Expression`` of text only known at run time,
the registry, ``Add-Type``, a script block run remotely, dot-sourcing. The caller answers
a gap with at least ``ask``.
"""

from __future__ import annotations

import base64
import re

from .report import Report, curl, word

_MAX_DEPTH = 16


class _Unreadable(Exception):
    """The source cannot be read (unbalanced quotes or brackets, too deep)."""


# --- tokens -----------------------------------------------------------------------------------


class Tok:
    """A word (``kind`` "word", text, ``dynamic`` when it holds a value known only at run
    time), a nested part (``kind`` "sub" for ``()``/``$()``/``@()``, "block" for ``{}``, with
    its statements), or an operator (``kind`` "op": ``|``, ``;``, ``&&``, ``||``, ``>``,
    ``>>``, ``&``, ``=``...). ``member`` holds ``.Name(args)`` calls that follow it."""

    __slots__ = ("dynamic", "kind", "line", "members", "quoted", "stmts", "text")

    def __init__(self, kind: str, text: str, line: int, *, dynamic: bool = False) -> None:
        self.kind = kind
        self.text = text
        self.line = line
        self.dynamic = dynamic
        self.quoted = False
        self.stmts: list[list[Tok]] = []
        self.members: list[tuple[str, list[Tok]]] = []

    def __repr__(self) -> str:
        return f"Tok({self.kind}, {self.text!r})"


# Variables whose value the reader knows (as a path the rules understand).
_KNOWN_VARS = {
    "home": "~",
    "env:userprofile": "~",
    "env:homepath": "~",
    "env:home": "~",
    "env:temp": "/tmp",  # noqa: S108 - a path the rules know, nothing is written
    "env:tmp": "/tmp",  # noqa: S108
    "env:appdata": "~/AppData/Roaming",
    "env:localappdata": "~/AppData/Local",
    "env:systemroot": "C:\\Windows",
    "env:windir": "C:\\Windows",
    "env:programfiles": "C:\\Program Files",
    "env:systemdrive": "C:",
    "env:homedrive": "C:",
    "pwd": ".",
    "psscriptroot": ".",
    "true": "True",
    "false": "False",
    "null": "",
}
_VAR = re.compile(r"\$(\{[^}]*\}|[A-Za-z_][\w]*(?::[\w]+)?|[_?^$])")


class _Reader:
    """Turns source text into statements: lists of tokens, split at ``;``, newlines,
    ``&&`` and ``||`` (pipes ``|`` stay inside a statement as operators)."""

    def __init__(self, text: str, variables: dict[str, str]) -> None:
        self.s = text
        self.i = 0
        self.line = 1
        self.vars = variables
        # Statements found inside double-quoted strings' $(...): they run too.
        self.nested: list[list[Tok]] = []
        self.depth_now = 0

    def statements(self, close: str = "", depth: int = 0) -> list[list[Tok]]:
        if depth > _MAX_DEPTH:
            raise _Unreadable("nested too deeply")
        out: list[list[Tok]] = []
        cur: list[Tok] = []
        s = self.s
        while True:
            if self.i >= len(s):
                if close:
                    raise _Unreadable(f"missing {close!r}")
                break
            c = s[self.i]
            if c == "\n":
                self.line += 1
                self.i += 1
                if cur and not (cur[-1].kind == "op" and cur[-1].text == "|"):
                    out.append(cur)
                    cur = []
                continue
            if c in " \t\r":
                self.i += 1
                continue
            if c == "`" and s[self.i + 1 : self.i + 2] == "\n":
                self.i += 2
                self.line += 1
                continue
            if c == "#":
                while self.i < len(s) and s[self.i] != "\n":
                    self.i += 1
                continue
            if s.startswith("<#", self.i):
                end = s.find("#>", self.i + 2)
                if end < 0:
                    raise _Unreadable("unterminated block comment")
                self.line += s.count("\n", self.i, end)
                self.i = end + 2
                continue
            if close and c == close:
                self.i += 1
                if cur:
                    out.append(cur)
                return out
            if c in ")}" and c != close:
                raise _Unreadable(f"unbalanced {c!r}")
            if c == ";":
                self.i += 1
                if cur:
                    out.append(cur)
                cur = []
                continue
            if s.startswith("&&", self.i) or s.startswith("||", self.i):
                self.i += 2
                if cur:
                    out.append(cur)
                cur = []
                continue
            if c == "|":
                self.i += 1
                cur.append(Tok("op", "|", self.line))
                continue
            tok = self.token(depth)
            if tok is not None:
                cur.append(tok)
        if cur:
            out.append(cur)
        return out

    def token(self, depth: int) -> Tok | None:
        self.depth_now = depth
        s, line = self.s, self.line
        c = s[self.i]
        if s.startswith(("$(", "@("), self.i) or c == "(":
            self.i += 1 if c == "(" else 2
            tok = Tok("sub", "(", line, dynamic=True)
            tok.stmts = self.statements(")", depth + 1)
            return self.members(tok, depth)
        if c == "{" or s.startswith("@{", self.i):
            self.i += 1 if c == "{" else 2
            tok = Tok("block", "{", line, dynamic=True)
            tok.stmts = self.statements("}", depth + 1)
            return tok
        for op in ("2>&1", "*>>", "*>", "2>>", "2>", ">>", ">", "&", "="):
            if s.startswith(op, self.i):
                self.i += len(op)
                return Tok("op", op, line)
        if c == "[":
            # A type literal ([IO.File]::Delete(...), [string]$x): .NET, not a command.
            end = self._bracket_end()
            text = s[self.i : end]
            self.i = end
            tok = Tok("type", text, line, dynamic=True)
            if s.startswith("::", self.i):
                self.i += 2
                name = self._name()
                tok.text += "::" + name
                if self.i < len(s) and s[self.i] == "(":
                    self.i += 1
                    args = self.statements(")", depth + 1)
                    tok.members.append((name, [t for st in args for t in st]))
            return tok
        return self.members(self.word(), depth)

    def _bracket_end(self) -> int:
        depth, i, s = 0, self.i, self.s
        while i < len(s):
            if s[i] == "[":
                depth += 1
            elif s[i] == "]":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        raise _Unreadable("unbalanced '['")

    def _name(self) -> str:
        start = self.i
        while self.i < len(self.s) and (self.s[self.i].isalnum() or self.s[self.i] == "_"):
            self.i += 1
        return self.s[start : self.i]

    def members(self, tok: Tok, depth: int) -> Tok:
        """``.Name`` and ``.Name(args)`` after a word or a part (method calls)."""
        s = self.s
        while s.startswith(".", self.i) and self.i + 1 < len(s) and s[self.i + 1].isalpha():
            self.i += 1
            name = self._name()
            tok.dynamic = True
            if self.i < len(s) and s[self.i] == "(":  # a call; a property alone reads only
                self.i += 1
                stmts = self.statements(")", depth + 1)
                tok.members.append((name, [t for st in stmts for t in st if t.kind != "op"]))
        return tok

    def word(self) -> Tok:
        """A bare word or a quoted string (adjacent parts joined), variables expanded."""
        s, line = self.s, self.line
        parts: list[str] = []
        dynamic = quoted = False
        while self.i < len(s):
            c = s[self.i]
            if c in " \t\r\n;|&(){}," or (c == ">" and parts) or s.startswith("<#", self.i):
                break
            here = s.startswith(("@'", '@"'), self.i) and s[self.i + 2 : self.i + 3] in "\r\n"
            if c == "'" or here:
                got = self._single() if c == "'" else self._here()
                parts.append(got[0])
                dynamic = dynamic or got[1]
                quoted = True
                continue
            if c in '"“”':
                body, dyn = self._double()
                parts.append(body)
                dynamic = dynamic or dyn
                quoted = True
                continue
            if c == "`":
                parts.append(s[self.i + 1 : self.i + 2])
                self.i += 2
                continue
            if c == "$":
                text, dyn = self._variable()
                parts.append(text)
                dynamic = dynamic or dyn
                continue
            parts.append(c)
            self.i += 1
        tok = Tok("word", "".join(parts), line, dynamic=dynamic)
        tok.quoted = quoted
        call = re.search(r"\.(\w+)$", tok.text)
        if dynamic and call and s.startswith("(", self.i):
            # `$x.Method(args)`: a .NET call on a value
            self.i += 1
            stmts = self.statements(")", self.depth_now + 1)
            tok.members.append((call[1], [t for st in stmts for t in st if t.kind != "op"]))
        return tok

    def _single(self) -> tuple[str, bool]:
        s = self.s
        self.i += 1
        out: list[str] = []
        while True:
            if self.i >= len(s):
                raise _Unreadable("unterminated string")
            c = s[self.i]
            if c == "'":
                if s[self.i + 1 : self.i + 2] == "'":
                    out.append("'")
                    self.i += 2
                    continue
                self.i += 1
                return "".join(out), False
            if c == "\n":
                self.line += 1
            out.append(c)
            self.i += 1

    def _here(self) -> tuple[str, bool]:
        s = self.s
        quote = s[self.i + 1]
        end = s.find("\n" + quote + "@", self.i)
        if end < 0:
            raise _Unreadable("unterminated here-string")
        body = s[self.i + 3 : end]
        self.line += s.count("\n", self.i, end + 1)
        self.i = end + 3
        if quote == "'":
            return body, False
        return self._expand(body)

    def _double(self) -> tuple[str, bool]:
        s = self.s
        self.i += 1
        start = self.i
        depth = 0
        while True:
            if self.i >= len(s):
                raise _Unreadable("unterminated string")
            c = s[self.i]
            if c == "`":
                self.i += 2
                continue
            if s.startswith("$(", self.i):
                depth += 1
                self.i += 2
                continue
            if c == ")" and depth:
                depth -= 1
            elif c in '"“”' and not depth:
                if s[self.i + 1 : self.i + 2] == '"':
                    self.i += 2
                    continue
                body = s[start : self.i]
                self.line += body.count("\n")
                self.i += 1
                return self._expand(body.replace('""', '"'))
            self.i += 1

    def _expand(self, body: str) -> tuple[str, bool]:
        """A double-quoted string's text with known variables put in; dynamic when it holds
        an unknown variable or a subexpression (whose commands are read too)."""
        dynamic = False
        start = body.find("$(")
        while start >= 0:
            # Each $(...) inside the string runs: read its statements.
            dynamic = True
            inner = _Reader(body[start + 2 :], self.vars)
            self.nested.extend(inner.statements(")", 1))  # _Unreadable: the whole is a gap
            start = body.find("$(", start + 2 + inner.i)
        escaped = re.sub(r"`(.)", lambda m: {"n": "\n", "t": "\t", "0": ""}.get(m[1], m[1]), body)

        def var(m: re.Match[str]) -> str:
            nonlocal dynamic
            name = m[1].strip("{}").lower()
            if name in self.vars:
                return self.vars[name]
            dynamic = True
            return "$X"

        return _VAR.sub(var, escaped), dynamic

    def _variable(self) -> tuple[str, bool]:
        m = _VAR.match(self.s, self.i)
        if m is None:
            self.i += 1
            return "$", False
        self.i = m.end()
        name = m[1].strip("{}").lower()
        if name in self.vars:
            return self.vars[name], False
        return "$X", True


# --- commands -----------------------------------------------------------------------------------
_ALIASES = {
    "rm": "remove-item", "del": "remove-item", "erase": "remove-item", "rd": "remove-item",
    "rmdir": "remove-item", "ri": "remove-item",
    "ls": "get-childitem", "dir": "get-childitem", "gci": "get-childitem",
    "gc": "get-content", "cat": "get-content", "type": "get-content",
    "sc": "set-content", "ac": "add-content", "clc": "clear-content",
    "cp": "copy-item", "copy": "copy-item", "cpi": "copy-item",
    "mv": "move-item", "move": "move-item", "mi": "move-item",
    "ren": "rename-item", "rni": "rename-item", "ni": "new-item", "md": "mkdir", "mkdir": "mkdir",
    "cd": "set-location", "sl": "set-location", "chdir": "set-location", "pushd": "set-location",
    "popd": "pop-location", "pwd": "get-location", "gl": "get-location",
    "echo": "write-output", "write": "write-output",
    "iex": "invoke-expression", "irm": "invoke-restmethod", "iwr": "invoke-webrequest",
    "curl": "invoke-webrequest", "wget": "invoke-webrequest",
    "saps": "start-process", "start": "start-process",
    "kill": "stop-process", "spps": "stop-process",
    "gi": "get-item", "gp": "get-itemproperty", "sls": "select-string", "icm": "invoke-command",
    "ii": "invoke-item", "ipmo": "import-module", "sal": "set-alias", "nal": "new-alias",
    "ps": "get-process", "gps": "get-process", "gsv": "get-service", "gcm": "get-command",
    "sleep": "start-sleep", "select": "select-object", "where": "where-object",
    "?": "where-object", "foreach": "foreach-object", "%": "foreach-object",
    "sort": "sort-object", "measure": "measure-object", "ft": "format-table",
    "fl": "format-list", "fw": "format-wide", "tee": "tee-object", "diff": "compare-object",
    "compare": "compare-object", "gm": "get-member", "help": "get-help", "man": "get-help",
    "cls": "clear-host", "clear": "clear-host", "h": "get-history", "history": "get-history",
    "rvpa": "resolve-path", "gv": "get-variable", "sv": "set-variable", "set": "set-variable",
}  # fmt: skip
# Cmdlets that read or compute only: no effect on the machine.
_HARMLESS_NAMES = """write-output write-host write-verbose write-warning write-error write-debug
    write-information write-progress out-host out-null out-string out-default format-table
    format-list format-wide format-custom select-object where-object sort-object
    measure-object group-object compare-object convertto-json convertfrom-json convertto-csv
    convertfrom-csv convertto-html convertto-xml convertfrom-stringdata get-date get-command
    get-help get-member get-process get-service get-variable get-host get-culture get-uiculture
    get-module get-location get-random get-psdrive get-disk get-volume get-partition
    get-history get-childitem get-item get-itemproperty test-path resolve-path split-path
    join-path get-filehash get-credential start-sleep clear-host pop-location set-variable
    new-variable get-alias get-psversiontable get-timezone get-computerinfo get-executionpolicy
    get-netipaddress get-netadapter get-netroute get-nettcpconnection get-localuser
    get-localgroup get-eventlog get-winevent measure-command new-timespan get-unique
    select-xml test-connection resolve-dnsname get-acl get-content select-string tee-object
    set-strictmode new-object"""
_HARMLESS = frozenset(_HARMLESS_NAMES.split())
# Cmdlets with a direct shell equivalent (no paths involved).
_DIRECT = {
    "stop-computer": "shutdown -h now",
    "restart-computer": "reboot",
    "format-volume": "mkfs /dev/disk",
    "clear-disk": "wipefs -a /dev/disk",
    "initialize-disk": "sfdisk /dev/disk",
    "remove-partition": "sfdisk --delete /dev/disk",
    "new-partition": "sfdisk /dev/disk",
    "resize-partition": "sfdisk /dev/disk",
    "set-partition": "sfdisk /dev/disk",
    "mount-diskimage": "mount disk.img /mnt",
    "dismount-diskimage": "umount /mnt",
    "new-localuser": "useradd user",
    "remove-localuser": "userdel user",
    "set-localuser": "usermod user",
    "enable-localuser": "usermod user",
    "disable-localuser": "usermod user",
    "rename-localuser": "usermod user",
    "add-localgroupmember": "usermod -aG group user",
    "remove-localgroupmember": "gpasswd -d user group",
    "new-localgroup": "groupadd group",
    "remove-localgroup": "groupdel group",
    "new-netfirewallrule": "iptables -A INPUT",
    "remove-netfirewallrule": "iptables -D INPUT",
    "set-netfirewallrule": "iptables -R INPUT",
    "enable-netfirewallrule": "iptables -A INPUT",
    "disable-netfirewallrule": "iptables -D INPUT",
    "set-netfirewallprofile": "iptables -P INPUT ACCEPT",
    "new-netipaddress": "ip addr add",
    "remove-netipaddress": "ip addr del",
    "set-netipaddress": "ip addr change",
    "set-netipinterface": "ip link set",
    "new-netroute": "ip route add",
    "remove-netroute": "ip route del",
    "set-dnsclientserveraddress": "resolvectl dns eth0 1.1.1.1",
    "disable-netadapter": "ip link set eth0 down",
    "enable-netadapter": "ip link set eth0 up",
    "restart-netadapter": "ip link set eth0 down",
    "stop-service": "systemctl stop service",
    "restart-service": "systemctl restart service",
}
# Unknown until understood: say why (asked about).
_GAPS = {
    "set-executionpolicy": "changes the PowerShell execution policy",
    "set-mppreference": "changes Windows Defender",
    "add-mppreference": "changes Windows Defender",
    "add-type": "compiles and loads .NET code",
    "import-module": "loads a module's code",
    "set-item": "changes an item of a provider (registry, environment, ...)",
    "new-itemproperty": "changes the registry",
    "set-itemproperty": "changes the registry",
    "remove-itemproperty": "changes the registry",
    "invoke-item": "opens a file with its default program",
    "set-alias": None,
    "new-alias": None,
    "register-scheduledtask": "creates a scheduled task (runs later)",
    "new-scheduledtask": "creates a scheduled task (runs later)",
    "new-service": "creates a service",
    "set-service": "changes a service",
    "enable-psremoting": "opens PowerShell remoting",
    "invoke-wmimethod": "calls WMI",
    "invoke-cimmethod": "calls CIM",
    "start-bitstransfer": "downloads with BITS",
    "get-secret": None,
    "convertfrom-securestring": "turns a secure string into text",
}
# Per cmdlet: switch parameters (no value) and positional parameters, by canonical name.
_PARAMS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # cmdlet: (switches, positional order, other valued parameters)
    "remove-item": (
        ("recurse", "force", "whatif", "confirm"),
        ("path",),
        ("literalpath", "filter", "include", "exclude", "credential", "stream"),
    ),
    "get-content": (("raw", "wait", "force"), ("path",), ("literalpath", "totalcount",
                    "tail", "encoding", "delimiter", "readcount", "head", "first", "last")),
    "set-content": (("force", "nonewline", "passthru", "whatif", "confirm"), ("path", "value"),
                    ("literalpath", "encoding", "stream")),
    "add-content": (("force", "nonewline", "passthru", "whatif", "confirm"), ("path", "value"),
                    ("literalpath", "encoding", "stream")),
    "clear-content": (("force", "whatif", "confirm"), ("path",), ("literalpath",)),
    "out-file": (("append", "force", "noclobber", "nonewline", "whatif", "confirm"),
                 ("filepath", "encoding"), ("literalpath", "inputobject", "width")),
    "new-item": (("force", "whatif", "confirm"), ("path",),
                 ("name", "itemtype", "value", "target", "type")),
    "copy-item": (("recurse", "force", "container", "passthru", "whatif", "confirm"),
                  ("path", "destination"), ("literalpath", "filter", "include", "exclude")),
    "move-item": (("force", "passthru", "whatif", "confirm"), ("path", "destination"),
                  ("literalpath", "filter", "include", "exclude")),
    "rename-item": (("force", "passthru", "whatif", "confirm"), ("path", "newname"),
                    ("literalpath",)),
    "set-location": (("passthru",), ("path",), ("literalpath", "stackname")),
    "get-childitem": (("recurse", "force", "name", "directory", "file", "hidden"),
                      ("path", "filter"), ("literalpath", "include", "exclude", "depth")),
    "invoke-webrequest": (("usebasicparsing", "usedefaultcredentials", "passthru",
                           "skipcertificatecheck"), ("uri",),
                          ("outfile", "method", "body", "infile", "headers", "contenttype",
                           "credential", "useragent", "timeoutsec", "proxy", "form")),
    "invoke-restmethod": (("usebasicparsing", "usedefaultcredentials", "passthru",
                           "skipcertificatecheck"), ("uri",),
                          ("outfile", "method", "body", "infile", "headers", "contenttype",
                           "credential", "useragent", "timeoutsec", "proxy", "form")),
    "invoke-expression": ((), ("command",), ()),
    "start-process": (("wait", "nonewwindow", "passthru", "usenewenvironment"),
                      ("filepath", "argumentlist"),
                      ("verb", "workingdirectory", "credential", "windowstyle",
                       "redirectstandardoutput", "redirectstandardinput",
                       "redirectstandarderror")),
    "stop-process": (("force", "passthru", "whatif", "confirm"), ("id",), ("name", "inputobject")),
    "invoke-command": (("asjob", "hidecomputername", "noNewScope"), ("scriptblock",),
                       ("computername", "session", "argumentlist", "filepath", "credential")),
    "start-job": ((), ("scriptblock",), ("argumentlist", "name", "filepath", "credential")),
    "foreach-object": ((), ("process",), ("begin", "end", "membername")),
    "where-object": ((), ("filterscript",), ("property", "value")),
    "tee-object": (("append",), ("filepath",), ("literalpath", "variable", "inputobject")),
    "expand-archive": (("force", "passthru"), ("path", "destinationpath"), ("literalpath",)),
    "compress-archive": (("force", "update"), ("path", "destinationpath"),
                         ("literalpath", "compressionlevel")),
    "get-secret": (("asplaintext",), ("name", "vault"), ()),
}  # fmt: skip
_LISTERS = frozenset({"get-childitem", "get-item", "resolve-path"})
_ASSIGN = frozenset({"=", "+=", "-=", "*=", "/=", "??="})
_WEB_METHODS = ("downloadstring", "downloadfile", "downloaddata", "openread")
_UPLOAD_METHODS = ("uploadstring", "uploadfile", "uploaddata", "uploadvalues")
# PowerShell's approved verbs: `Verb-Noun` with one of them (or written `Pascal-Case`) is a
# cmdlet; any other hyphenated name (superego-mcp, docker-compose) is a program.
_VERB_TEXT = """add approve assert backup block build checkpoint clear close compare complete
    compress confirm connect convert convertfrom convertto copy debug deny deploy disable disconnect
    dismount edit enable enter exit expand export find format get grant group hide import
    initialize install invoke join limit lock measure merge mount move new open optimize out
    ping pop protect publish push read receive redo register remove rename repair request
    reset resize resolve restart restore resume revoke save search select send set show skip
    split start step stop submit suspend switch sync test trace unblock undo uninstall unlock
    unprotect unpublish unregister update use wait watch write"""
_VERBS = frozenset(_VERB_TEXT.split())
_PASCAL = re.compile(r"^[A-Z][a-z]+-[A-Z]\w*$")
_VERB_NOUN = re.compile(r"^([A-Za-z]+)-[A-Za-z][\w]*$")
_DRIVE = re.compile(r"^([A-Za-z]):(?:[\\/](.*))?$")
_PROVIDER = re.compile(
    r"^(HKLM|HKCU|HKCR|HKU|HKCC|Registry|Cert|WSMan|Env|Function|Alias|Variable):", re.IGNORECASE
)


def posix_path(text: str) -> str:
    """A Windows path as the POSIX path the rules know: ``C:\\`` -> ``/``,
    ``C:\\Users\\dev\\x`` -> ``/home/dev/x``, ``~\\x`` -> ``~/x``, ``.\\x`` -> ``./x``."""
    m = _DRIVE.match(text)
    if m is not None:
        rest = (m[2] or "").replace("\\", "/").strip("/")
        parts = rest.split("/") if rest else []
        if len(parts) >= 2 and parts[0].lower() == "users":
            return "/home/" + "/".join(parts[1:])
        if parts[:1] and parts[0].lower() == "users":
            return "/home"
        return "/" + rest
    return text.replace("\\", "/") if "\\" in text else text


class _Cmd:
    """One pipeline element: its resolved name, parameters and positional arguments."""

    __slots__ = ("args", "line", "name", "params", "raw", "toks")

    def __init__(self, name: str, raw: str, line: int) -> None:
        self.name = name
        self.raw = raw
        self.line = line
        self.params: dict[str, Tok | None] = {}
        self.args: list[Tok] = []
        self.toks: list[Tok] = []


def _param_name(cmdlet: str, text: str) -> str:
    """A parameter's canonical name from a (possibly abbreviated) spelling; an ambiguous or
    unknown one is returned as written (lower case)."""
    name = text.lstrip("-").rstrip(":").lower()
    switches, positional, valued = _PARAMS.get(cmdlet, ((), (), ()))
    known = (*switches, *positional, *valued)
    if name in known:
        return name
    hits = [k for k in known if k.startswith(name)]
    if len(hits) == 1:
        return hits[0]
    if name in ("r", "rec") and "recurse" in known:
        return "recurse"  # PowerShell's own alias for -Recurse
    return name


class Walker:
    """Walks statements, writing effects and gaps into a report."""

    def __init__(self, report: Report, variables: dict[str, str], depth: int = 0) -> None:
        self.report = report
        self.vars = variables
        self.aliases: dict[str, str] = {}
        self.functions: set[str] = set()
        self.depth = depth
        self.previous: _Cmd | None = None  # the pipeline element before the current one

    def gap(self, line: int, why: str) -> None:
        self.report.gap(line, why)

    # one statement: an assignment, a keyword statement, or a pipeline
    def statement(self, toks: list[Tok]) -> None:
        if not toks:
            return
        head = toks[0]
        low = head.text.lower() if head.kind == "word" and not head.quoted else ""
        if low in ("function", "filter", "workflow") and len(toks) >= 2:
            self.functions.add(toks[1].text.lower())
            self.parts(toks[2:])  # the body's effects count when it is defined
            return
        if low in ("if", "elseif", "else", "while", "for", "foreach", "do", "until", "switch",
                   "try", "catch", "finally", "trap", "param", "begin", "process", "end",
                   "return", "throw", "exit", "break", "continue", "class", "enum"):  # fmt: skip
            self.parts(toks[1:])
            rest = [t for t in toks[1:] if t.kind == "word"]
            if low in ("return", "throw") and rest:
                self.pipeline(toks[1:])
            return
        eq = next((k for k, t in enumerate(toks[:3]) if t.text in _ASSIGN and not t.quoted), None)
        if eq is not None and eq > 0 and all(t.kind in ("word", "type") for t in toks[:eq]):
            self.parts(toks[:eq])
            self.assign(toks[eq + 1 :])
            return
        self.pipeline(toks)

    def parts(self, toks: list[Tok]) -> None:
        """The nested statements of every ``()``/``{}`` among ``toks``."""
        for t in toks:
            self.nested(t)

    def nested(self, tok: Tok) -> None:
        if self.depth > _MAX_DEPTH:
            self.gap(tok.line, "nested too deeply")
            return
        for st in tok.stmts:
            self.statement(st)
        for name, args in tok.members:
            self.method(tok, name, args)
            self.parts(args)

    def assign(self, value: list[Tok]) -> None:
        """``$x = VALUE``: a command on the right runs (its effects count); an expression's
        nested parts are read."""
        first = value[0] if value else None
        if first is not None and first.kind == "word" and not first.quoted and not first.dynamic:
            self.pipeline(value)
        else:
            self.parts(value)

    def method(self, tok: Tok, name: str, args: list[Tok]) -> None:
        """A .NET method call: web clients' download/upload methods are curl; the rest of
        .NET (``[IO.File]::Delete``, ``.Invoke()``) is not followed."""
        low = name.lower()
        url = next((a.text for a in args if a.kind == "word" and "://" in a.text), None)
        if low in _WEB_METHODS and url and not any(a.dynamic for a in args[:1]):
            out = args[1].text if low == "downloadfile" and len(args) > 1 else None
            self.report.effect(tok.line, curl(url, out=posix_path(out) if out else None))
            return
        if low in _UPLOAD_METHODS and url:
            self.report.effect(tok.line, curl(url, "POST", data=True))
            return
        if tok.kind == "type" or low not in ("tostring", "trim", "split", "replace", "tolower",
                                              "toupper", "substring", "contains", "startswith",
                                              "endswith", "getbytes", "content", "count",
                                              "length", "name", "fullname"):  # fmt: skip
            self.gap(tok.line, f"calls .NET ({tok.text}.{name})" if tok.kind != "type" else
                     f"calls .NET ({tok.text})")  # fmt: skip

    def pipeline(self, toks: list[Tok]) -> None:
        elements: list[list[Tok]] = [[]]
        for t in toks:
            if t.kind == "op" and t.text == "|":
                elements.append([])
            else:
                elements[-1].append(t)
        shells: list[str] = []
        line = toks[0].line
        self.previous = None
        for k, element in enumerate(elements):
            if not element:
                continue
            fed = k > 0
            out = self.command(element, fed, shells, last=k == len(elements) - 1)
            if out:
                shells.append(out)
        if shells:
            self.report.effect(line, " | ".join(shells))

    def command(self, toks: list[Tok], fed: bool, before: list[str], last: bool) -> str:
        """The shell equivalent of one pipeline element ("" when it does nothing), after
        recording what its nested parts do."""
        redirect = ""
        words: list[Tok] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            if t.kind == "op" and t.text in (">", ">>", "*>", "*>>", "2>", "2>>"):
                target = toks[i + 1] if i + 1 < len(toks) else None
                if target is not None and target.text.lower() not in ("$null", "null", ""):
                    op = ">>" if t.text.endswith(">>") else ">"
                    redirect = f" {op} " + self.path_word(target)
                i += 2
                continue
            if t.kind == "op" and t.text == "2>&1":
                i += 1
                continue
            words.append(t)
            i += 1
        if not words:
            return ""
        head = words[0]
        call_op = head.kind == "op" and head.text == "&"
        if call_op or (head.kind == "op" and head.text == "."):
            dot = head.text == "."
            words = words[1:]
            if not words:
                return ""
            head = words[0]
            if dot:
                self.gap(head.line, "dot-sources a script (its code joins this session)")
                return ""
        for t in words[1:]:
            if t.kind in ("sub", "block", "type"):
                self.nested(t)
        if head.kind in ("sub", "block", "type"):
            self.nested(head)
            if head.kind == "block" and call_op:
                return ""
            return self.expression(head, fed) + redirect if head.kind == "sub" else ""
        if head.dynamic or (head.kind == "word" and head.text.startswith("$") and not head.quoted):
            # An expression (`$_.CPU -gt 1`, `$x.Method()`): its calls are read; with `&`
            # it runs a program only known at run time.
            self.nested(head)
            if call_op:
                self.gap(head.line, f"runs a program only known at run time ({head.text})")
            return ""
        if head.kind != "word" or (head.quoted and not call_op):
            return ""  # a value (`'text'`, `(1 + 2)`), not a command
        if head.text == "." and len(words) > 1:
            self.gap(head.line, "dot-sources a script (its code joins this session)")
            return ""
        raw = head.text
        name = raw.rsplit("\\", 1)[-1].lower() if "\\" in raw and "-" in raw else raw.lower()
        name = self.aliases.get(name, name)
        name = _ALIASES.get(name, name)
        cmd = _Cmd(name, raw, head.line)
        self.bind(cmd, words[1:])
        out = self.translate(cmd, fed, before) + redirect
        self.previous = cmd
        return out

    def expression(self, tok: Tok, fed: bool) -> str:
        """``(irm URL)`` as the first element: the web call inside, if any."""
        for st in tok.stmts:
            if st and st[0].kind == "sub":
                inner = self.expression(st[0], fed)
                if inner:
                    return inner
            if st and st[0].kind == "word":
                low = _ALIASES.get(st[0].text.lower(), st[0].text.lower())
                if low in ("invoke-webrequest", "invoke-restmethod"):
                    cmd = _Cmd(low, st[0].text, st[0].line)
                    self.bind(cmd, st[1:])
                    return self.web(cmd)
        for name, args in tok.members:
            url = next((a.text for a in args if "://" in a.text), None)
            if name.lower() in _WEB_METHODS and url:
                return curl(url)
        return ""

    def bind(self, cmd: _Cmd, toks: list[Tok]) -> None:
        switches = _PARAMS.get(cmd.name, ((), (), ()))[0]
        i = 0
        while i < len(toks):
            t = toks[i]
            cmd.toks.append(t)
            if t.kind == "word" and not t.quoted and t.text.startswith("-") and len(t.text) > 1:
                text = t.text
                value: Tok | None = None
                if ":" in text[1:]:
                    text, _, after = text.partition(":")
                    value = Tok("word", after, t.line)
                pname = _param_name(cmd.name, text)
                if value is None and pname not in switches and cmd.name in _PARAMS:
                    nxt = toks[i + 1] if i + 1 < len(toks) else None
                    if nxt is not None and not (
                        nxt.kind == "word" and not nxt.quoted and nxt.text.startswith("-")
                    ):
                        value = nxt
                        i += 1
                        cmd.toks.append(nxt)
                cmd.params[pname] = value
            else:
                cmd.args.append(t)
            i += 1
        positional = _PARAMS.get(cmd.name, ((), (), ()))[1]
        rest = list(cmd.args)
        for pname in positional:
            if pname not in cmd.params and rest:
                cmd.params[pname] = rest.pop(0)
        cmd.args = rest

    def path_word(self, tok: Tok | None) -> str:
        if tok is None:
            return "''"
        if tok.kind != "word" or tok.dynamic:
            return '"$X"'
        text = posix_path(tok.text)
        return word(text)

    def paths(self, cmd: _Cmd, *names: str) -> list[str]:
        out: list[str] = []
        for name in names:
            tok = cmd.params.get(name)
            if tok is None:
                continue
            if tok.kind == "word" and not tok.dynamic and "," in tok.text:
                out += [word(posix_path(p.strip())) for p in tok.text.split(",") if p.strip()]
            else:
                out.append(self.path_word(tok))
        return out

    def provider(self, cmd: _Cmd) -> bool:
        """True (and a gap when it writes) for a path on a provider drive (registry, env...)."""
        tok = cmd.params.get("path") or cmd.params.get("literalpath")
        if tok is None or tok.kind != "word" or not _PROVIDER.match(tok.text):
            return False
        if cmd.name not in _HARMLESS:
            self.gap(cmd.line, f"{cmd.raw} on {tok.text.split(':')[0]}: (registry or provider)")
        return True

    def translate(self, cmd: _Cmd, fed: bool, before: list[str]) -> str:
        name, line = cmd.name, cmd.line
        if self.provider(cmd):
            return ""
        if name in self.functions:
            return ""  # its body was read where it was defined
        if "whatif" in cmd.params:
            return ""
        if name == "remove-item":
            paths = self.paths(cmd, "path", "literalpath")
            recurse = "recurse" in cmd.params
            if not paths and fed:
                # `Get-ChildItem P -Recurse | Remove-Item`: what is listed under P is deleted.
                prev = self.previous
                if prev is None or prev.name not in _LISTERS:
                    self.gap(line, "Remove-Item of items only known at run time")
                    return ""
                paths = self.paths(prev, "path", "literalpath") or ["."]
                recurse = recurse or "recurse" in prev.params
            flags = ["-r"] * recurse + ["-f"] * ("force" in cmd.params)
            return " ".join(["rm", *flags, "--", *paths]) if paths else ""
        if name in ("get-content", "get-filehash"):
            paths = self.paths(cmd, "path", "literalpath")
            return " ".join(["cat", "--", *paths]) if paths else ""
        if name in ("get-childitem", "get-item", "get-itemproperty", "test-path", "resolve-path"):
            paths = self.paths(cmd, "path", "literalpath")
            listing = ["-R"] * ("recurse" in cmd.params)
            return " ".join(["ls", *listing, "--", *paths]) if paths else ""
        if name == "select-string":
            paths = self.paths(cmd, "path", "literalpath")
            paths += [self.path_word(a) for a in cmd.args[1:]]
            return " ".join(["grep", "-e", "x", "--", *paths]) if paths else ""
        if name in ("set-content", "add-content", "clear-content", "out-file", "tee-object"):
            paths = self.paths(cmd, "path", "literalpath", "filepath")
            append = name == "add-content" or "append" in cmd.params
            value = cmd.params.get("value")
            text = self.path_word(value) if value is not None and value.kind == "word" else ""
            # The text written is kept as an argument: rules read it (a hooks-off switch).
            writer = f"printf %s {text}" if text and text != "''" else ":"
            return f"{writer} {'>>' if append else '>'} {paths[0]}" if paths else ""
        if name in ("new-item", "mkdir"):
            kind = cmd.params.get("itemtype") or cmd.params.get("type")
            kind_text = kind.text.lower() if kind is not None else ""
            paths = self.paths(cmd, "path")
            if name == "mkdir" and not paths:
                paths = [self.path_word(a) for a in cmd.args]
            ntok, ptok = cmd.params.get("name"), cmd.params.get("path")
            if ntok is not None:
                if ntok.dynamic or ntok.kind != "word" or (ptok is not None and ptok.dynamic):
                    paths = ['"$X"']
                else:
                    base = ptok.text.rstrip("\\/") + "/" if ptok is not None else ""
                    paths = [word(posix_path(base + ntok.text))]
            if not paths:
                return ""
            if kind_text in ("symboliclink", "junction", "hardlink"):
                target = self.path_word(cmd.params.get("value") or cmd.params.get("target"))
                return f"ln -s {target} {paths[0]}"
            if name == "mkdir" or kind_text in ("directory", "container"):
                return "mkdir -p -- " + " ".join(paths)
            return ": > " + paths[0] if "value" in cmd.params else "touch -- " + " ".join(paths)
        if name in ("copy-item", "move-item", "rename-item", "expand-archive", "compress-archive"):
            src = self.paths(cmd, "path", "literalpath")
            dst = self.paths(cmd, "destination", "newname", "destinationpath")
            if name == "expand-archive":
                return f"unzip -o {src[0] if src else ''} -d {dst[0] if dst else '.'}"
            if name == "compress-archive":
                return f"zip -r {dst[0] if dst else 'x.zip'} {' '.join(src)}"
            tool = "mv"
            if name == "copy-item":
                tool = "cp -r" if "recurse" in cmd.params else "cp"
            if not src:
                return ""
            return " ".join([tool, "--", *src, *(dst or ["."])])
        if name == "set-location":
            paths = self.paths(cmd, "path", "literalpath")
            return "cd " + paths[0] if paths else ""
        if name in ("invoke-webrequest", "invoke-restmethod"):
            return self.web(cmd)
        if name == "invoke-expression":
            return self.invoke_expression(cmd, fed, before)
        if name == "start-process":
            return self.start_process(cmd)
        if name == "stop-process":
            tok = cmd.params.get("name")
            if tok is not None:
                pattern = "." if tok.text in ("*", "") else tok.text
                return "pkill " + (word(pattern) if not tok.dynamic else '"$X"')
            ids = self.paths(cmd, "id")
            return "kill " + " ".join(ids) if ids else ""
        if name in ("invoke-command", "start-job", "start-threadjob", "foreach-object",
                    "where-object"):  # fmt: skip
            if "computername" in cmd.params or "session" in cmd.params:
                self.gap(cmd.line, "runs a script block on another computer")
            if "filepath" in cmd.params:
                return "pwsh -File " + self.path_word(cmd.params["filepath"])
            return ""
        if name == "get-secret":
            secret = cmd.params.get("name")
            return "pass show " + (word(secret.text) if secret is not None else "x")
        if name in ("set-alias", "new-alias"):
            words = [t.text.lower() for t in cmd.args if t.kind == "word"]
            given = [cmd.params.get("name"), cmd.params.get("value")]
            spare = iter(words)
            pair = [t.text.lower() if t is not None else next(spare, "") for t in given]
            if pair[0] and pair[1]:
                self.aliases[pair[0]] = _ALIASES.get(pair[1], pair[1])
            return ""
        if name in _DIRECT:
            return _DIRECT[name]
        if name in _GAPS:
            self.gap(line, f"{cmd.raw}: {_GAPS[name]}")
            return ""
        if name in _HARMLESS:
            return ""
        if name in ("pwsh", "powershell", "pwsh.exe", "powershell.exe"):
            return self.native(cmd)
        if name in ("cmd", "cmd.exe"):
            self.gap(line, "runs a cmd.exe command line (not read)")
            return ""
        verb_noun = _VERB_NOUN.match(cmd.raw)
        if (
            verb_noun
            and (verb_noun[1].lower() in _VERBS or _PASCAL.match(cmd.raw))
            and not name.startswith("superego")
        ):
            self.gap(line, f"unknown cmdlet {cmd.raw}")
            return ""
        return self.native(cmd)

    def web(self, cmd: _Cmd) -> str:
        uri = cmd.params.get("uri")
        if uri is None or uri.kind != "word":
            self.gap(cmd.line, f"{cmd.raw} of a URL only known at run time")
            return ""
        method = cmd.params.get("method")
        out = cmd.params.get("outfile")
        data = "body" in cmd.params or "infile" in cmd.params or "form" in cmd.params
        url = uri.text if not uri.dynamic else "https://unknown.invalid/"
        if uri.dynamic:
            self.gap(cmd.line, f"{cmd.raw} of a URL only known at run time")
        return curl(
            url,
            method.text if method is not None else "GET",
            data=data,
            out=posix_path(out.text) if out is not None and not out.dynamic else None,
        )

    def invoke_expression(self, cmd: _Cmd, fed: bool, before: list[str]) -> str:
        tok = cmd.params.get("command")
        if tok is None:
            if fed and before:
                return "sh"  # `irm URL | iex`: what came before runs as code
            self.gap(cmd.line, "Invoke-Expression of text only known at run time")
            return ""
        if tok.kind == "word" and not tok.dynamic:
            inner = read_powershell(tok.text, self.depth + 1, self.vars)
            for e in inner.effects:
                self.report.effect(cmd.line, e.shell)
            for _, why in inner.gaps:
                self.gap(cmd.line, why)
            return ""
        if tok.kind == "sub":
            code = self.expression(tok, fed=False)
            if code:
                return f'eval "$({code})"'
        self.gap(cmd.line, "Invoke-Expression of text only known at run time")
        return ""

    def start_process(self, cmd: _Cmd) -> str:
        program = cmd.params.get("filepath")
        if program is None or program.kind != "word" or program.dynamic:
            self.gap(cmd.line, "Start-Process of a program only known at run time")
            return ""
        args = cmd.params.get("argumentlist")
        argv = [word(posix_path(program.text).removesuffix(".exe"))]
        if args is not None:
            if args.dynamic or args.kind != "word":
                self.gap(cmd.line, "Start-Process with arguments only known at run time")
            else:
                argv += [word(posix_path(a.strip())) for a in re.split(r"[ ,]+", args.text) if a]
        verb = cmd.params.get("verb")
        sudo = ["sudo"] if verb is not None and verb.text.lower() == "runas" else []
        return " ".join([*sudo, *argv])

    def native(self, cmd: _Cmd) -> str:
        """A program that is not a cmdlet (git, npm, python, a .exe): run as written (its
        arguments that are Windows paths as POSIX paths)."""
        program = posix_path(cmd.raw)
        if program.lower().endswith(".exe"):
            program = program[:-4]
        if program.lower().endswith(".ps1"):
            return "pwsh -File " + word(program)
        argv = [word(program)]
        for tok in cmd.toks:
            if tok.kind == "word":
                text = tok.text
                if _DRIVE.match(text) or text.startswith((".\\", "..\\", "~\\", "\\\\")):
                    text = posix_path(text)
                argv.append('"$X"' if tok.dynamic else word(text))
            elif tok.kind in ("sub", "block"):
                argv.append('"$X"')
        return " ".join(argv)


def _decoded(source: str) -> str:
    """``-EncodedCommand``'s argument (base64 of UTF-16LE) as text; else the source."""
    text = source.strip()
    if len(text) < 8 or len(text) % 4 or not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", text):
        return source
    try:
        decoded = base64.b64decode(text, validate=True).decode("utf-16-le")
    except (ValueError, UnicodeDecodeError):
        return source
    return decoded if decoded.isprintable() or "\n" in decoded else source


def read_powershell(source: str, depth: int = 0, variables: dict[str, str] | None = None) -> Report:
    """Effects and gaps of PowerShell ``source``; never raises (a failure is a gap)."""
    report = Report()
    if depth > _MAX_DEPTH:
        report.gap(1, "Invoke-Expression nested too deeply")
        return report
    text = _decoded(source)
    known = dict(_KNOWN_VARS) if variables is None else variables
    reader = _Reader(text, known)
    reader.nested = []
    try:
        statements = reader.statements()
    except _Unreadable as exc:
        report.gap(reader.line, f"PowerShell not read: {exc}")
        return report
    except RecursionError:
        report.gap(1, "PowerShell nested too deeply")
        return report
    walker = Walker(report, known, depth)
    try:
        for st in reader.nested:
            walker.statement(st)
        for st in statements:
            walker.statement(st)
    except (RecursionError, IndexError, KeyError, ValueError) as exc:
        report.gap(1, f"PowerShell not read ({type(exc).__name__})")
    return report
