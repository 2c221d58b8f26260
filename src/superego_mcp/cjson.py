"""``json.loads`` and ``json.dumps`` for the hook path, without importing the ``json`` package.

Importing ``json`` imports ``re`` (and with it ``enum``, ``functools``, ``collections``) and
compiles five patterns: a few milliseconds on every hook call, before any work. The C
accelerator that ``json`` itself uses (``_json``: its scanner and encoder) does the work
here with the same settings, so every value decodes and encodes exactly as ``json`` would;
anything the fast path does not take (an error to report, an object ``json`` would reject)
is handed to ``json`` itself, which gives its own answer or raises its own error. Standard
library only (base floor).
"""

from __future__ import annotations

import _json

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from collections.abc import Callable
    from json import JSONDecodeError
    from typing import Any

_SPACE = " \t\n\r"  # json's whitespace
_NAN = float("nan")
_INF = float("inf")
# One scanner per pairs hook, made once (the server decodes every request with one).
_scanners: dict[object, Any] = {}
_CONSTANTS = {"-Infinity": -_INF, "Infinity": _INF, "NaN": _NAN}


class _Context:
    """What ``_json.make_scanner`` reads from a ``json.JSONDecoder`` (its default settings)."""

    __slots__ = (
        "object_hook",
        "object_pairs_hook",
        "parse_constant",
        "parse_float",
        "parse_int",
        "strict",
    )

    def __init__(self, pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None) -> None:
        self.strict = True
        self.object_hook = None
        self.object_pairs_hook = pairs_hook
        self.parse_float = float
        self.parse_int = int
        self.parse_constant = _CONSTANTS.__getitem__


def loads(
    data: str | bytes, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None
) -> Any:
    """``json.loads(data, object_pairs_hook=...)``."""
    text = data
    if isinstance(data, bytes):  # json's own detection unless plainly UTF-8
        plain = not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
        text = data.decode("utf-8", "surrogatepass") if plain and b"\0" not in data[:4] else ""
    try:
        if text:
            assert isinstance(text, str)
            scan = _scanners.get(object_pairs_hook)
            if scan is None:
                # Any object with a JSONDecoder's attributes will do (typeshed names its own).
                context: Any = _Context(object_pairs_hook)
                scan = _scanners[object_pairs_hook] = _json.make_scanner(context)
            start = len(text) - len(text.lstrip(_SPACE))
            value, end = scan(text, start)
            if text[end:].strip(_SPACE) == "":
                return value
    except StopIteration:
        pass  # no value: json says so in its own words
    except SystemError:
        pass  # the scanner reports an error only once json.decoder is loaded: json does
    except ValueError as exc:
        if type(exc).__name__ != "JSONDecodeError" and not isinstance(exc, UnicodeError):
            raise  # the pairs hook's own refusal
    import json

    return json.loads(data, object_pairs_hook=object_pairs_hook)


def __getattr__(name: str) -> type[JSONDecodeError]:
    # ``cjson.DecodeError`` is json.JSONDecodeError, imported when an except clause naming it
    # is reached (an error is on its way): the json package stays out of a good call.
    if name == "DecodeError":
        import json

        return json.JSONDecodeError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def dumps(
    value: Any,
    *,
    ensure_ascii: bool = True,
    sort_keys: bool = False,
    separators: tuple[str, str] = (", ", ": "),
) -> str:
    """``json.dumps(value, ensure_ascii=..., sort_keys=..., separators=...)``."""
    quote = _json.encode_basestring_ascii if ensure_ascii else _json.encode_basestring
    if isinstance(value, str):
        return str(quote(value))
    item, key = separators
    try:
        encode = _json.make_encoder({}, _refuse, quote, None, key, item, sort_keys, False, True)
        return "".join(encode(value, 0))
    except (TypeError, ValueError, RecursionError):
        import json  # its own error (an object that is not JSON, a circular reference)

        return json.dumps(
            value, ensure_ascii=ensure_ascii, sort_keys=sort_keys, separators=separators
        )


def _refuse(value: object) -> object:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
