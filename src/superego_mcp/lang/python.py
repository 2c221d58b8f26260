"""Python source read for what it would do to the machine (tree-sitter-python).

The reader is flow-insensitive and conservative: it visits every call in the code (function
bodies, lambdas and branches included, whether or not they run), resolves what is called
through imports, simple assignments, ``getattr``/``__import__``/``importlib`` with literal
names and string folding, and turns what it knows into :class:`~.report.Effect` command
lines: deleting, moving, copying and writing files, running programs and shell strings,
reading files, HTTP and socket connections, signals. Anything it cannot follow (a value only
known at run time where it matters, ``eval``/``exec`` of such a string, modules that run
arbitrary code such as ``ctypes`` or ``pickle``, functions of modules it does not know) is a
gap, and code with a gap is not fully analysed.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from .report import RISKY_ENV, Report, command, curl, word

if TYPE_CHECKING:
    from tree_sitter import Node

Val = tuple[str, Any]
UNKNOWN: Val = ("unknown", None)
PURE: Val = ("pure", None)

MAX_NODES = 200_000  # nodes read for one piece of code (nested exec strings included)
MAX_NESTING = 8  # exec("exec('...')") levels

# Modules with no effect on the machine beyond this process (reading is judged elsewhere).
_PURE_MODULES = frozenset(
    ["abc", "argparse", "array", "ast", "base64", "binascii", "bisect", "calendar", "cmath",
     "codecs", "collections", "colorsys", "contextlib", "contextvars", "copy", "csv", "dataclasses",
     "datetime", "decimal", "difflib", "dis", "enum", "errno", "fnmatch", "fractions", "functools",
     "getopt", "getpass", "gettext", "glob", "graphlib", "hashlib", "heapq", "hmac", "html",
     "html.parser", "inspect", "io", "ipaddress", "itertools", "json", "keyword", "linecache",
     "locale", "logging", "math", "mimetypes", "multiprocessing", "numbers", "operator", "os.path",
     "platform", "pprint", "pwd", "grp", "queue", "quopri", "random", "re", "reprlib", "resource",
     "sched", "secrets", "select", "selectors", "shlex", "signal", "site", "stat", "statistics",
     "string", "stringprep", "struct", "sys", "sysconfig", "tabnanny", "textwrap", "threading",
     "time", "timeit", "token", "tokenize", "tomllib", "traceback", "types", "typing",
     "typing_extensions", "unicodedata", "unittest", "urllib.parse", "uuid", "warnings", "weakref",
     "xml", "xml.etree", "xml.etree.ElementTree", "xml.dom", "zlib", "zoneinfo", "concurrent",
     "concurrent.futures", "email", "email.utils", "importlib.metadata", "importlib.resources",
     "posixpath", "ntpath", "__future__", "tempfile"]
)  # fmt: skip
# Attributes of otherwise pure modules that are not pure.
_NOT_PURE = frozenset(
    {"sys.modules", "sys.settrace", "sys.setprofile", "sys.addaudithook", "sys._getframe",
     "sys.meta_path", "sys.path_hooks", "gc.get_objects", "gc.get_referrers",
     "inspect.currentframe", "inspect.stack", "signal.pthread_kill", "codecs.open",
     "io.open", "io.FileIO", "logging.FileHandler", "threading.settrace", "os.path.os",
     "tempfile.os", "glob.os", "shlex.os"}
)  # fmt: skip
# Functions of pure modules that may write a file the caller names.
_WATCHED = frozenset(
    {"logging.basicConfig", "tempfile.NamedTemporaryFile", "tempfile.TemporaryFile",
     "tempfile.SpooledTemporaryFile", "tempfile.mkstemp", "tempfile.mkdtemp",
     "tempfile.TemporaryDirectory"}
)  # fmt: skip
# Modules whose import alone means the code does things Superego cannot follow.
_OPAQUE_MODULES = frozenset(
    ["ctypes", "cffi", "pickle", "cPickle", "_pickle", "marshal", "dill", "cloudpickle", "shelve",
     "code", "codeop", "runpy", "pty", "_posixsubprocess", "_winapi", "imp", "zipimport",
     "importlib.machinery", "importlib.util", "importlib._bootstrap", "builtins", "__builtin__",
     "gc", "mmap"]
)  # fmt: skip
# Modules modelled function by function (anything else of theirs is a gap).
_MODELLED = frozenset(
    ["os", "shutil", "subprocess", "pathlib", "socket", "urllib", "urllib.request", "http",
     "http.client", "requests", "httpx", "urllib3", "importlib", "asyncio"]
)  # fmt: skip
_BUILTINS_PURE = frozenset(
    ["print", "len", "str", "int", "float", "bool", "list", "dict", "set", "tuple", "sorted",
     "range", "enumerate", "zip", "map", "filter", "sum", "min", "max", "abs", "round", "repr",
     "hex", "oct", "bin", "chr", "ord", "isinstance", "issubclass", "type", "id", "hash", "any",
     "all", "iter", "next", "reversed", "format", "divmod", "pow", "hasattr", "callable", "input",
     "frozenset", "bytes", "bytearray", "slice", "object", "super", "property", "staticmethod",
     "classmethod", "exit", "quit", "dir", "help", "ascii", "complex", "aiter", "anext",
     "Exception", "BaseException", "ValueError", "TypeError", "KeyError", "IndexError",
     "RuntimeError", "OSError", "IOError", "FileNotFoundError", "NotImplementedError",
     "AttributeError", "ImportError", "StopIteration", "SystemExit", "KeyboardInterrupt",
     "AssertionError", "ZeroDivisionError", "PermissionError", "FileExistsError",
     "UnicodeDecodeError", "UnicodeEncodeError", "LookupError", "ArithmeticError", "NameError",
     "ModuleNotFoundError", "TimeoutError", "ConnectionError", "EOFError", "NotImplemented",
     "Ellipsis", "True", "False", "None", "__name__", "__file__", "__doc__", "memoryview"]
)  # fmt: skip
_DANGEROUS_BUILTINS = frozenset(
    {"eval", "exec", "compile", "__import__", "getattr", "setattr", "delattr", "globals",
     "locals", "vars", "open", "breakpoint", "__builtins__", "__loader__", "__spec__"}
)  # fmt: skip
_SAFE_DUNDERS = frozenset({"__name__", "__version__", "__file__", "__doc__", "__init__",
                           "__main__", "__enter__", "__exit__", "__str__", "__repr__"})  # fmt: skip
# Methods that act on the value they are called on only (strings, lists, dicts, files
# opened earlier, regex matches, responses...): harmless on a value of unknown kind.
_SAFE_METHODS = frozenset(
    ["split", "rsplit", "strip", "lstrip", "rstrip", "join", "lower", "upper", "title",
     "capitalize", "startswith", "endswith", "find", "rfind", "index", "count", "format", "encode",
     "decode", "splitlines", "partition", "rpartition", "isdigit", "isalpha", "isalnum", "isspace",
     "isupper", "islower", "isnumeric", "isdecimal", "isidentifier", "zfill", "ljust", "rjust",
     "center", "casefold", "removeprefix", "removesuffix", "expandtabs", "format_map", "translate",
     "maketrans", "append", "extend", "insert", "pop", "remove", "sort", "reverse", "copy", "clear",
     "get", "keys", "values", "items", "update", "setdefault", "popitem", "add", "discard", "union",
     "intersection", "difference", "symmetric_difference", "issubset", "issuperset", "isdisjoint",
     "read", "readline", "readlines", "write", "writelines", "close", "flush", "seek", "tell",
     "fileno", "isatty", "truncate", "group", "groups", "groupdict", "span", "start", "end", "sub",
     "subn", "findall", "search", "match", "fullmatch", "finditer", "hexdigest", "digest",
     "isoformat", "strftime", "strptime", "timestamp", "total_seconds", "date", "time", "now",
     "today", "utcnow", "fromtimestamp", "fromisoformat", "most_common", "elements", "json",
     "raise_for_status", "iter_lines", "iter_content", "result", "done", "cancel", "exception",
     "add_done_callback", "submit", "shutdown", "acquire", "release", "wait", "notify",
     "notify_all", "set", "is_set", "put", "put_nowait", "get_nowait", "qsize", "empty", "full",
     "task_done", "getvalue", "to_bytes", "from_bytes", "bit_length", "conjugate", "is_integer",
     "as_integer_ratio", "hex", "fromhex", "tolist", "item", "astype", "reshape", "sum", "mean",
     "max", "min", "argmax", "argmin", "describe", "head", "tail", "info", "keys", "add_argument",
     "add_argument_group", "add_mutually_exclusive_group", "add_parser", "add_subparsers",
     "parse_args", "parse_known_args", "set_defaults", "print_help", "print_usage", "error", "exit",
     "debug", "warning", "critical", "log", "exception", "getLogger", "setLevel", "addHandler",
     "basicConfig", "getEffectiveLevel", "next", "send", "throw", "__enter__", "__exit__",
     "__aenter__", "__aexit__", "__init__", "__str__", "__repr__", "__eq__", "__hash__", "__len__",
     "as_posix", "with_suffix", "with_name", "with_stem", "relative_to", "is_relative_to",
     "joinpath", "resolve", "absolute", "expanduser", "exists", "is_file", "is_dir", "is_symlink",
     "iterdir", "glob", "rglob", "stat", "lstat", "owner", "samefile", "match", "parents", "parent",
     "name", "suffix", "stem", "parts", "cast", "__call__", "__iter__", "__next__", "__getitem__",
     "__contains__", "gettext", "ngettext"]
)  # fmt: skip
# Path methods and what they do (``p`` is the path, ``t`` the first argument).
_PATH_EFFECTS = {
    "unlink": "rm -f -- {p}",
    "rmdir": "rmdir -- {p}",
    "write_text": ": > {p}",
    "write_bytes": ": > {p}",
    "touch": "touch -- {p}",
    "mkdir": "mkdir -p -- {p}",
    "rename": "mv -f -- {p} {t}",
    "replace": "mv -f -- {p} {t}",
    "symlink_to": "ln -s -- {t} {p}",
    "hardlink_to": "ln -- {t} {p}",
    "read_text": "cat -- {p}",
    "read_bytes": "cat -- {p}",
    "chmod": "chmod {m} -- {p}",
    "lchmod": "chmod {m} -- {p}",
}
# os / shutil functions on paths: (template, number of path arguments).
_FILE_FUNCS = {
    "os.remove": ("rm -f -- {0}", 1),
    "os.unlink": ("rm -f -- {0}", 1),
    "os.rmdir": ("rmdir -- {0}", 1),
    "os.removedirs": ("rmdir -p -- {0}", 1),
    "shutil.rmtree": ("rm -rf -- {0}", 1),
    "os.rename": ("mv -f -- {0} {1}", 2),
    "os.replace": ("mv -f -- {0} {1}", 2),
    "os.renames": ("mv -f -- {0} {1}", 2),
    "shutil.move": ("mv -f -- {0} {1}", 2),
    "shutil.copy": ("cp -- {0} {1}", 2),
    "shutil.copy2": ("cp -p -- {0} {1}", 2),
    "shutil.copyfile": ("cp -- {0} {1}", 2),
    "shutil.copymode": ("cp -- {0} {1}", 2),
    "shutil.copystat": ("cp -- {0} {1}", 2),
    "shutil.copytree": ("cp -r -- {0} {1}", 2),
    "os.mkdir": ("mkdir -p -- {0}", 1),
    "os.makedirs": ("mkdir -p -- {0}", 1),
    "os.symlink": ("ln -s -- {0} {1}", 2),
    "os.link": ("ln -- {0} {1}", 2),
    "os.truncate": (": > {0}", 1),
    "os.utime": ("touch -- {0}", 1),
    "os.mkfifo": ("mkfifo -- {0}", 1),
    "os.chdir": ("cd -- {0}", 1),
    "shutil.unpack_archive": ("tar -xf {0} -C {1}", 2),
}
_OS_PURE = frozenset(
    ["getcwd", "getcwdb", "listdir", "scandir", "walk", "fwalk", "stat", "lstat", "getenv",
     "getenvb", "environ", "cpu_count", "getpid", "getppid", "uname", "sep", "altsep", "extsep",
     "linesep", "name", "pathsep", "curdir", "pardir", "devnull", "get_terminal_size", "urandom",
     "access", "fspath", "fsencode", "fsdecode", "getuid", "geteuid", "getgid", "getegid",
     "getgroups", "getlogin", "isatty", "readlink", "getloadavg", "strerror", "times", "path",
     "putenv", "unsetenv", "sched_getaffinity", "get_exec_path", "get_blocking", "getpgrp",
     "getpgid", "getsid", "umask", "W_OK", "R_OK", "X_OK", "F_OK", "O_RDONLY", "O_WRONLY", "O_RDWR",
     "O_CREAT", "SEEK_SET", "SEEK_END", "SEEK_CUR", "EX_OK", "supports_fd",
     "supports_follow_symlinks", "terminal_size", "stat_result", "DirEntry", "PathLike", "error",
     "close", "dup", "dup2", "pipe", "read", "write", "get_inheritable", "set_inheritable",
     "cpu_count", "fstat", "waitpid", "wait", "WEXITSTATUS", "WIFEXITED", "getrandom",
     "process_cpu_count"]
)  # fmt: skip
_SHUTIL_PURE = frozenset({"which", "disk_usage", "get_terminal_size", "copyfileobj",
                          "get_archive_formats", "get_unpack_formats", "Error",
                          "SameFileError"})  # fmt: skip
_SUBPROCESS_RUN = frozenset({"run", "call", "check_call", "check_output", "Popen"})
_SUBPROCESS_PURE = frozenset({"PIPE", "STDOUT", "DEVNULL", "CalledProcessError",
                              "TimeoutExpired", "CompletedProcess", "SubprocessError",
                              "list2cmdline"})  # fmt: skip
_HTTP_VERBS = {"get": "GET", "head": "HEAD", "options": "OPTIONS", "post": "POST",
               "put": "PUT", "patch": "PATCH", "delete": "DELETE"}  # fmt: skip
_HTTP_LIBS = frozenset({"requests", "httpx", "urllib3"})
_SOCKET_PURE = frozenset({"gethostname", "gethostbyname", "gethostbyname_ex", "getfqdn",
                          "getaddrinfo", "inet_aton", "inet_ntoa", "inet_pton", "inet_ntop",
                          "htons", "ntohs", "htonl", "ntohl", "AF_INET", "AF_INET6",
                          "AF_UNIX", "SOCK_STREAM", "SOCK_DGRAM", "SOL_SOCKET",
                          "SO_REUSEADDR", "timeout", "error", "gaierror",
                          "herror", "has_ipv6", "getservbyname", "IPPROTO_TCP",
                          "TCP_NODELAY", "SHUT_RDWR", "setdefaulttimeout",
                          "getdefaulttimeout"})  # fmt: skip
# Names of functions of modules Superego does not know that only ask about things.
_READISH = ("get_", "is_", "has_", "version", "__version__", "show", "describe", "info")
# Functions of well-known third-party modules that only compute.
_PURE_CALLS = frozenset(
    {"yaml.safe_load", "yaml.safe_load_all", "yaml.safe_dump", "yaml.safe_dump_all",
     "yaml.dump", "toml.load", "toml.loads", "toml.dumps", "tomli.load", "tomli.loads",
     "tomlkit.parse", "tomlkit.loads", "tomlkit.dumps", "tomli_w.dumps", "orjson.loads",
     "orjson.dumps", "ujson.loads", "ujson.dumps", "packaging.version.parse",
     "packaging.version.Version", "dateutil.parser.parse", "chardet.detect"}
)  # fmt: skip


# Parents whose identifier children are names being defined, not values being used.
_NOT_VALUES = frozenset(
    {"keyword_argument", "import_statement", "dotted_name", "aliased_import",
     "function_definition", "class_definition", "parameters", "import_from_statement"}
)  # fmt: skip


# The syntax nodes the reader looks at (found by a query): what binds names, and uses.
_BIND_KINDS = frozenset(
    {"import_statement", "import_from_statement", "assignment", "function_definition",
     "class_definition", "for_statement", "for_in_clause", "as_pattern", "named_expression",
     "augmented_assignment", "global_statement", "nonlocal_statement", "parameters",
     "lambda_parameters"}
)  # fmt: skip
_KINDS = (*sorted(_BIND_KINDS), "call", "identifier", "attribute")
# A name bound more often than this (not to modules) is not followed: its value is unknown.
_MAX_BINDINGS = 16


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "surrogatepass")


class _Reader:
    """One reading of a piece of Python code (and of the literal strings it executes)."""

    def __init__(self, report: Report, depth: int, offset: int, budget: list[int]) -> None:
        self.report = report
        self.depth = depth
        self.offset = offset  # line of this code's first line in the outermost code, minus 1
        self.budget = budget
        self.binds: dict[str, list[Node | Val]] = {}
        self.locals: set[str] = set()
        self.calls: dict[int, Val] = {}
        self.busy: set[int] = set()
        self.callees: set[int] = set()
        self.names: dict[str, Val] = {}  # a name's value, once every binding is known
        self.resolving: set[str] = set()
        self.ready = False

    # ------------------------------------------------------------ entry

    def read(self, source: str) -> None:
        from .parsers import parse, select

        tree = parse("python", source.encode("utf-8", "surrogatepass"))
        root = tree.root_node
        if root.has_error:
            self.gap(root, "a syntax error (Superego reads what Python would parse)")
            return
        nodes = select("python", root, _KINDS)
        self.budget[0] -= len(nodes)
        if self.budget[0] < 0:
            self.gap(root, f"over {MAX_NODES} syntax nodes to read")
            return
        for node in nodes:
            if node.type in _BIND_KINDS:
                self._bind(node)
        self.ready = True
        for node in nodes:
            if node.type == "call":
                fn = node.child_by_field_name("function")
                if fn is not None:
                    self.callees.add(fn.id)
        for node in nodes:
            kind = node.type
            if kind == "call":
                self.call(node)
            elif kind in ("identifier", "attribute") and node.id not in self.callees:
                self._reference(node)

    def line(self, node: Node) -> int:
        return self.offset + node.start_point[0] + 1

    def gap(self, node: Node, why: str) -> None:
        self.report.gap(self.line(node), why)

    def effect(self, node: Node, shell: str) -> None:
        self.report.effect(self.line(node), shell)

    # ------------------------------------------------------------ names

    def _bind(self, node: Node) -> None:
        kind = node.type
        if kind == "import_statement":
            for name in node.children_by_field_name("name"):
                if name.type == "aliased_import":
                    target = name.child_by_field_name("name")
                    alias = name.child_by_field_name("alias")
                    if target is not None and alias is not None:
                        self._import(node, _text(target))
                        self._set(_text(alias), ("mod", _text(target)))
                else:
                    full = _text(name)
                    self._import(node, full)
                    top = full.split(".", 1)[0]
                    self._set(top, ("mod", top))
        elif kind == "import_from_statement":
            module = node.child_by_field_name("module_name")
            base = _text(module) if module is not None else ""
            if base.startswith("."):
                base = "\0project" + base  # a module of the project: not known
            else:
                self._import(node, base)
            if any(c.type == "wildcard_import" for c in node.children):
                if base in _MODELLED or base in _OPAQUE_MODULES or base.split(".")[0] in _MODELLED:
                    self.gap(node, f"imports every name of {base}")
                return
            for name in node.children_by_field_name("name"):
                if name.type == "aliased_import":
                    target = name.child_by_field_name("name")
                    alias = name.child_by_field_name("alias")
                    if target is None or alias is None:
                        continue
                    local, attr = _text(alias), _text(target)
                else:
                    local = attr = _text(name)
                self._import(node, f"{base}.{attr}")
                self._set(local, self.attr(("mod", base), attr, node))
        elif kind == "assignment":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if left is not None and left.type == "identifier" and right is not None:
                self._set(_text(left), right)
            elif left is not None and left.type == "subscript":
                self._env_assignment(left)
            elif left is not None:
                for ident in self._identifiers(left):
                    self._set(ident, UNKNOWN)
        elif kind in ("function_definition", "class_definition"):
            defined = node.child_by_field_name("name")
            if defined is not None:
                self._set(_text(defined), ("local", _text(defined)))
                self.locals.add(_text(defined))
        elif kind in ("for_statement", "for_in_clause"):
            left = node.child_by_field_name("left")
            for ident in self._identifiers(left) if left is not None else ():
                self._set(ident, UNKNOWN)
        elif kind == "as_pattern" and node.named_children:
            # with X as c / except E as e: c is (what X gives, usually) X
            alias = node.child_by_field_name("alias")
            names = self._identifiers(alias) if alias is not None else []
            value: Node | Val = node.named_children[0] if len(names) == 1 else UNKNOWN
            for ident in names:
                self._set(ident, value)
        elif kind in ("named_expression", "augmented_assignment",
                      "global_statement", "nonlocal_statement"):  # fmt: skip
            target = node.child_by_field_name("alias") or node.child_by_field_name("name")
            target = target or node.child_by_field_name("left")
            for ident in self._identifiers(target) if target is not None else ():
                self._set(ident, UNKNOWN)
        elif kind in ("parameters", "lambda_parameters"):
            for ident in self._identifiers(node):
                self._set(ident, UNKNOWN)

    def _env_assignment(self, target: Node) -> None:
        """``os.environ[KEY] = ...``: a variable that changes what child processes run."""
        base = target.child_by_field_name("value")
        key = target.child_by_field_name("subscript")
        if base is None or self.eval(base) != ("fn", "os.environ"):
            return
        name = self._literal(key)
        if name is None or name in RISKY_ENV:
            self.gap(target, f"sets the environment variable {name or '(a run-time name)'}")

    def _identifiers(self, node: Node) -> list[str]:
        out: list[str] = []
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type == "identifier":
                out.append(_text(n))
            elif n.type not in ("attribute", "subscript", "default_parameter",
                                "typed_default_parameter", "type"):  # fmt: skip
                stack.extend(n.children)
            elif n.type in ("default_parameter", "typed_default_parameter"):
                name = n.child_by_field_name("name")
                if name is not None:
                    out.append(_text(name))
        return out

    def _set(self, name: str, value: Node | Val) -> None:
        self.binds.setdefault(name, []).append(value)

    def _import(self, node: Node, module: str) -> None:
        if any(module == m or module.startswith(m + ".") for m in _OPAQUE_MODULES):
            self.gap(node, f"imports {module}, which can run code Superego cannot read")

    def name(self, node: Node) -> Val:
        name = _text(node)
        bound = self.binds.get(name)
        if bound is not None:
            cached = self.names.get(name)
            if cached is not None:
                return cached
            if name in self.resolving:
                return UNKNOWN  # a = f(a): a cycle
            if len(bound) > _MAX_BINDINGS and not all(isinstance(b, tuple) for b in bound):
                value = UNKNOWN  # bound all over the code: not one value anyway
            else:
                self.resolving.add(name)
                try:
                    values = {self._value(b) for b in bound}
                finally:
                    self.resolving.discard(name)
                value = values.pop() if len(values) == 1 else UNKNOWN
            if self.ready:
                self.names[name] = value
            return value
        if name in _BUILTINS_PURE or name in _DANGEROUS_BUILTINS:
            return ("builtin", name)
        return UNKNOWN

    def _value(self, bound: Node | Val) -> Val:
        if isinstance(bound, tuple):
            return bound
        if bound.id in self.busy:
            return UNKNOWN  # x = f(x): a cycle
        self.busy.add(bound.id)
        try:
            return self.eval(bound)
        finally:
            self.busy.discard(bound.id)

    def _reference(self, node: Node) -> None:
        """A name used but not called: a dangerous function passed around is a gap."""
        parent = node.parent
        if parent is None:
            return
        if parent.type == "attribute" and parent.child_by_field_name("object") != node:
            return  # the attribute part of x.y
        if parent.type in _NOT_VALUES and (
            parent.type != "keyword_argument" or parent.child_by_field_name("value") != node
        ):
            return
        if node.type == "identifier":
            if _text(node) in ("__builtins__", "__loader__", "__spec__") and not (
                self.binds.get(_text(node))
            ):
                self.gap(node, f"uses {_text(node)}")
                return
            value = self.name(node)
        else:
            value = self.eval(node)
        kind, data = value
        dangerous = (kind == "builtin" and data in _DANGEROUS_BUILTINS - {"open"}) or (
            kind == "fn" and self._has_effect(data)
        )
        if dangerous and parent.type != "assignment":
            self.gap(node, f"passes {data} around")
        elif kind == "mod" and data.split(".", 1)[0] in _MODELLED and not self._module_use(node):
            # operator.attrgetter("system")(os), inspect.getmodule(os), return os, ...
            self.gap(node, f"passes the {data} module around")

    def _module_use(self, node: Node) -> bool:
        """A module used as itself: the base of an attribute, aliased by an assignment, the
        object of getattr/hasattr (whose literal names are followed)."""
        parent = node.parent
        if parent is None:
            return True
        if parent.type == "attribute":
            return parent.child_by_field_name("object") == node
        if parent.type == "assignment":
            return True
        if parent.type == "argument_list" and parent.named_children[:1] == [node]:
            call = parent.parent
            fn = call.child_by_field_name("function") if call is not None else None
            return fn is not None and _text(fn) in ("getattr", "hasattr")
        return parent.type in ("expression_statement", "comparison_operator")

    @staticmethod
    def _has_effect(qual: str) -> bool:
        mod, _, attr = qual.rpartition(".")
        if qual in _FILE_FUNCS:
            return True
        if mod == "os":
            return attr not in _OS_PURE
        if mod == "subprocess":
            return attr not in _SUBPROCESS_PURE
        if mod == "shutil":
            return attr not in _SHUTIL_PURE
        return False

    # ------------------------------------------------------------ values

    def eval(self, node: Node) -> Val:
        kind = node.type
        if kind == "identifier":
            return self.name(node)
        if kind in ("string", "concatenated_string"):
            text = self.string(node)
            return ("str", text) if text is not None else PURE
        if kind == "integer":
            try:
                return ("num", int(_text(node).replace("_", ""), 0))
            except ValueError:
                return PURE
        if kind in ("float", "true", "false", "none", "dictionary", "set",
                    "list_comprehension", "dictionary_comprehension", "set_comprehension",
                    "generator_expression", "comparison_operator", "not_operator",
                    "boolean_operator", "unary_operator", "lambda"):  # fmt: skip
            return PURE
        if kind in ("list", "tuple", "expression_list"):
            return ("list", tuple(self.eval(c) for c in node.named_children))
        if kind == "parenthesized_expression":
            inner = node.named_children
            return self.eval(inner[0]) if len(inner) == 1 else UNKNOWN
        if kind == "attribute":
            obj = node.child_by_field_name("object")
            attr = node.child_by_field_name("attribute")
            if obj is None or attr is None:
                return UNKNOWN
            return self.attr(self.eval(obj), _text(attr), node)
        if kind == "call":
            return self.call(node)
        if kind == "binary_operator":
            return self._binary(node)
        if kind == "subscript":
            return self._subscript(node)
        if kind == "conditional_expression":
            values = {self.eval(c) for c in node.named_children[:1] + node.named_children[2:]}
            return values.pop() if len(values) == 1 else UNKNOWN
        if kind == "await":
            inner = node.named_children
            return self.eval(inner[0]) if inner else UNKNOWN
        return UNKNOWN

    def string(self, node: Node) -> str | None:
        """The value of a string literal, or None when it has parts known only at run time."""
        if node.type == "concatenated_string":
            parts = [self.string(c) for c in node.named_children]
            return None if any(p is None for p in parts) else "".join(p or "" for p in parts)
        start = node.child(0)
        prefix = _text(start).lower() if start is not None else ""
        raw = "r" in prefix
        if "b" in prefix:
            return None  # bytes are not paths or commands here
        out: list[str] = []
        for child in node.children:
            if child.type == "string_content":
                out.append(self._content(child, raw))
            elif child.type == "interpolation":
                expr = child.child_by_field_name("expression")
                value = self.eval(expr) if expr is not None else UNKNOWN
                if any(c.type in ("type_conversion", "format_specifier") for c in child.children):
                    return None
                if value[0] == "str":
                    out.append(value[1])
                elif value[0] == "num":
                    out.append(str(value[1]))
                elif value[0] == "path" and value[1] is not None:
                    out.append(value[1])
                else:
                    return None
        return "".join(out)

    @staticmethod
    def _content(node: Node, raw: bool) -> str:
        if raw or not node.children:
            return _text(node)
        data = node.text or b""
        out: list[str] = []
        pos = node.start_byte
        for esc in node.children:
            out.append(data[pos - node.start_byte : esc.start_byte - node.start_byte].decode())
            out.append(_unescape(_text(esc)) if esc.type == "escape_sequence" else _text(esc))
            pos = esc.end_byte
        out.append(data[pos - node.start_byte :].decode())
        return "".join(out)

    def _binary(self, node: Node) -> Val:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        op = node.child_by_field_name("operator")
        if left is None or right is None or op is None:
            return UNKNOWN
        a, b = self.eval(left), self.eval(right)
        sym = _text(op)
        if sym == "+" and a[0] == "str" and b[0] == "str":
            return ("str", a[1] + b[1])
        if sym == "/" and a[0] == "path":
            if a[1] is not None and b[0] in ("str", "path") and b[1] is not None:
                return ("path", posixpath.join(a[1], b[1]))
            return ("path", None)
        if a[0] in ("str", "pure", "num", "list") or b[0] in ("str", "num"):
            return PURE
        return UNKNOWN

    def _subscript(self, node: Node) -> Val:
        value = node.child_by_field_name("value")
        key = node.child_by_field_name("subscript")
        if value is None:
            return UNKNOWN
        base = self.eval(value)
        key_val = self.eval(key) if key is not None else UNKNOWN
        if base == ("fn", "os.environ"):
            return ("str", "~") if key_val == ("str", "HOME") else PURE
        if base == ("fn", "sys.argv"):
            return UNKNOWN
        if base[0] == "list" and key_val[0] == "num":
            items = base[1]
            try:
                return items[key_val[1]]  # type: ignore[no-any-return]
            except IndexError:
                return UNKNOWN
        if base[0] in ("mod", "fn", "opaque", "builtin"):
            self.gap(node, "indexes a module or function by a name only known at run time")
            return UNKNOWN
        if base[0] in ("str", "pure"):
            return PURE
        return UNKNOWN

    def attr(self, base: Val, name: str, node: Node) -> Val:
        kind, data = base
        if name.startswith("__") and name.endswith("__") and name not in _SAFE_DUNDERS:
            self.gap(node, f"reaches {name}")
            return UNKNOWN
        if kind == "mod" and data == "\0root":
            self._import(node, name)
            return ("mod", name)
        if kind == "mod":
            full = f"{data}.{name}"
            top = data.split(".", 1)[0]
            if data == "os.path":
                return ("fn", full)  # folded on literal paths (expanduser, join, ...)
            if full in _NOT_PURE:
                self.gap(node, f"uses {full}")
                return UNKNOWN
            if name.lstrip("_") in _MODELLED or name.lstrip("_") in _OPAQUE_MODULES:
                # tempfile._os, glob.os, logging.sys: the module itself, by another way in
                return self.attr(("mod", "\0root"), name.lstrip("_"), node)
            if full in _WATCHED:
                return ("fn", full)
            if data in _PURE_MODULES or full in _PURE_MODULES:
                return ("mod", full) if full in _PURE_MODULES else PURE
            if data in _MODELLED or full in _MODELLED or top in _MODELLED:
                return ("mod", full) if full in _MODELLED or full in _PURE_MODULES else ("fn", full)
            if data.startswith("\0project") or top in _OPAQUE_MODULES:
                return ("opaque", full)
            return ("opaque", full)
        if kind == "fn":
            if data == "os.environ":
                return ("fn", f"os.environ.{name}")
            return ("fn", f"{data}.{name}")
        if kind == "opaque":
            return ("opaque", f"{data}.{name}")
        if kind == "path":
            return ("method", (base, name))
        if kind == "obj":
            return ("method", (base, name))
        if kind == "builtin":
            return PURE if data not in _DANGEROUS_BUILTINS else UNKNOWN
        if kind == "local":
            return ("method", (UNKNOWN, name))
        if kind in ("str", "num", "list", "pure"):
            return ("puremethod", name)
        return ("method", (UNKNOWN, name))

    # ------------------------------------------------------------ calls

    def call(self, node: Node) -> Val:
        done = self.calls.get(node.id)
        if done is not None:
            return done
        self.calls[node.id] = UNKNOWN  # a call that reaches itself through its arguments
        fn = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        args: list[Node] = []
        kwargs: dict[str, Node] = {}
        splat = False
        if args_node is not None:
            for a in args_node.named_children:
                if a.type == "keyword_argument":
                    k = a.child_by_field_name("name")
                    v = a.child_by_field_name("value")
                    if k is not None and v is not None:
                        kwargs[_text(k)] = v
                elif a.type in ("list_splat", "dictionary_splat"):
                    splat = True
                elif a.type != "comment":
                    args.append(a)
        if fn is None:
            result = UNKNOWN
        elif fn.type == "lambda":
            result = PURE
        else:
            callee = self.eval(fn)
            result = self._apply(callee, node, args, kwargs, splat)
        self.calls[node.id] = result
        return result

    def _apply(
        self, callee: Val, node: Node, args: list[Node], kw: dict[str, Node], splat: bool
    ) -> Val:
        kind, data = callee
        if kind == "builtin":
            return self._builtin(data, node, args, kw, splat)
        if kind == "local":
            return UNKNOWN  # its body is read; what it returns is not followed
        if kind == "puremethod":
            if data in _PATH_EFFECTS and not (data == "replace" and len(args) >= 2):
                self.gap(node, f"calls .{data}() on a value Superego cannot follow")
                return UNKNOWN
            return PURE
        if kind == "mod":
            return PURE if data in _PURE_MODULES else self._module_call(data, node, args, kw, splat)
        if kind == "fn":
            return self._module_call(data, node, args, kw, splat)
        if kind == "opaque":
            last = data.rsplit(".", 1)[-1]
            if last.startswith(_READISH) or data in _PURE_CALLS:
                return PURE
            self.gap(node, f"calls {data.lstrip(chr(0))}, which Superego does not know")
            return UNKNOWN
        if kind == "method":
            receiver, name = data
            return self._method(receiver, name, node, args, kw, splat)
        if kind == "pure":
            return PURE
        self.gap(node, "calls a function Superego cannot follow")
        return UNKNOWN

    def _arg(self, args: list[Node], kw: dict[str, Node], i: int, name: str) -> Node | None:
        if name in kw:
            return kw[name]
        return args[i] if i < len(args) else None

    def _literal(self, node: Node | None) -> str | None:
        if node is None:
            return None
        value = self.eval(node)
        if value[0] in ("str", "path") and value[1] is not None:
            return str(value[1])
        if value[0] == "num":
            return str(value[1])
        return None

    def _builtin(
        self, name: str, node: Node, args: list[Node], kw: dict[str, Node], splat: bool
    ) -> Val:
        if name in _BUILTINS_PURE:
            return PURE
        if name == "open":
            self._open(node, self._arg(args, kw, 0, "file"), self._arg(args, kw, 1, "mode"))
            return ("obj", "file")
        if name in ("eval", "exec", "compile"):
            code = self._literal(self._arg(args, kw, 0, "source"))
            if code is None:
                self.gap(node, f"{name} of code only known at run time")
            else:
                self._nested(node, code)
            return PURE
        if name == "__import__":
            module = self._literal(self._arg(args, kw, 0, "name"))
            if module is None:
                self.gap(node, "imports a module whose name is only known at run time")
                return UNKNOWN
            self._import(node, module)
            return ("mod", module.split(".", 1)[0])
        if name == "getattr":
            target = self._arg(args, kw, 0, "object")
            attr = self._literal(self._arg(args, kw, 1, "name"))
            base = self.eval(target) if target is not None else UNKNOWN
            if attr is None:
                if base[0] in ("str", "pure", "num", "list"):
                    return PURE
                self.gap(node, "getattr of a name only known at run time")
                return UNKNOWN
            return self.attr(base, attr, node)
        self.gap(node, f"uses {name}")
        return UNKNOWN

    def _nested(self, node: Node, code: str) -> None:
        if self.depth >= MAX_NESTING:
            self.gap(node, f"exec nested more than {MAX_NESTING} deep")
            return
        inner = _Reader(self.report, self.depth + 1, self.line(node) - 1, self.budget)
        inner.read(code)

    def _open(self, node: Node, file: Node | None, mode: Node | None) -> None:
        if file is None:
            self.gap(node, "opens a file Superego cannot name")
            return
        value = self.eval(file)
        if value[0] == "num":
            return  # a file descriptor already open
        path = self._literal(file)
        how = "r" if mode is None else self._literal(mode)
        if path is None:
            self.gap(node, "opens a file whose name is only known at run time")
            return
        if how is None or any(c in how for c in "wax+"):
            op = ">>" if how is not None and "a" in how else ">"
            self.effect(node, f": {op} {word(path)}")
        else:
            self.effect(node, command("cat", "--", word(path)))

    def _module_call(
        self, qual: str, node: Node, args: list[Node], kw: dict[str, Node], splat: bool
    ) -> Val:
        mod, _, attr = qual.rpartition(".")
        top = qual.split(".", 1)[0]
        if splat and (self._has_effect(qual) or top in _HTTP_LIBS):
            self.gap(node, f"calls {qual} with arguments only known at run time")
            return UNKNOWN
        if qual in _FILE_FUNCS:
            template, count = _FILE_FUNCS[qual]
            names = ("src", "dst") if count == 2 else ("path",)
            paths = [self._literal(self._arg(args, kw, i, names[i])) for i in range(count)]
            if qual == "os.chdir" or any(p is None for p in paths):
                if qual == "os.chdir":
                    self.gap(node, "changes directory (later relative paths are not known)")
                else:
                    self.gap(node, f"{qual} of a path only known at run time")
                return UNKNOWN
            self.effect(node, template.format(*(word(p or "") for p in paths)))
            return PURE
        if qual in ("os.putenv", "os.environ.setdefault", "os.environ.update"):
            key = self._literal(self._arg(args, kw, 0, "key"))
            if qual == "os.environ.update" or key is None or key in RISKY_ENV:
                self.gap(node, f"sets environment variables ({qual})")
            return PURE
        if qual in ("os.getenv", "os.environ.get"):
            key = self._literal(self._arg(args, kw, 0, "key"))
            return ("str", "~") if key == "HOME" else PURE
        if qual.startswith("os.path."):
            return self._os_path(attr, args)
        if (mod == "os" and attr in _OS_PURE) or qual.startswith("os.environ."):
            return PURE
        if qual in ("os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput"):
            self._shell_string(node, self._arg(args, kw, 0, "cmd"), qual)
            return ("obj", "popen")
        if mod == "subprocess" and attr in _SUBPROCESS_RUN:
            self._subprocess(node, args, kw, qual)
            return ("obj", "popen")
        if mod == "subprocess" and attr in _SUBPROCESS_PURE:
            return PURE
        if mod == "os" and attr.startswith(("exec", "spawn", "posix_spawn")):
            self._exec(node, args, qual)
            return PURE
        if qual in ("os.kill", "os.killpg"):
            pid = self._literal(self._arg(args, kw, 0, "pid"))
            sig = self._literal(self._arg(args, kw, 1, "sig"))
            if pid is None or sig is None:
                self.gap(node, f"{qual} of a process only known at run time")
                return PURE
            target = pid if qual == "os.kill" else f"-{pid}"
            self.effect(node, command("kill", f"-{sig}", "--", target))
            return PURE
        if qual in ("os.chmod", "os.lchmod"):
            path = self._literal(self._arg(args, kw, 0, "path"))
            mode = self._arg(args, kw, 1, "mode")
            mval = self.eval(mode) if mode is not None else UNKNOWN
            if path is None or mval[0] != "num":
                self.gap(node, f"{qual} of a path or mode only known at run time")
                return PURE
            self.effect(node, command("chmod", format(mval[1], "o"), "--", word(path)))
            return PURE
        if qual in ("os.chown", "os.lchown", "shutil.chown"):
            path = self._literal(self._arg(args, kw, 0, "path"))
            if path is None:
                self.gap(node, f"{qual} of a path only known at run time")
            else:
                self.effect(node, command("chown", "root", "--", word(path)))
            return PURE
        if mod == "shutil" and attr in _SHUTIL_PURE:
            return PURE
        if qual == "shutil.make_archive":
            base = self._literal(self._arg(args, kw, 0, "base_name"))
            root = self._literal(self._arg(args, kw, 2, "root_dir")) or "."
            if base is None:
                self.gap(node, "make_archive of a path only known at run time")
            else:
                self.effect(node, command("tar", "-cf", word(base + ".tar"), "-C", word(root), "."))
            return PURE
        if top == "pathlib":
            return self._pathlib(attr, node, args)
        if top == "socket":
            return self._socket(attr, node, args, kw)
        if top in _HTTP_LIBS or mod in ("urllib.request", "http.client"):
            return self._http(qual, node, args, kw)
        if qual == "importlib.import_module":
            module = self._literal(self._arg(args, kw, 0, "name"))
            if module is None:
                self.gap(node, "imports a module whose name is only known at run time")
                return UNKNOWN
            self._import(node, module)
            return ("mod", module)
        if qual in ("importlib.reload", "importlib.invalidate_caches"):
            return PURE
        if top == "asyncio":
            if attr == "create_subprocess_shell":
                self._shell_string(node, self._arg(args, kw, 0, "cmd"), qual)
                return ("obj", "popen")
            if attr == "create_subprocess_exec":
                self._argv(node, args, qual)
                return ("obj", "popen")
            if attr in ("open_connection", "start_server", "open_unix_connection"):
                self.gap(node, f"uses asyncio.{attr}")
                return UNKNOWN
            return PURE
        if qual == "logging.basicConfig" and "filename" in kw:
            path = self._literal(kw["filename"])
            if path is None:
                self.gap(node, "logs to a file whose name is only known at run time")
            else:
                self.effect(node, f": >> {word(path)}")
            return PURE
        if top == "tempfile" and "dir" in kw:
            where = self._literal(kw["dir"])
            if where is None:
                self.gap(node, "creates a temporary file in a directory only known at run time")
            else:
                self.effect(node, command("touch", "--", word(posixpath.join(where, "tmpXXXXXX"))))
            return PURE
        if top == "sys" or qual in _PURE_MODULES or mod in _PURE_MODULES:
            return PURE
        self.gap(node, f"calls {qual}, which Superego does not model")
        return UNKNOWN

    def _os_path(self, attr: str, args: list[Node]) -> Val:
        values = [self._literal(a) for a in args]
        if attr in ("expanduser", "abspath", "normpath", "realpath") and len(values) == 1:
            v = values[0]
            if v is not None:
                return ("str", posixpath.normpath(v) if attr == "normpath" else v)
            return PURE
        if attr == "join" and values and all(v is not None for v in values):
            return ("str", posixpath.join(*(v or "" for v in values)))
        if attr in ("dirname", "basename") and len(values) == 1 and values[0] is not None:
            return ("str", getattr(posixpath, attr)(values[0]))
        return PURE

    def _shell_string(self, node: Node, arg: Node | None, qual: str) -> None:
        text = self._literal(arg)
        if text is None:
            self.gap(node, f"{qual} of a command only known at run time")
        else:
            self.effect(node, text)

    def _argv_words(self, value: Val) -> list[str] | None:
        if value[0] != "list":
            return None
        words = []
        for item in value[1]:
            if item[0] not in ("str", "path", "num") or item[1] is None:
                return None
            words.append(str(item[1]))
        return words

    def _argv(self, node: Node, args: list[Node], qual: str) -> None:
        words = [self._literal(a) for a in args]
        if not words or any(w is None for w in words):
            self.gap(node, f"{qual} of a command only known at run time")
            return
        self.effect(node, command(*(word(w or "") for w in words)))

    def _subprocess(self, node: Node, args: list[Node], kw: dict[str, Node], qual: str) -> None:
        target = self._arg(args, kw, 0, "args")
        shell_node = kw.get("shell")
        shell = self.eval(shell_node) if shell_node is not None else ("pure", False)
        if shell_node is not None and shell_node.type not in ("true", "false"):
            self.gap(node, f"{qual} with shell= only known at run time")
            return
        if "executable" in kw:
            self.gap(node, f"{qual} with executable=")
            return
        value = self.eval(target) if target is not None else UNKNOWN
        line: str | None = None
        if value[0] == "str":
            is_shell = shell_node is not None and shell_node.type == "true"
            line = value[1] if is_shell else word(value[1])
        else:
            words = self._argv_words(value)
            if words is not None and words:
                line = command(*(word(w) for w in words))
        del shell
        if line is None:
            self.gap(node, f"{qual} of a command only known at run time")
            return
        cwd_node = kw.get("cwd")
        if cwd_node is not None:
            cwd = self._literal(cwd_node)
            if cwd is None:
                self.gap(node, f"{qual} in a directory only known at run time")
                return
            line = f"cd -- {word(cwd)} && {line}"
        self.effect(node, line)

    def _exec(self, node: Node, args: list[Node], qual: str) -> None:
        values = [self.eval(a) for a in args]
        if qual.startswith("os.spawn"):
            values = values[1:]  # the mode
        if not values:
            self.gap(node, f"{qual} of a program only known at run time")
            return
        program = values[0]
        rest = values[1:]
        argv: list[str] | None
        if rest and rest[0][0] == "list":
            argv = self._argv_words(rest[0])
        else:
            argv = self._argv_words(("list", tuple(rest)))
        if program[0] not in ("str", "path") or program[1] is None or argv is None:
            self.gap(node, f"{qual} of a program only known at run time")
            return
        self.effect(node, command(word(program[1]), *(word(a) for a in argv[1:])))

    def _pathlib(self, attr: str, node: Node, args: list[Node]) -> Val:
        if attr in ("Path", "PosixPath", "PurePath", "PurePosixPath", "WindowsPath"):
            parts = [self._literal(a) for a in args]
            if not parts:
                return ("path", ".")
            if any(p is None for p in parts):
                return ("path", None)
            return ("path", posixpath.join(*(p or "" for p in parts)))
        if attr.endswith(".home"):
            return ("path", "~")
        if attr.endswith(".cwd"):
            return ("path", ".")
        if attr in ("Path.home", "home"):
            return ("path", "~")
        self.gap(node, f"calls pathlib.{attr}")
        return UNKNOWN

    def _method(
        self,
        receiver: Val,
        name: str,
        node: Node,
        args: list[Node],
        kw: dict[str, Node],
        splat: bool,
    ) -> Val:
        kind, data = receiver
        if kind == "path":
            return self._path_method(data, name, node, args, kw)
        if kind == "obj":
            obj = data if isinstance(data, tuple) else (data,)
            what = obj[0]
            if what == "session":
                verb = _HTTP_VERBS.get(name) or (
                    "REQUEST" if name in ("request", "stream") else None
                )
                if verb is None:
                    return PURE
                return self._http_call(node, args, kw, verb, name in ("request", "stream"))
            if what == "socket":
                return self._socket_method(name, node, args, kw)
            if what == "conn" and name == "request":
                method = self._literal(self._arg(args, kw, 0, "method"))
                url = self._literal(self._arg(args, kw, 1, "url"))
                if method is None or url is None:
                    self.gap(node, "an HTTP request Superego cannot follow")
                    return PURE
                data_given = self._arg(args, kw, 2, "body") is not None
                self.effect(node, curl(obj[1] + url, method, data=data_given))
                return PURE
            return PURE
        if name in _HTTP_VERBS and args:
            url = self._literal(args[0])
            if url is not None and url.startswith(("http://", "https://")):
                # client.get("https://...") on a client Superego did not follow
                return self._http_call(node, args, kw, _HTTP_VERBS[name], False)
        if name in _SAFE_METHODS or name in self.locals:
            return PURE
        if name in _PATH_EFFECTS and not (name == "replace" and len(args) >= 2):
            self.gap(node, f"calls .{name}() on a value Superego cannot follow")
            return UNKNOWN
        if kind in ("str", "num", "list", "pure"):
            return PURE
        self.gap(node, f"calls .{name}() on a value Superego cannot follow")
        return UNKNOWN

    def _path_method(
        self, path: str | None, name: str, node: Node, args: list[Node], kw: dict[str, Node]
    ) -> Val:
        if name in ("joinpath", "with_name", "with_suffix", "with_stem"):
            parts = [self._literal(a) for a in args]
            if path is None or any(p is None for p in parts):
                return ("path", None)
            if name == "joinpath":
                return ("path", posixpath.join(path, *(p or "" for p in parts)))
            return ("path", None)
        if name in ("expanduser", "resolve", "absolute"):
            return ("path", path)
        if name in ("iterdir", "glob", "rglob", "walk", "parent", "parents", "readlink"):
            return ("path", None)
        if name == "open":
            mode_node = self._arg(args, kw, 0, "mode")
            if path is None:
                self.gap(node, "opens a path only known at run time")
            else:
                how = "r" if mode_node is None else self._literal(mode_node)
                if how is None or any(c in how for c in "wax+"):
                    self.effect(node, f": > {word(path)}")
                else:
                    self.effect(node, command("cat", "--", word(path)))
            return ("obj", "file")
        template = _PATH_EFFECTS.get(name)
        if template is None:
            return PURE
        if path is None:
            self.gap(node, f"Path.{name}() of a path only known at run time")
            return UNKNOWN
        target = self._literal(self._arg(args, kw, 0, "target"))
        mode_arg = self._arg(args, kw, 0, "mode")
        mode = self.eval(mode_arg) if mode_arg is not None else UNKNOWN
        if "{t}" in template and target is None:
            self.gap(node, f"Path.{name}() to a path only known at run time")
            return UNKNOWN
        if "{m}" in template and mode[0] != "num":
            self.gap(node, f"Path.{name}() with a mode only known at run time")
            return UNKNOWN
        shown_mode = format(mode[1], "o") if mode[0] == "num" else ""
        self.effect(node, template.format(p=word(path), t=word(target or ""), m=shown_mode))
        return ("path", target) if name in ("rename", "replace") else PURE

    def _socket(self, attr: str, node: Node, args: list[Node], kw: dict[str, Node]) -> Val:
        if attr in _SOCKET_PURE:
            return PURE
        if attr in ("socket", "socketpair", "fromfd"):
            return ("obj", ("socket",))
        if attr == "create_connection":
            self._connect(node, self._arg(args, kw, 0, "address"), listen=False)
            return ("obj", ("socket",))
        if attr == "create_server":
            self._connect(node, self._arg(args, kw, 0, "address"), listen=True)
            return ("obj", ("socket",))
        self.gap(node, f"calls socket.{attr}")
        return UNKNOWN

    def _socket_method(self, name: str, node: Node, args: list[Node], kw: dict[str, Node]) -> Val:
        if name in ("connect", "connect_ex"):
            self._connect(node, self._arg(args, kw, 0, "address"), listen=False)
        elif name == "bind":
            self._connect(node, self._arg(args, kw, 0, "address"), listen=True)
        elif name == "sendto":
            self._connect(node, self._arg(args, kw, len(args) - 1, "address"), listen=False)
        return PURE

    def _connect(self, node: Node, address: Node | None, *, listen: bool) -> None:
        value = self.eval(address) if address is not None else UNKNOWN
        words = self._argv_words(value)
        if words is None or len(words) != 2:
            self.gap(node, "a network connection to an address only known at run time")
            return
        host, port = words
        if listen:
            self.effect(node, command("nc", "-l", word(host or "0.0.0.0"), word(port)))  # noqa: S104
        else:
            self.effect(node, command("nc", word(host), word(port)))
        # What goes over a raw socket is not known (a reverse shell is a socket and a shell).
        self.gap(node, f"opens a raw network connection ({host or '*'}:{port})")

    def _http(self, qual: str, node: Node, args: list[Node], kw: dict[str, Node]) -> Val:
        mod, _, attr = qual.rpartition(".")
        if attr in _HTTP_VERBS and mod in _HTTP_LIBS:
            return self._http_call(node, args, kw, _HTTP_VERBS[attr], False)
        if attr == "request" and mod in _HTTP_LIBS:
            return self._http_call(node, args, kw, "REQUEST", True)
        if attr in ("Session", "Client", "AsyncClient", "PoolManager", "session"):
            if "base_url" in kw:
                self.gap(node, f"an HTTP client with a base_url ({qual})")
            return ("obj", ("session",))
        if qual == "urllib.request.Request":
            url = self._literal(self._arg(args, kw, 0, "url"))
            method = self._literal(kw.get("method")) or "GET"
            data_given = self._arg(args, kw, 1, "data") is not None
            return ("obj", ("request", url, method, data_given))
        if qual == "urllib.request.urlopen":
            target = self._arg(args, kw, 0, "url")
            value = self.eval(target) if target is not None else UNKNOWN
            data_given = self._arg(args, kw, 1, "data") is not None
            if value[0] == "str":
                self.effect(node, curl(value[1], "POST" if data_given else "GET", data=data_given))
            elif value[0] == "obj" and value[1][0] == "request" and value[1][1] is not None:
                _, url, method, has_data = value[1]
                self.effect(node, curl(url, method, data=has_data or data_given))
            else:
                self.gap(node, "an HTTP request to a URL only known at run time")
            return ("obj", "response")
        if qual == "urllib.request.urlretrieve":
            url = self._literal(self._arg(args, kw, 0, "url"))
            out = self._literal(self._arg(args, kw, 1, "filename"))
            if url is None:
                self.gap(node, "a download from a URL only known at run time")
            else:
                self.effect(node, curl(url, out=out if out is not None else "download"))
            return PURE
        if qual in ("http.client.HTTPConnection", "http.client.HTTPSConnection"):
            host = self._literal(self._arg(args, kw, 0, "host"))
            port = self._literal(self._arg(args, kw, 1, "port"))
            if host is None:
                self.gap(node, "an HTTP connection to a host only known at run time")
                return UNKNOWN
            scheme = "https" if qual.endswith("HTTPSConnection") else "http"
            where = f"{scheme}://{host}" + (f":{port}" if port else "")
            return ("obj", ("conn", where))
        if attr in ("HTTPError", "URLError", "Response", "codes", "exceptions", "Timeout",
                    "RequestException", "HTTPStatusError", "quote", "urlencode"):  # fmt: skip
            return PURE
        self.gap(node, f"calls {qual}, which Superego does not model")
        return UNKNOWN

    def _literal_query(self, params: Node) -> bool:
        """``params=`` is a literal string or a dict of literal values."""
        if self.eval(params)[0] in ("str", "num"):
            return True
        return params.type == "dictionary" and all(
            self._literal(pair.child_by_field_name("value")) is not None
            for pair in params.named_children
            if pair.type == "pair"
        )

    def _http_call(
        self, node: Node, args: list[Node], kw: dict[str, Node], verb: str, explicit: bool
    ) -> Val:
        if explicit:
            method = self._literal(self._arg(args, kw, 0, "method"))
            url_node = self._arg(args, kw, 1, "url")
        else:
            method = verb
            url_node = self._arg(args, kw, 0, "url")
        url = self._literal(url_node)
        if url is None or method is None:
            self.gap(node, "an HTTP request to a URL only known at run time")
            return ("obj", "response")
        params = kw.get("params")
        if params is not None and not self._literal_query(params):
            self.gap(node, "an HTTP request whose query is only known at run time")
        sends = any(k in kw for k in ("data", "json", "files", "content"))
        self.effect(node, curl(url, method, data=sends))
        return ("obj", "response")


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
            "\\": "\\", "'": "'", '"': '"', "\n": ""}  # fmt: skip


def _unescape(esc: str) -> str:
    """The character a Python escape sequence stands for (without importing ``ast``)."""
    body = esc[1:]
    if body in _ESCAPES:
        return _ESCAPES[body]
    try:
        if body[:1] in ("x", "u", "U"):
            return chr(int(body[1:], 16))
        if body[:1].isdigit():
            return chr(int(body, 8))
        if body.startswith("N{"):
            import unicodedata

            return unicodedata.lookup(body[2:-1])
    except (ValueError, KeyError):
        pass
    return esc


def read_python(source: str, report: Report | None = None) -> Report:
    """Read Python ``source`` and report its effects and gaps; never raises."""
    report = report if report is not None else Report()
    try:
        _Reader(report, 0, 0, [MAX_NODES]).read(source)
    except RecursionError:
        report.gap(1, "nested too deeply to read")
    except Exception as exc:  # fail closed: a bug here is a gap, never an allow
        report.gap(1, f"reading failed ({type(exc).__name__})")
    return report
