"""JavaScript source read for what it would do to the machine (tree-sitter-javascript).

Like :mod:`.python`: flow-insensitive and conservative. Every call is visited (callbacks and
function bodies included); ``require``/``import``/``import()`` with literal names, simple
bindings (``const``/``let``/``var``, destructuring of modules) and string folding (``+``,
template literals) resolve what is called. ``child_process`` command lines, ``fs``
deletions, writes and reads, ``fetch``/``http(s)``/``net``/``axios`` requests and
``process.kill`` become :class:`~.report.Effect` command lines; ``eval``/``Function``/
``vm`` of strings only known at run time, ``require`` of a computed name, modules such as
``vm`` or ``worker_threads`` and functions of unknown modules are gaps. TypeScript read
with this grammar fails to parse where it has type syntax: a gap.
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

MAX_NODES = 200_000
MAX_NESTING = 8

_PURE_MODULES = frozenset(
    ["util", "events", "stream", "assert", "url", "querystring", "string_decoder", "buffer",
     "crypto", "zlib", "readline", "timers", "perf_hooks", "async_hooks", "diagnostics_channel",
     "console", "constants", "punycode", "tty", "dns", "path", "os", "process", "stream/promises",
     "timers/promises", "util/types", "assert/strict", "path/posix", "readline/promises",
     "dns/promises"]
)  # fmt: skip
_OPAQUE_MODULES = frozenset(
    ["vm", "worker_threads", "module", "inspector", "v8", "repl", "cluster", "wasi", "trace_events"]
)
_MODELLED = frozenset({"fs", "child_process", "http", "https", "net", "http2", "axios",
                       "node-fetch", "undici", "got", "tls", "dgram"})  # fmt: skip
_GLOBALS_PURE = frozenset(
    ["console", "JSON", "Math", "Object", "Array", "String", "Number", "Boolean", "Date", "Promise",
     "parseInt", "parseFloat", "isNaN", "isFinite", "Symbol", "Map", "Set", "WeakMap", "WeakSet",
     "WeakRef", "RegExp", "Error", "TypeError", "RangeError", "SyntaxError", "clearTimeout",
     "clearInterval", "clearImmediate", "encodeURIComponent", "decodeURIComponent", "encodeURI",
     "decodeURI", "Buffer", "URL", "URLSearchParams", "TextEncoder", "TextDecoder",
     "structuredClone", "queueMicrotask", "BigInt", "Intl", "atob", "btoa", "performance", "crypto",
     "AbortController", "AbortSignal", "undefined", "NaN", "Infinity", "__dirname", "__filename",
     "exports", "arguments", "Uint8Array", "Int8Array", "Uint16Array", "Int16Array",
     "Uint32Array", "Int32Array", "Float32Array", "Float64Array", "ArrayBuffer", "DataView",
     "SharedArrayBuffer", "Atomics", "Blob", "FormData", "Headers", "Request", "Response", "Event",
     "EventTarget", "setImmediate", "AggregateError", "escape", "unescape"]
)  # fmt: skip
_DANGEROUS_GLOBALS = frozenset({"eval", "Function", "require", "setTimeout", "setInterval",
                                "fetch", "module", "process", "globalThis", "global",
                                "window", "self",
                                "Reflect", "Proxy"})  # fmt: skip
_SAFE_METHODS = frozenset(
    ["log", "error", "warn", "info", "debug", "table", "dir", "trace", "time", "timeEnd", "assert",
     "group", "groupEnd", "count", "map", "filter", "reduce", "reduceRight", "forEach", "some",
     "every", "find", "findIndex", "findLast", "findLastIndex", "includes", "indexOf",
     "lastIndexOf", "join", "split", "slice", "splice", "push", "pop", "shift", "unshift", "concat",
     "sort", "reverse", "keys", "values", "entries", "toString", "toFixed", "toPrecision", "trim",
     "trimStart", "trimEnd", "toUpperCase", "toLowerCase", "startsWith", "endsWith", "replace",
     "replaceAll", "match", "matchAll", "test", "then", "catch", "finally", "resolve", "reject",
     "all", "allSettled", "race", "any", "json", "text", "arrayBuffer", "blob", "write", "end",
     "on", "once", "off", "emit", "pipe", "close", "destroy", "listen", "setEncoding",
     "toISOString", "getTime", "getFullYear", "getMonth", "getDate", "getDay", "getHours",
     "getMinutes", "getSeconds", "getMilliseconds", "toLocaleString", "toLocaleDateString",
     "toLocaleTimeString", "toDateString", "toUTCString", "padStart", "padEnd", "charAt",
     "charCodeAt", "codePointAt", "at", "flat", "flatMap", "fill", "localeCompare", "normalize",
     "repeat", "search", "substring", "substr", "toJSON", "valueOf", "hasOwnProperty", "get", "set",
     "has", "add", "clear", "size", "next", "digest", "update", "stringify", "parse", "assign",
     "freeze", "isArray", "from", "of", "floor", "ceil", "round", "max", "min", "abs", "pow",
     "sqrt", "random", "trunc", "sign", "isInteger", "isSafeInteger", "now", "getTimezoneOffset",
     "toLocaleUpperCase", "toLocaleLowerCase", "setHeader", "writeHead", "getHeader", "status",
     "send", "sendStatus", "header", "type", "use", "route", "param", "locals", "address",
     "setTimeout", "ref", "unref", "readline", "question", "prompt", "createInterface", "format",
     "inspect", "promisify", "inherits", "deprecate", "isDeepStrictEqual", "equal", "strictEqual",
     "deepEqual", "deepStrictEqual", "notEqual", "ok", "throws", "rejects", "fail", "createHash",
     "createHmac", "randomUUID", "randomBytes", "randomInt", "getRandomValues", "compare", "equals",
     "copy", "subarray", "readUInt8", "writeUInt8", "byteLength", "alloc", "allocUnsafe",
     "isBuffer", "resume", "pause", "abort", "setNoDelay", "setKeepAlive"]
)  # fmt: skip
# Where an identifier names what is being bound or declared, not a value being used.
_BINDING_PARENTS = frozenset(
    {"variable_declarator", "expression_statement", "pair_pattern", "object_pattern",
     "array_pattern", "import_specifier", "import_clause", "namespace_import",
     "formal_parameters", "assignment_pattern", "rest_pattern", "catch_clause",
     "function_declaration", "class_declaration", "method_definition", "export_specifier",
     "shorthand_property_identifier_pattern", "labeled_statement"}
)  # fmt: skip
# Properties that lead to code loading or the engine's internals.
_REACHES = frozenset(
    {"__proto__", "constructor", "prototype", "mainModule", "binding", "_linkedBinding",
     "dlopen", "__defineGetter__", "caller", "callee"}
)  # fmt: skip
_FS_PURE = frozenset(
    ["existsSync", "exists", "stat", "statSync", "lstat", "lstatSync", "access", "accessSync",
     "realpath", "realpathSync", "readdir", "readdirSync", "opendir", "opendirSync", "watch",
     "watchFile", "unwatchFile", "constants", "mkdtemp", "mkdtempSync", "fstat", "fstatSync",
     "close", "closeSync", "read", "readSync", "write", "writeSync", "readlink", "readlinkSync",
     "Stats", "Dirent", "promises", "F_OK", "R_OK", "W_OK", "X_OK", "statfs", "statfsSync", "glob",
     "globSync"]
)  # fmt: skip
_HTTP_VERBS = {"get": "GET", "head": "HEAD", "options": "OPTIONS", "post": "POST",
               "put": "PUT", "patch": "PATCH", "delete": "DELETE"}  # fmt: skip
_READISH = ("get", "is", "has", "version", "show", "describe", "info")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


# The syntax nodes the reader looks at (found by a query): what binds names, and uses.
_BIND_KINDS = frozenset(
    {"variable_declarator", "assignment_expression", "import_statement",
     "function_declaration", "class_declaration", "generator_function_declaration",
     "method_definition", "formal_parameters", "catch_clause", "arrow_function",
     "for_in_statement"}
)  # fmt: skip
_KINDS = (*sorted(_BIND_KINDS), "call_expression", "new_expression", "identifier",
          "member_expression", "subscript_expression")  # fmt: skip
# A name bound more often than this (not to modules) is not followed: its value is unknown.
_MAX_BINDINGS = 16


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "surrogatepass")


def _module(name: str) -> str:
    name = name.removeprefix("node:")
    if name in ("fs/promises", "fs/promises.js"):
        return "fs"
    return name


class _Reader:
    """One reading of a piece of JavaScript (and of the literal strings it evaluates)."""

    def __init__(
        self, report: Report, depth: int, offset: int, budget: list[int], grammar: str
    ) -> None:
        self.grammar = grammar  # "javascript", "typescript" or "tsx"
        self.report = report
        self.depth = depth
        self.offset = offset
        self.budget = budget
        self.binds: dict[str, list[Node | Val]] = {}
        self.locals: set[str] = set()
        self.calls: dict[int, Val] = {}
        self.busy: set[int] = set()
        self.callees: set[int] = set()
        self.names: dict[str, Val] = {}  # a name's value, once every binding is known
        self.resolving: set[str] = set()
        self.ready = False

    def read(self, source: str) -> None:
        from .parsers import parse, select

        text = source
        if text.startswith("#!"):
            text = "//" + text[2:]  # a shebang line
        tree = parse(self.grammar, text.encode("utf-8", "surrogatepass"))
        root = tree.root_node
        if root.has_error:
            what = "TypeScript type syntax" if self.grammar == "javascript" else "JSX"
            self.gap(root, f"a syntax error (or {what})")
            return
        nodes = select(self.grammar, root, _KINDS)
        self.budget[0] -= len(nodes)
        if self.budget[0] < 0:
            self.gap(root, f"over {MAX_NODES} syntax nodes to read")
            return
        for node in nodes:
            if node.type in _BIND_KINDS:
                self._bind(node)
        self.ready = True
        for node in nodes:
            if node.type in ("call_expression", "new_expression"):
                fn = node.child_by_field_name("function") or node.child_by_field_name("constructor")
                if fn is not None:
                    self.callees.add(fn.id)
        for node in nodes:
            kind = node.type
            if kind in ("call_expression", "new_expression"):
                self.call(node)
            elif kind == "identifier" and node.id not in self.callees:
                self._reference(node)
                self._value_use(node)
            elif kind in ("member_expression", "subscript_expression") and (
                node.id not in self.callees
            ):
                self._value_use(node)
            elif kind == "import_statement":
                source_node = node.child_by_field_name("source")
                if source_node is not None:
                    self._import(node, _module(self._string(source_node) or ""))

    def line(self, node: Node) -> int:
        return self.offset + node.start_point[0] + 1

    def gap(self, node: Node, why: str) -> None:
        self.report.gap(self.line(node), why)

    def effect(self, node: Node, shell: str) -> None:
        self.report.effect(self.line(node), shell)

    # ------------------------------------------------------------ names

    def _bind(self, node: Node) -> None:
        kind = node.type
        if kind == "variable_declarator":
            name = node.child_by_field_name("name")
            value = node.child_by_field_name("value")
            if name is None:
                return
            if name.type == "identifier":
                self._set(_text(name), value if value is not None else PURE)
            elif name.type == "object_pattern" and value is not None:
                self._destructure(name, value)
            else:
                for ident in self._identifiers(name):
                    self._set(ident, UNKNOWN)
        elif kind == "assignment_expression":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if left is not None and left.type == "identifier" and right is not None:
                self._set(_text(left), right)
            elif left is not None and left.type == "object_pattern" and right is not None:
                self._destructure(left, right)
            elif left is not None and left.type in ("member_expression", "subscript_expression"):
                self._env_assignment(left)
        elif kind == "import_statement":
            source = node.child_by_field_name("source")
            module = _module(self._string(source) or "") if source is not None else ""
            for clause in node.named_children:
                if clause.type != "import_clause":
                    continue
                for part in clause.named_children:
                    if part.type == "identifier":
                        self._set(_text(part), self._require(module))
                    elif part.type == "namespace_import":
                        for local in part.named_children:
                            self._set(_text(local), self._require(module))
                    elif part.type == "named_imports":
                        for spec in part.named_children:
                            if spec.type != "import_specifier":
                                continue
                            imported = spec.child_by_field_name("name")
                            alias = spec.child_by_field_name("alias") or imported
                            if imported is not None and alias is not None:
                                got = self.attr(self._require(module), _text(imported), spec)
                                self._set(_text(alias), got)
        elif kind in (
            "function_declaration",
            "class_declaration",
            "generator_function_declaration",
        ):
            name = node.child_by_field_name("name")
            if name is not None:
                self._set(_text(name), ("local", _text(name)))
                self.locals.add(_text(name))
        elif kind in ("method_definition",):
            name = node.child_by_field_name("name")
            if name is not None:
                self.locals.add(_text(name))
        elif kind in ("formal_parameters", "catch_clause"):
            target = node if kind == "formal_parameters" else node.child_by_field_name("parameter")
            for ident in self._identifiers(target) if target is not None else ():
                self._set(ident, UNKNOWN)
        elif kind == "arrow_function":
            param = node.child_by_field_name("parameter")
            if param is not None:
                self._set(_text(param), UNKNOWN)
        elif kind == "for_in_statement":
            left = node.child_by_field_name("left")
            for ident in self._identifiers(left) if left is not None else ():
                self._set(ident, UNKNOWN)

    def _env_assignment(self, target: Node) -> None:
        """``process.env.KEY = ...``: a variable that changes what child processes run."""
        obj = target.child_by_field_name("object")
        if obj is None or self.eval(obj) != ("env", None):
            return
        if target.type == "member_expression":
            prop = target.child_by_field_name("property")
            name: str | None = _text(prop) if prop is not None else None
        else:
            index = target.child_by_field_name("index")
            name = self._literal(index)
        if name is None or name in RISKY_ENV:
            self.gap(target, f"sets the environment variable {name or '(a run-time name)'}")

    def _destructure(self, pattern: Node, value: Node) -> None:
        base = self._value(value)
        for part in pattern.named_children:
            if part.type == "shorthand_property_identifier_pattern":
                self._set(_text(part), self.attr(base, _text(part), part))
            elif part.type == "pair_pattern":
                key = part.child_by_field_name("key")
                target = part.child_by_field_name("value")
                if key is None or target is None:
                    continue
                if target.type == "identifier":
                    self._set(_text(target), self.attr(base, _text(key).strip("'\""), part))
                else:
                    for ident in self._identifiers(target):
                        self._set(ident, UNKNOWN)
            else:
                for ident in self._identifiers(part):
                    self._set(ident, UNKNOWN)

    def _identifiers(self, node: Node) -> list[str]:
        out: list[str] = []
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type in ("identifier", "shorthand_property_identifier_pattern"):
                out.append(_text(n))
            elif n.type == "assignment_pattern":
                left = n.child_by_field_name("left")
                if left is not None:
                    stack.append(left)
            elif n.type == "pair_pattern":
                value = n.child_by_field_name("value")
                if value is not None:
                    stack.append(value)
            else:
                stack.extend(n.named_children)
        return out

    def _set(self, name: str, value: Node | Val) -> None:
        self.binds.setdefault(name, []).append(value)

    def _import(self, node: Node, module: str) -> None:
        if module in _OPAQUE_MODULES:
            self.gap(node, f"loads {module}, which can run code Superego cannot read")

    def _require(self, module: str) -> Val:
        return ("mod", module)

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
        if name in _GLOBALS_PURE:
            return ("global", name)
        if name in _DANGEROUS_GLOBALS:
            return ("global", name)
        return UNKNOWN

    def _value(self, bound: Node | Val) -> Val:
        if isinstance(bound, tuple):
            return bound
        if bound.id in self.busy:
            return UNKNOWN
        self.busy.add(bound.id)
        try:
            return self.eval(bound)
        finally:
            self.busy.discard(bound.id)

    def _reference(self, node: Node) -> None:
        """``eval``, ``Function``, ``require`` ... used as values (not called) are gaps."""
        parent = node.parent
        if parent is None:
            return
        if parent.type in ("member_expression", "subscript_expression"):
            if parent.child_by_field_name("object") != node:
                return
            # globalThis.x / global[x]: the member is resolved when called
            if (
                _text(node) in ("globalThis", "global", "window", "self")
                and parent.id not in self.callees
            ):
                value = self.eval(parent)
                if value[0] == "global" and value[1] in ("eval", "Function", "require"):
                    self.gap(node, f"reaches {value[1]} through {_text(node)}")
            return
        if parent.type in ("variable_declarator", "assignment_expression"):
            if (
                parent.child_by_field_name("name") == node
                or parent.child_by_field_name("left") == node
            ):
                return
            return  # bound to a name: judged where that name is called
        name = _text(node)
        if (
            name in ("eval", "Function", "require")
            and name not in self.binds
            and parent.type not in ("unary_expression", "binary_expression")
        ):
            self.gap(node, f"passes {name} around")

    def _value_use(self, node: Node) -> None:
        """A function that acts on the machine, or a module of such functions, used as a
        value (``util.promisify(cp.exec)``, ``[fs][0]``, ``return cp``): where it ends up
        being called is not followed."""
        parent = node.parent
        if parent is None or parent.type in _BINDING_PARENTS:
            return
        if (
            parent.type in ("member_expression", "subscript_expression")
            and parent.child_by_field_name("object") == node
        ):
            return  # x.y: judged as a whole
        if parent.type == "assignment_expression" and parent.child_by_field_name("left") == node:
            return
        if node.type == "identifier" and _text(node) in ("globalThis", "global", "self", "window"):
            return
        kind, data = self.eval(node)
        if kind == "fn" and _acts(data):
            self.gap(node, f"passes {data} around")
        elif kind == "mod" and data in ("child_process", "fs", "net", "http", "https", "vm"):
            self.gap(node, f"passes the {data} module around")

    # ------------------------------------------------------------ values

    def eval(self, node: Node) -> Val:
        kind = node.type
        if kind == "identifier":
            return self.name(node)
        if kind in ("string", "template_string"):
            text = self._string(node)
            return ("str", text) if text is not None else PURE
        if kind == "number":
            try:
                return ("num", int(_text(node), 0))
            except ValueError:
                return PURE
        if kind in ("true", "false", "null", "undefined", "regex", "object", "arrow_function",
                    "function_expression", "function", "unary_expression", "update_expression",
                    "class", "this"):  # fmt: skip
            return PURE if kind != "this" else UNKNOWN
        if kind == "array":
            return ("list", tuple(self.eval(c) for c in node.named_children))
        if kind == "parenthesized_expression":
            inner = node.named_children
            return self.eval(inner[-1]) if inner else UNKNOWN
        if kind in ("member_expression", "subscript_expression"):
            return self._member(node)
        if kind in ("call_expression", "new_expression"):
            return self.call(node)
        if kind == "binary_expression":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            op = node.child_by_field_name("operator")
            if left is None or right is None or op is None:
                return UNKNOWN
            a, b = self.eval(left), self.eval(right)
            if _text(op) == "+" and a[0] == "str" and b[0] in ("str", "num"):
                return ("str", a[1] + str(b[1]))
            if _text(op) == "+" and a[0] == "num" and b[0] == "str":
                return ("str", str(a[1]) + b[1])
            if _text(op) in ("||", "??") and a[0] == "str":
                return a
            return PURE
        if kind in ("await_expression", "as_expression", "satisfies_expression",
                    "non_null_expression", "type_assertion"):  # fmt: skip
            inner = [c for c in node.named_children if not c.type.endswith("type")]
            inner = inner or node.named_children
            return (
                self.eval(inner[-1] if kind == "type_assertion" else inner[0]) if inner else UNKNOWN
            )
        if kind == "ternary_expression":
            cons = node.child_by_field_name("consequence")
            alt = node.child_by_field_name("alternative")
            values = {self.eval(c) for c in (cons, alt) if c is not None}
            return values.pop() if len(values) == 1 else UNKNOWN
        if kind == "sequence_expression":
            inner = node.named_children
            return self.eval(inner[-1]) if inner else UNKNOWN
        if kind == "assignment_expression":
            right = node.child_by_field_name("right")
            return self.eval(right) if right is not None else UNKNOWN
        return UNKNOWN

    def _string(self, node: Node) -> str | None:
        out: list[str] = []
        for child in node.named_children:
            if child.type == "string_fragment":
                out.append(_text(child))
            elif child.type == "escape_sequence":
                out.append(_unescape(_text(child)))
            elif child.type == "template_substitution":
                inner = child.named_children
                value = self.eval(inner[0]) if inner else UNKNOWN
                if value[0] in ("str", "num"):
                    out.append(str(value[1]))
                else:
                    return None
            elif child.type != "comment":
                return None
        return "".join(out)

    def _member(self, node: Node) -> Val:
        obj = node.child_by_field_name("object")
        if obj is None:
            return UNKNOWN
        base = self.eval(obj)
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            return self.attr(base, _text(prop), node) if prop is not None else UNKNOWN
        index = node.child_by_field_name("index")
        key = self.eval(index) if index is not None else UNKNOWN
        if key[0] == "str":
            return self.attr(base, key[1], node)
        if base[0] in ("mod", "fn", "global", "opaque"):
            self.gap(node, "indexes a module or global by a name only known at run time")
            return UNKNOWN
        if base[0] == "list" and key[0] == "num":
            try:
                return base[1][key[1]]  # type: ignore[no-any-return]
            except IndexError:
                return UNKNOWN
        return PURE if base[0] in ("pure", "str", "list") else UNKNOWN

    def attr(self, base: Val, name: str, node: Node) -> Val:
        kind, data = base
        if name in _REACHES and kind != "local":
            self.gap(node, f"reaches {name}")
            return UNKNOWN
        if kind == "global":
            if data in ("globalThis", "global", "window", "self"):
                return self.name_value(name)
            if data == "require" and name in ("resolve", "cache", "main", "extensions"):
                return PURE if name == "resolve" else UNKNOWN
            if data == "module":
                if name in ("exports", "id", "filename", "loaded", "paths", "path"):
                    return PURE
                self.gap(node, f"reaches module.{name}")
                return UNKNOWN
            if data == "process":
                return self._process_attr(name)
            return PURE if data in _GLOBALS_PURE else ("fn", f"{data}.{name}")
        if kind == "mod":
            if data in _PURE_MODULES:
                if data == "os" and name == "homedir":
                    return ("fn", "os.homedir")
                if data in ("path", "path/posix"):
                    return ("fn", f"path.{name}")
                if data == "process":
                    return self._process_attr(name)
                return PURE
            if data == "fs" and name == "promises":
                return ("mod", "fs")
            if data in _MODELLED or data in _OPAQUE_MODULES:
                return ("fn", f"{data}.{name}")
            return ("opaque", f"{data}.{name}")
        if kind == "fn":
            return ("fn", f"{data}.{name}")
        if kind == "opaque":
            return ("opaque", f"{data}.{name}")
        if kind == "obj":
            return ("method", (base, name))
        if kind in ("str", "num", "list", "pure"):
            return ("puremethod", name)
        if kind == "env":
            return ("str", "~") if name == "HOME" else PURE
        return ("method", (UNKNOWN, name))

    def name_value(self, name: str) -> Val:
        if name in self.binds:
            return UNKNOWN
        if name in _GLOBALS_PURE or name in _DANGEROUS_GLOBALS:
            return ("global", name)
        return UNKNOWN

    def _process_attr(self, name: str) -> Val:
        if name == "env":
            return ("env", None)
        if name in ("kill", "chdir", "getBuiltinModule"):
            return ("fn", f"process.{name}")
        return PURE

    # ------------------------------------------------------------ calls

    def call(self, node: Node) -> Val:
        done = self.calls.get(node.id)
        if done is not None:
            return done
        self.calls[node.id] = UNKNOWN
        fn = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        args_node = node.child_by_field_name("arguments")
        args: list[Node] = []
        spread = False
        if args_node is not None and args_node.type == "arguments":
            for a in args_node.named_children:
                if a.type == "spread_element":
                    spread = True
                elif a.type != "comment":
                    args.append(a)
        elif args_node is not None:
            args.append(args_node)  # a tagged template
        if fn is None:
            result = UNKNOWN
        elif fn.type == "import":
            result = self._dynamic_import(node, args)
        elif fn.type in ("arrow_function", "function_expression", "function"):
            result = PURE
        else:
            result = self._apply(self.eval(fn), node, args, spread)
        self.calls[node.id] = result
        return result

    def _dynamic_import(self, node: Node, args: list[Node]) -> Val:
        module = self._literal(args[0] if args else None)
        if module is None:
            self.gap(node, "imports a module whose name is only known at run time")
            return UNKNOWN
        self._import(node, _module(module))
        return ("mod", _module(module))

    def _literal(self, node: Node | None) -> str | None:
        if node is None:
            return None
        value = self.eval(node)
        if value[0] in ("str", "num"):
            return str(value[1])
        return None

    def _apply(self, callee: Val, node: Node, args: list[Node], spread: bool) -> Val:
        kind, data = callee
        if kind == "global":
            return self._global(data, node, args)
        if kind == "local":
            return UNKNOWN  # its body is read; what it returns is not followed
        if kind == "pure":
            return PURE
        if kind == "puremethod":
            return PURE
        if kind == "fn":
            return self._module_call(data, node, args, spread)
        if kind == "mod":
            if data in ("axios", "got", "node-fetch", "undici"):
                return self._fetch(node, args, "GET")
            return PURE if data in _PURE_MODULES else self._opaque(data, node)
        if kind == "opaque":
            return self._opaque(data, node)
        if kind == "method":
            receiver, name = data
            if receiver == ("obj", "socket") and name == "connect":
                self._net(node, args)
                return PURE
            if name in _HTTP_VERBS and args:
                url = self._literal(args[0])
                if url is not None and url.startswith(("http://", "https://")):
                    # client.post("https://...") on a client Superego did not follow
                    return self._fetch(node, args, _HTTP_VERBS[name])
            if receiver[0] == "obj":
                return PURE
            if name in _SAFE_METHODS or name in self.locals:
                return PURE
            self.gap(node, f"calls .{name}() on a value Superego cannot follow")
            return UNKNOWN
        self.gap(node, "calls a function Superego cannot follow")
        return UNKNOWN

    def _opaque(self, qual: str, node: Node) -> Val:
        last = qual.rsplit(".", 1)[-1]
        if last.startswith(_READISH) and last not in ("get",):
            return PURE
        self.gap(node, f"calls {qual}, which Superego does not know")
        return UNKNOWN

    def _global(self, name: str, node: Node, args: list[Node]) -> Val:
        if name in _GLOBALS_PURE:
            return PURE
        if name == "require":
            module = self._literal(args[0] if args else None)
            if module is None:
                self.gap(node, "requires a module whose name is only known at run time")
                return UNKNOWN
            module = _module(module)
            self._import(node, module)
            if module.startswith((".", "/")):
                return ("opaque", module)  # a file of the project
            return ("mod", module)
        if name in ("eval", "Function", "setTimeout", "setInterval"):
            if name in ("setTimeout", "setInterval"):
                first = args[0] if args else None
                if first is None or self.eval(first)[0] not in ("str",):
                    if first is not None and self.eval(first)[0] == "unknown":
                        self.gap(node, f"{name} of something only known at run time")
                    return PURE
            code_node = args[-1] if name == "Function" and args else (args[0] if args else None)
            code = self._literal(code_node)
            if code is None:
                if code_node is None:
                    return PURE
                self.gap(node, f"{name} of code only known at run time")
            else:
                self._nested(node, code)
            return PURE
        if name == "fetch":
            return self._fetch(node, args, "GET")
        self.gap(node, f"calls {name}")
        return UNKNOWN

    def _nested(self, node: Node, code: str) -> None:
        if self.depth >= MAX_NESTING:
            self.gap(node, f"eval nested more than {MAX_NESTING} deep")
            return
        depth, line = self.depth + 1, self.line(node) - 1
        _Reader(self.report, depth, line, self.budget, self.grammar).read(code)

    def _object(self, node: Node | None) -> Node | None:
        """The object literal an argument is (through parentheses, TypeScript's ``as`` /
        ``satisfies`` / ``!``, and a name bound once to one), or None."""
        for _ in range(8):
            if node is None or node.type == "object":
                return node
            if node.type in ("parenthesized_expression", "as_expression",
                             "satisfies_expression", "non_null_expression"):  # fmt: skip
                node = node.named_children[0] if node.named_children else None
            elif node.type == "identifier":
                bound = self.binds.get(_text(node), [])
                node = bound[0] if len(bound) == 1 and not isinstance(bound[0], tuple) else None
            else:
                return None
        return None

    def _options(self, node: Node | None) -> dict[str, Node]:
        """The literal keys of an object literal argument."""
        out: dict[str, Node] = {}
        node = self._object(node)
        if node is None:
            return out
        for pair in node.named_children:
            if pair.type == "pair":
                key = pair.child_by_field_name("key")
                value = pair.child_by_field_name("value")
                if key is not None and value is not None:
                    out[_text(key).strip("'\"")] = value
            elif pair.type == "shorthand_property_identifier":
                out[_text(pair)] = pair
        return out

    def _fetch(self, node: Node, args: list[Node], default: str) -> Val:
        first = args[0] if args else None
        url = self._literal(first)
        opts = self._options(args[1] if len(args) > 1 else None)
        if first is not None and first.type == "object" and url is None:
            opts = self._options(first)
            url = self._literal(opts.get("url"))
        method = default
        if "method" in opts:
            method = self._literal(opts["method"]) or "POST"
        if url is None:
            self.gap(node, "an HTTP request to a URL only known at run time")
            return ("obj", "response")
        sends = "body" in opts or "data" in opts or "json" in opts
        self.effect(node, curl(url, method, data=sends))
        return ("obj", "response")

    def _module_call(self, qual: str, node: Node, args: list[Node], spread: bool) -> Val:
        mod, _, attr = qual.partition(".")
        if spread and mod in _MODELLED:
            self.gap(node, f"calls {qual} with arguments only known at run time")
            return UNKNOWN
        if qual == "os.homedir":
            return ("str", "~")
        if mod == "path":
            values = [self._literal(a) for a in args]
            if attr in ("join", "resolve") and values and all(v is not None for v in values):
                return ("str", posixpath.join(*(v or "" for v in values)))
            if attr in ("dirname", "basename", "normalize") and values and values[0] is not None:
                fn = {"normalize": posixpath.normpath}.get(attr) or getattr(posixpath, attr)
                return ("str", fn(values[0]))
            return PURE
        if mod == "process":
            if attr == "kill":
                pid = self._literal(args[0] if args else None)
                sig = self._literal(args[1]) if len(args) > 1 else "TERM"
                if pid is None or sig is None:
                    self.gap(node, "process.kill of a process only known at run time")
                else:
                    self.effect(node, command("kill", f"-{sig.removeprefix('SIG')}", "--", pid))
                return PURE
            if attr == "getBuiltinModule":
                return self._global("require", node, args)
            self.gap(node, f"calls {qual}")
            return UNKNOWN
        if mod == "fs":
            return self._fs(attr, node, args)
        if mod == "child_process":
            return self._child(attr, node, args)
        if mod in ("http", "https", "http2"):
            if attr in ("request", "get"):
                return self._fetch(node, args, "GET" if attr == "get" else "POST")
            if attr in ("createServer", "Agent", "STATUS_CODES", "METHODS", "globalAgent",
                        "createSecureServer"):  # fmt: skip
                return PURE
        if mod == "net":
            if attr in ("connect", "createConnection", "Socket"):
                if attr == "Socket":
                    return ("obj", "socket")
                self._net(node, args)
                return ("obj", "socket")
            if attr in ("createServer", "isIP", "isIPv4", "isIPv6"):
                return PURE
        if mod in ("axios", "got", "node-fetch", "undici"):
            if attr in _HTTP_VERBS:
                return self._fetch(node, args, _HTTP_VERBS[attr])
            if attr in ("request", "fetch"):
                return self._fetch(node, args, "GET")
            if attr in ("create", "defaults", "isAxiosError"):
                if attr == "create":
                    self.gap(node, "an HTTP client whose requests Superego does not follow")
                return PURE
        self.gap(node, f"calls {qual}, which Superego does not model")
        return UNKNOWN

    def _net(self, node: Node, args: list[Node]) -> None:
        first = args[0] if args else None
        if first is not None and first.type == "object":
            opts = self._options(first)
            port = self._literal(opts.get("port"))
            host: str | None = self._literal(opts.get("host")) or "localhost"
        else:
            port = self._literal(first)
            host = self._literal(args[1]) if len(args) > 1 else "localhost"
        if port is None or host is None:
            self.gap(node, "a network connection to an address only known at run time")
            return
        self.effect(node, command("nc", word(host), word(port)))
        # What goes over a raw socket is not known (a reverse shell is a socket and a shell).
        self.gap(node, f"opens a raw network connection ({host}:{port})")

    def _fs(self, attr: str, node: Node, args: list[Node]) -> Val:
        name = attr.removesuffix("Sync")
        path = self._literal(args[0] if args else None)
        second = self._literal(args[1]) if len(args) > 1 else None
        opts = self._options(args[1] if len(args) > 1 else None)
        if attr in _FS_PURE:
            return PURE
        effects: dict[str, str] = {
            "unlink": "rm -f -- {0}",
            "mkdir": "mkdir -p -- {0}",
            "rename": "mv -f -- {0} {1}",
            "copyFile": "cp -- {0} {1}",
            "symlink": "ln -s -- {0} {1}",
            "link": "ln -- {0} {1}",
            "truncate": ": > {0}",
            "utimes": "touch -- {0}",
            "lutimes": "touch -- {0}",
            "writeFile": ": > {0}",
            "createWriteStream": ": > {0}",
            "appendFile": ": >> {0}",
            "readFile": "cat -- {0}",
            "createReadStream": "cat -- {0}",
            "chown": "chown root -- {0}",
            "lchown": "chown root -- {0}",
        }
        # Options Superego cannot read count as {recursive: true, force: true}.
        unread = len(args) > 1 and self._object(args[1]) is None and second is None
        recursive = unread or ("recursive" in opts and _text(opts["recursive"]) != "false")
        if name in ("rm", "rmdir"):
            template = (
                "rm -rf -- {0}"
                if recursive or (name == "rm" and "force" in opts)
                else ("rm -f -- {0}" if name == "rm" else "rmdir -- {0}")
            )
            if recursive:
                template = "rm -rf -- {0}"
        elif name == "cp":
            template = "cp -r -- {0} {1}" if recursive else "cp -- {0} {1}"
        elif name in ("chmod", "lchmod"):
            mode_node = args[1] if len(args) > 1 else None
            mode = self.eval(mode_node) if mode_node is not None else UNKNOWN
            if path is None or mode[0] not in ("num", "str"):
                self.gap(node, f"fs.{attr} of a path or mode only known at run time")
                return PURE
            shown = format(mode[1], "o") if mode[0] == "num" else str(mode[1])
            self.effect(node, command("chmod", shlex_quote(shown), "--", word(path)))
            return PURE
        elif name == "open":
            flags = second or "r"
            template = ": > {0}" if any(c in flags for c in "wa+") else "cat -- {0}"
        else:
            found = effects.get(name)
            if found is None:
                self.gap(node, f"calls fs.{attr}, which Superego does not model")
                return UNKNOWN
            template = found
        count = 2 if "{1}" in template else 1
        paths = [path, second][:count]
        if any(p is None for p in paths):
            self.gap(node, f"fs.{attr} of a path only known at run time")
            return UNKNOWN
        self.effect(node, template.format(*(word(p or "") for p in paths)))
        return PURE

    def _child(self, attr: str, node: Node, args: list[Node]) -> Val:
        name = attr.removesuffix("Sync")
        first = args[0] if args else None
        if name == "exec":
            text = self._literal(first)
            if text is None:
                self.gap(node, f"child_process.{attr} of a command only known at run time")
            else:
                self.effect(node, text)
            return ("obj", "child")
        if name in ("spawn", "execFile"):
            program = self._literal(first)
            argv: list[str] = []
            opts_node: Node | None = None
            if len(args) > 1 and args[1].type == "array":
                value = self.eval(args[1])
                words = [v[1] for v in value[1] if v[0] in ("str", "num")]
                if len(words) != len(value[1]):
                    program = None
                argv = [str(w) for w in words]
                opts_node = args[2] if len(args) > 2 else None
            elif len(args) > 1:
                opts_node = args[1]
            opts = self._options(opts_node)
            if program is None or (len(args) > 1 and args[1].type not in ("array", "object")):
                self.gap(node, f"child_process.{attr} of a command only known at run time")
                return ("obj", "child")
            if "shell" in opts and _text(opts["shell"]) not in ("false",):
                line = " ".join([program, *argv])
            else:
                line = command(word(program), *(word(a) for a in argv))
            cwd = self._literal(opts.get("cwd")) if "cwd" in opts else None
            if "cwd" in opts and cwd is None:
                self.gap(node, f"child_process.{attr} in a directory only known at run time")
                return ("obj", "child")
            self.effect(node, f"cd -- {word(cwd)} && {line}" if cwd is not None else line)
            return ("obj", "child")
        self.gap(node, f"calls child_process.{attr}")
        return ("obj", "child")


def _acts(qual: str) -> bool:
    """Whether a module function acts on the machine (deletes, writes, runs, connects)."""
    mod, _, attr = qual.partition(".")
    if mod == "child_process":
        return True
    if mod == "fs":
        return attr.split(".")[0] not in _FS_PURE and attr not in ("promises", "constants")
    if mod == "process":
        return attr in ("kill", "chdir", "getBuiltinModule")
    if mod in ("http", "https", "http2", "net", "axios", "got", "undici", "node-fetch"):
        return attr in ("request", "get", "connect", "createConnection", "post", "put",
                        "patch", "delete", "fetch")  # fmt: skip
    return False


def shlex_quote(text: str) -> str:
    """One shell word."""
    import shlex

    return shlex.quote(text)


def _unescape(esc: str) -> str:
    body = esc[1:]
    if not body:
        return ""
    if body[0] in _ESCAPES and len(body) == 1:
        return _ESCAPES[body[0]]
    try:
        if body[0] == "x" and len(body) == 3:
            return chr(int(body[1:], 16))
        if body[0] == "u":
            return chr(int(body[1:].strip("{}"), 16))
    except ValueError:
        return body
    if body[0] in "\r\n":
        return ""  # a line continuation
    return body


def read_javascript(
    source: str, report: Report | None = None, *, grammar: str = "javascript"
) -> Report:
    """Read JavaScript ``source`` (``grammar`` "typescript" or "tsx" for TypeScript) and
    report its effects and gaps; never raises."""
    report = report if report is not None else Report()
    try:
        _Reader(report, 0, 0, [MAX_NODES], grammar).read(source)
    except RecursionError:
        report.gap(1, "nested too deeply to read")
    except Exception as exc:  # fail closed: a bug here is a gap, never an allow
        report.gap(1, f"reading failed ({type(exc).__name__})")
    return report
