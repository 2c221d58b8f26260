"""Analysis of code in languages other than POSIX shell (Python, JavaScript, PowerShell).

Each module here turns source text into the same findings the shell analysis produces
(commands run, paths touched, URLs reached), with file:line, so the same rules judge them.
Nothing here is imported on the hook path unless a call carries code in that language.

- :func:`read_code` reads Python, JavaScript or TypeScript source and returns a
  :class:`~.report.Report`: its effects as shell command lines (with lines) and what could
  not be followed (gaps). The shell analysis calls it for ``python -c``, ``python - <<EOF``,
  ``node -e/-p``, and the ``.py``/``.js``/``.ts`` files a command runs
  (``superego_mcp.shell.code_text``).
- :func:`fully_analysed` says whether a file's contents were fully analysed (a language
  Superego reads, read within the limits, nothing left unfollowed): session memory asks
  before running a file the agent wrote when this is false.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import Report

# Interpreter family (superego_mcp.shell.detect.interpreter, plus the TypeScript runners)
# -> language of its inline code and of files without a known ending.
FAMILIES = {
    "python": "python",
    "node": "javascript",
    "bun": "javascript",
    "deno": "typescript",
    "tsx": "typescript",
    "ts-node": "typescript",
    "pwsh": "powershell",
}
# File name endings -> language (for the JavaScript family; Python reads any file as Python).
SUFFIXES = {
    ".py": "python",
    ".pyw": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "tsx",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".ps1": "powershell",
    ".psm1": "powershell",
}
MAX_FILE_BYTES = 256 * 1024  # a file larger than this is not read (not fully analysed)
_cache: dict[tuple[str, int, int], bool] = {}


def read_code(language: str, source: str) -> Report:
    """Effects and gaps of ``source`` in ``language`` ("python", "javascript",
    "typescript", "tsx", "powershell"); never raises (a failure is a gap)."""
    if language == "python":
        from .python import read_python

        return read_python(source)
    if language == "powershell":
        from .powershell import read_powershell

        return read_powershell(source)
    if language in ("javascript", "typescript", "tsx"):
        from .javascript import read_javascript

        return read_javascript(source, grammar=language)
    from .report import Report

    report = Report()
    report.gap(1, f"{language} is not read by Superego")
    return report


def language_of(path: str, head: bytes = b"") -> str | None:
    """The language of a file by its name, else by its ``#!`` line; None when not read."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    if dot > 0 and name[dot:].lower() in SUFFIXES:
        return SUFFIXES[name[dot:].lower()]
    if head.startswith(b"#!"):
        from superego_mcp.shell.detect import interpreter
        from superego_mcp.shell.taskfiles import shebang_program

        family = interpreter(shebang_program(head))
        return FAMILIES.get(family or "")
    return None


def fully_analysed(path: str) -> bool:
    """Whether Superego fully analyses the file at ``path`` when a command runs it: its
    language is read here (Python, JavaScript), it is a regular UTF-8 file within
    :data:`MAX_FILE_BYTES`, and nothing in it was left unfollowed. False for anything else
    (shell scripts are the shell analysis's business). Cached per path, size and mtime."""
    from superego_mcp import observe

    try:
        info = observe.stat(path)
    except (OSError, ValueError):
        return False
    key = (path, info.st_size, info.st_mtime_ns)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    result = False
    if info.st_size <= MAX_FILE_BYTES:
        from superego_mcp.files import read_regular

        try:
            data = read_regular(path, MAX_FILE_BYTES + 1)
        except OSError:
            data = None
        if data is not None and len(data) <= MAX_FILE_BYTES and b"\0" not in data:
            language = language_of(path, data[:256])
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                language = None
            if language is not None:
                result = read_code(language, text).complete
    if len(_cache) > 256:
        _cache.clear()
    _cache[key] = result
    return result
