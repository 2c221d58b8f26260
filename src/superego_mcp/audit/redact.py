"""Secrets out of text before it is stored, logged or used as a metric label.

Pattern-based and conservative: API keys of the major vendors, bearer/basic credentials,
``Authorization`` headers, passwords in URLs and connection strings, private-key blocks, AWS
keys, JWTs, ``--password=...`` style flags and ``*_TOKEN=...`` style assignments. A value
whose *key* names a secret (``password``, ``api_key``, ``authorization``...) is replaced
whole.

Each pattern has cheap trigger substrings; a pattern is compiled (once per process) only when
a trigger occurs in the text, so the command hook pays for no regular expression on the
ordinary call that carries no secret.
"""

from __future__ import annotations

import re
from typing import Any, Final

MASK: Final = "[REDACTED]"

# (triggers, pattern, replacement). Triggers are lowercase substrings; the pattern runs only
# when one occurs in the lowercased text. Replacements keep the name, drop the secret.
_RULES: Final[tuple[tuple[tuple[str, ...], str, str], ...]] = (
    # PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, PGP...), terminated or cut off.
    (
        ("private key",),
        r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----.*?"
        r"(?:-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\Z)",
        "-----BEGIN \\1PRIVATE KEY-----" + MASK + "-----END \\1PRIVATE KEY-----",
    ),
    # Authorization / Proxy-Authorization / X-Api-Key style headers: the whole value.
    (
        ("authorization", "api-key", "api_key", "apikey", "auth-token", "x-token"),
        r"(?i)\b((?:proxy-)?authorization|x-api-key|api-key|x-auth-token|x-token|"
        r"private-token)(\"?\s*[:=]\s*\"?)([^\"'\r\n\\]+)",
        "\\1\\2" + MASK,
    ),
    # Bearer / Basic / Token credentials wherever they appear.
    (("bearer",), r"(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]{8,}", "\\1\\2" + MASK),
    # Basic / Token schemes: only a credential-length word, not "basic auth" in prose.
    (
        ("basic ", "token "),
        r"(?i)\b(basic|token)(\s+)[A-Za-z0-9._~+/=-]{16,}",
        "\\1\\2" + MASK,
    ),
    # user:password@ in any URL (postgresql://, https://, redis://, mongodb+srv://...).
    (
        ("://",),
        r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@'\"]*):([^@\s/'\"]+)@",
        "\\1:" + MASK + "@",
    ),
    # password=... in connection strings (libpq, ODBC, JDBC properties).
    (
        ("pass", "pwd"),
        r"(?i)\b(password|passwd|pwd)(\s*=\s*)('[^']*'|\"[^\"]*\"|[^;\s&'\"]+)",
        "\\1\\2" + MASK,
    ),
    # Command-line flags carrying a secret: --password x, --token=x, --api-key x ...
    (
        ("--",),
        r"(?i)(--(?:password|passwd|pass|token|auth-token|access-token|api-key|apikey|"
        r"secret|client-secret|secret-key|private-key)(?:=|\s+))('[^']*'|\"[^\"]*\"|\S+)",
        "\\1" + MASK,
    ),
    # curl -u user:password / --user user:password.
    (
        ("-u", "--user"),
        r"((?:^|\s)(?:-u|--user)(?:=|\s*))([^:\s'\"]+):([^\s'\"]+)",
        "\\1\\2:" + MASK,
    ),
    # NAME=value / NAME: value where NAME says secret (env assignments, YAML, .env files).
    (
        ("secret", "token", "password", "passwd", "api_key", "apikey", "access_key", "credential"),
        r"(?i)\b([A-Za-z0-9_.-]*(?:secret|token(?!s)|password|passwd|api_?key|access_?key|"
        r"private_?key|credentials?)[A-Za-z0-9_]*)(\"?\s*[=:]\s*)"
        r"(\"[^\"\r\n]*\"|'[^'\r\n]*'|[^\s,;'\"}]+)",
        "\\1\\2" + MASK,
    ),
    # Vendor API keys by shape.
    (("sk-ant-",), r"\bsk-ant-[A-Za-z0-9_-]{16,}", MASK),  # Anthropic
    (("sk-",), r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", MASK),  # OpenAI
    (("gh", "github_pat_"), r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{22,})", MASK),
    (("glpat-",), r"\bglpat-[A-Za-z0-9_-]{20,}", MASK),  # GitLab
    (("xox",), r"\bxox[abposr]-[A-Za-z0-9-]{10,}", MASK),  # Slack
    (("_live_", "_test_"), r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}", MASK),  # Stripe
    (("aiza",), r"\bAIza[0-9A-Za-z_-]{35}", MASK),  # Google
    (("npm_",), r"\bnpm_[A-Za-z0-9]{36}", MASK),
    (("hf_",), r"\bhf_[A-Za-z0-9]{30,}", MASK),  # Hugging Face
    (("sg.",), r"\bSG\.[\w-]{16,}\.[\w-]{16,}", MASK),  # SendGrid
    (("akia", "asia"), r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", MASK),  # AWS access key id
    # JSON Web Tokens: header.payload.signature, header and payload base64url JSON.
    (("eyj",), r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", MASK),
)

_compiled: dict[int, re.Pattern[str]] = {}

# Keys whose value is a secret whatever it looks like.
_SECRET_KEY: Final = (
    r"(?i)(pass(word|wd|phrase)?|secret|token|api[_-]?key|apikey|authorization|"  # noqa: S105
    r"credential|private[_-]?key|access[_-]?key|cookie|session[_-]?key|client[_-]?secret)"
)
_secret_key: list[re.Pattern[str]] = []


def redact_text(text: str) -> str:
    """``text`` with every secret this module recognises replaced by ``[REDACTED]``."""
    lowered = text.lower()
    for i, (triggers, pattern, replacement) in enumerate(_RULES):
        if not any(t in lowered for t in triggers):
            continue
        regex = _compiled.get(i)
        if regex is None:
            regex = _compiled[i] = re.compile(pattern, re.DOTALL if i == 0 else 0)
        text = regex.sub(replacement, text)
    return text


def is_secret_key(key: str) -> bool:
    """True when a mapping key names a secret (its value is replaced whole)."""
    if not _secret_key:
        _secret_key.append(re.compile(_SECRET_KEY))
    # "tokens_used", "max_tokens" are counts, not secrets: the key must not be plural-count.
    return bool(_secret_key[0].search(key)) and "tokens" not in key.lower()


def redact_value(value: Any, depth: int = 0) -> Any:
    """A JSON-ready copy of ``value`` with secrets redacted in every string, and the whole
    value of any key that names a secret replaced."""
    if isinstance(value, str):
        return redact_text(value)
    if depth > 64:  # deeper than any real tool input; stored as a marker, not walked
        return "[TOO DEEP]"
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            key = redact_text(str(k))
            if isinstance(v, str | int | float) and not isinstance(v, bool) and is_secret_key(key):
                out[key] = MASK
            else:
                out[key] = redact_value(v, depth + 1)
        return out
    if isinstance(value, list | tuple):
        return [redact_value(v, depth + 1) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact_text(str(value))
