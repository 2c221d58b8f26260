"""Secrets out of text before it is stored, logged, streamed, shown or sent to the reviewer.

Pattern-based and conservative (hiding a harmless word costs little, storing a secret a lot):

- by place: ``Authorization`` / API-key headers, bearer/basic credentials, ``user:password@``
  in URLs, ``password=`` in connection strings, every secret-named query parameter
  (``?token=…&sig=…``), ``--password=…`` style flags of any program, ``*_TOKEN=…`` style
  assignments, and the password options of database and network clients (``mysql -pSECRET``,
  ``mongosh -p``, ``redis-cli -a``, ``sshpass -p``, ``curl -u user:pw``, ``docker login -p``,
  ``sqlcmd -P``, ``ldapsearch -w``, ``smbclient -U user%pw``, ``openssl … pass:…``);
- by shape, wherever they appear: private-key blocks (PEM, PuTTY, age), JWTs, and the keys
  of vendors with a known prefix (Anthropic, OpenAI, GitHub, GitLab, Slack, Stripe, Twilio,
  Google, npm, PyPI, Hugging Face, SendGrid, AWS access key ids, and an AWS secret access key
  in text that also holds an access key id, ...).

A value whose *key* names a secret (``password``, ``api_key``, ``authorization``...) is
replaced whole by :func:`redact_value`.

Each pattern has cheap trigger substrings; a pattern is compiled (once per process) only when
a trigger occurs in the text, so the command hook pays for no regular expression on the
ordinary call that carries no secret. :func:`contains_secret` answers whether a text holds
anything this module would hide (other checks reuse the same patterns).
"""

from __future__ import annotations

from superego_mcp.lazyre import LazyPattern

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)

if TYPE_CHECKING:
    import re
    from collections.abc import Callable
    from typing import Any, Final

    Replacement = str | Callable[[re.Match[str]], str]

MASK: Final = "[REDACTED]"

# A shell word's value: quoted, or up to the next blank / quote / separator.
_VALUE: Final = r"""(?!\[REDACTED\])('[^'\n]*'|"[^"\n]*"|[^\s'";|&]+)"""
# The rest of one simple command before an option (never past a separator).
_SAME_COMMAND: Final = r"""[^\n;|&]*?\s"""


def _aws_secret(match: re.Match[str]) -> str:
    """A 40-character AWS secret key (mixed case: never a lowercase hex commit id)."""
    word = match.group(0)
    has_upper = any(c.isupper() for c in word)
    has_lower = any(c.islower() for c in word)
    return MASK if has_upper and has_lower else word


# (triggers, pattern, replacement). Triggers are lowercase substrings; the pattern runs only
# when one occurs in the lowercased text. Replacements keep the name, drop the secret.
_RULES: Final[tuple[tuple[tuple[str, ...], str, Replacement], ...]] = (
    # PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, PGP...), terminated or cut off.
    (
        ("private key",),
        r"(?s)-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----.*?"
        r"(?:-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\Z)",
        "-----BEGIN \\1PRIVATE KEY-----" + MASK + "-----END \\1PRIVATE KEY-----",
    ),
    # PuTTY key files: the private lines up to the MAC (or the end).
    (("private-lines",), r"(?s)(Private-Lines:\s*\d+\s*).*?(?=Private-MAC|\Z)", "\\1" + MASK),
    (("age-secret-key-",), r"\bAGE-SECRET-KEY-1[0-9A-Z]{20,}", MASK),
    # Authorization / Proxy-Authorization / X-Api-Key style headers: the whole value.
    (
        ("authorization", "api-key", "api_key", "apikey", "auth-token", "x-token", "private-token"),
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
    # Every query parameter whose name ends in a secret word (?token=..&X-Amz-Signature=..).
    (
        ("=",),  # what every such parameter holds ("&" alone is every `a && b` line)
        r"(?i)([?&;][\w.\[\]-]*?(?:token|secret|passw(?:or)?d|pass|pwd|key|sig|signature|"
        r"credential|auth|code|session|sid)=)([^&#\s'\"]+)",
        "\\1" + MASK,
    ),
    # password=... in connection strings (libpq, ODBC, JDBC properties).
    (
        ("pass", "pwd"),
        r"(?i)\b(password|passwd|pwd)(\s*=\s*)('[^']*'|\"[^\"]*\"|[^;\s&'\"]+)",
        "\\1\\2" + MASK,
    ),
    # Long options carrying a secret, of any program: --password x, --http-password=x,
    # --token=x, --api-key x, --oauth2-bearer x ... (not --no-password).
    (
        ("--",),
        r"(?i)(--(?!no-)(?:[a-z0-9]+-)*(?:password|passwd|pass|passphrase|token|api-key|apikey|"
        r"secret|secret-key|private-key|bearer|auth-key)(?:=|\s+))" + _VALUE,
        "\\1" + MASK,
    ),
    # curl / wget -u user:password, --user, --proxy-user (quoted or not).
    (
        ("-u", "--user", "--proxy-user"),
        r"((?:^|\s)(?:-u|-U|--user|--proxy-user)(?:=|\s*)['\"]?)([^:\s'\"]+):([^\s'\"]+)",
        "\\1\\2:" + MASK,
    ),
    # mysql family: -pSECRET (attached; `-p NAME` prompts and NAME is the database).
    (
        ("mysql", "mariadb"),
        r"\b((?:mysql|mariadb)[\w-]*\b" + _SAME_COMMAND + r"-p)" + _VALUE,
        "\\1" + MASK,
    ),
    # mongosh / mongo tools: -p SECRET, -pSECRET.
    (
        ("mongo",),
        r"\b(mongo[\w-]*\b" + _SAME_COMMAND + r"-p(?:\s+|=)?)" + _VALUE,
        "\\1" + MASK,
    ),
    # redis-cli / valkey-cli / keydb-cli -a SECRET.
    (
        ("redis", "valkey", "keydb"),
        r"\b((?:redis|valkey|keydb)-(?:cli|benchmark)\b"
        + _SAME_COMMAND
        + r"-a(?:\s+|=)?)"
        + _VALUE,
        "\\1" + MASK,
    ),
    # sshpass -p SECRET.
    (("sshpass",), r"\b(sshpass\b" + _SAME_COMMAND + r"-p\s*)" + _VALUE, "\\1" + MASK),
    # Registry logins: docker / podman / helm ... login -p SECRET.
    (
        ("login",),
        r"\b((?:docker|podman|nerdctl|buildah|skopeo|helm|oras|crane)\b[^\n;|&]*?\blogin\b"
        + _SAME_COMMAND
        + r"-p(?:\s+|=))"
        + _VALUE,
        "\\1" + MASK,
    ),
    # SQL Server tools -P SECRET; LDAP tools -w SECRET.
    (
        ("sqlcmd", "bcp", "osql"),
        r"\b((?:sqlcmd|bcp|osql)\b" + _SAME_COMMAND + r"-P\s*)" + _VALUE,
        "\\1" + MASK,
    ),
    (("ldap",), r"\b(ldap\w+\b" + _SAME_COMMAND + r"-w\s+)" + _VALUE, "\\1" + MASK),
    # smbclient / rpcclient -U user%password.
    (("%",), r"((?:^|\s)-U\s*['\"]?[^%\s'\"]+)%([^\s'\"]+)", "\\1%" + MASK),
    # openssl -passin/-passout/-pass pass:SECRET.
    (("pass:",), r"\b(pass:)([^\s'\"]+)", "\\1" + MASK),
    # NAME=value / NAME: value where NAME says secret (env assignments, YAML, .env files).
    (
        (
            "secret",
            "token",
            "password",
            "passwd",
            "api_key",
            "apikey",
            "access_key",
            "credential",
            "accountkey",
            "sharedaccesskey",
        ),
        r"(?i)\b([A-Za-z0-9_.-]*(?:secret|token(?!s)|password|passwd|api_?key|access_?key|"
        r"private_?key|credentials?|accountkey|sharedaccesskey)[A-Za-z0-9_]*)(\"?\s*[=:]\s*)"
        r"(?!\[REDACTED\])(\"[^\"\r\n]*\"|'[^'\r\n]*'|[^\s,;&'\"}]+)",
        "\\1\\2" + MASK,
    ),
    # Vendor keys by shape, wherever they appear.
    (("sk-ant-",), r"\bsk-ant-[A-Za-z0-9_-]{16,}", MASK),  # Anthropic
    # OpenAI's shape leaves Anthropic's out: each vendor's keys are found by their own rule.
    (("sk-",), r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", MASK),  # OpenAI
    (("gh", "github_pat_"), r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{22,})", MASK),
    (("gl",), r"\bgl(?:pat|dt|rt|ptt|cbt|ft|imt|agent|soat|oas|wt)-[A-Za-z0-9_-]{20,}", MASK),
    (("xox", "xapp-"), r"\b(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}", MASK),  # Slack
    (
        ("hooks.slack.com",),
        r"(hooks\.slack\.com/services/[A-Z0-9]+/[A-Z0-9]+/)[A-Za-z0-9]+",
        "\\1" + MASK,
    ),
    (("_live_", "_test_"), r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}", MASK),  # Stripe
    (("whsec_",), r"\bwhsec_[A-Za-z0-9+/=]{24,}", MASK),  # Stripe webhook secret
    (("sk",), r"\bSK[0-9a-fA-F]{32}\b", MASK),  # Twilio API key
    (("aiza",), r"\bAIza[0-9A-Za-z_-]{35}", MASK),  # Google API key
    (("gocspx-", "ya29."), r"\b(?:GOCSPX-[A-Za-z0-9_-]{20,}|ya29\.[A-Za-z0-9_-]{20,})", MASK),
    (("npm_",), r"\bnpm_[A-Za-z0-9]{36}", MASK),
    (("pypi-",), r"\bpypi-AgE[A-Za-z0-9_-]{40,}", MASK),  # PyPI API token
    (("hf_",), r"\bhf_[A-Za-z0-9]{30,}", MASK),  # Hugging Face
    (("sg.",), r"\bSG\.[\w-]{16,}\.[\w-]{16,}", MASK),  # SendGrid
    (("hvs.", "hvb."), r"\bhv[sb]\.[A-Za-z0-9_-]{24,}", MASK),  # HashiCorp Vault
    (("_v1_",), r"\bdo[por]_v1_[a-f0-9]{64}", MASK),  # DigitalOcean
    (("shp",), r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}", MASK),  # Shopify
    (("dp.",), r"\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,}", MASK),  # Doppler
    (("lin_api_",), r"\blin_api_[A-Za-z0-9]{40}", MASK),  # Linear
    (("dapi",), r"\bdapi[a-f0-9]{32}\b", MASK),  # Databricks
    (("pmak-",), r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}", MASK),  # Postman
    # AWS access key ids (a bare secret key next to one: redact_text, before these rules).
    (("akia", "asia"), r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", MASK),
    # JSON Web Tokens: header.payload.signature, header and payload base64url JSON.
    (("eyj",), r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", MASK),
)

# A bare AWS secret access key: only redacted where an access key id was found (by shape
# alone, 40 base64 characters could be anything).
_AWS_ID: Final = r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
_AWS_KEY_SHAPE: Final = r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"

_compiled: dict[int, re.Pattern[str]] = {}
_aws: list[re.Pattern[str]] = []
_triggers: list[tuple[str, frozenset[int]]] = []  # (trigger, the rules it fires)

# Keys whose value is a secret whatever it looks like.
_SECRET_KEY: Final = (
    r"(?i)(pass(word|wd|phrase)?|secret|token|api[_-]?key|apikey|authorization|"  # noqa: S105
    r"credential|private[_-]?key|access[_-]?key|cookie|session[_-]?key|client[_-]?secret)"
)
_secret_key: list[re.Pattern[str]] = []


def _rules_for(lowered: str) -> list[int]:
    """The rules (indexes, in order) with a trigger that occurs in ``lowered``: each distinct
    trigger is looked for once (a C-level substring search), not once per rule."""
    if not _triggers:
        index: dict[str, set[int]] = {}
        for i, (triggers, _, _) in enumerate(_RULES):
            for t in triggers:
                index.setdefault(t, set()).add(i)
        _triggers.extend((t, frozenset(rules)) for t, rules in index.items())
    hit: set[int] = set()
    for trigger, rules in _triggers:
        if trigger in lowered:
            hit |= rules
    return sorted(hit)


# Redactions already made, by text (short texts only; emptied when full): the server records
# the same calls, cwds and reasons again and again, and redaction is a pure function.
_done: dict[str, str] = {}
_DONE_MAX: Final = 8192
_DONE_CHARS: Final = 2048


def redact_text(text: str) -> str:
    """``text`` with every secret this module recognises replaced by ``[REDACTED]``."""
    if len(text) > _DONE_CHARS:
        return _redact(text)
    done = _done.get(text)
    if done is None:
        done = _redact(text)
        if len(_done) >= _DONE_MAX:
            _done.clear()
        _done[text] = done
    return done


def _redact(text: str) -> str:
    lowered = text.lower()
    rules = _rules_for(lowered)
    if not rules:
        return text
    import re  # only for a text a rule's trigger is in

    if "akia" in lowered or "asia" in lowered:
        # Before the id itself is masked: the id is what makes the secret recognisable.
        if not _aws:
            _aws.extend((re.compile(_AWS_ID), re.compile(_AWS_KEY_SHAPE)))
        if _aws[0].search(text):
            text = _aws[1].sub(_aws_secret, text)
    for i in rules:
        regex = _compiled.get(i)
        if regex is None:
            regex = _compiled[i] = re.compile(_RULES[i][1])
        text = regex.sub(_RULES[i][2], text)
    return text


_WORD = LazyPattern(r"[A-Za-z0-9_+~-]{6,}")


def secret_words(value: Any, depth: int = 0) -> set[str]:
    """The words (6+ characters) of every secret :func:`redact_value` hides in ``value``,
    to scrub them from text derived from it (a reason that quotes part of a command, where
    the name or header that made the secret recognisable is gone). Words that survive
    redaction (a ``--password`` flag's name) are not secrets and are left out."""
    words: set[str] = set()
    if isinstance(value, str):
        redacted = redact_text(value)
        if redacted != value:
            kept = set(_WORD().findall(redacted))
            words.update(w for w in _WORD().findall(value) if w not in kept)
    elif depth <= 64 and isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str) and is_secret_key(str(k)):
                words.update(_WORD().findall(v))
            else:
                words |= secret_words(v, depth + 1)
    elif depth <= 64 and isinstance(value, list | tuple):
        for v in value:
            words |= secret_words(v, depth + 1)
    return words


def scrub(text: str, words: set[str]) -> str:
    """``text`` redacted, and every word of ``words`` (see :func:`secret_words`) in it
    replaced by ``[REDACTED]``, longest first."""
    text = redact_text(text)
    for word in sorted(words, key=len, reverse=True):
        if word in text:
            text = text.replace(word, MASK)
    return text


def contains_secret(text: str) -> bool:
    """True when ``text`` holds anything :func:`redact_text` would hide (a secret by place
    or by shape). For checks that refuse or flag secret-shaped values (URLs, arguments)."""
    return redact_text(text) != text


# Texts one of which every key _SECRET_KEY finds holds: an ASCII key without any is no
# secret's name, answered without compiling the expression (every tool input's keys).
_SECRET_KEY_WORDS: Final = (
    "pass",
    "secret",
    "token",
    "key",
    "authorization",
    "credential",
    "cookie",
)


def is_secret_key(key: str) -> bool:
    """True when a mapping key names a secret (its value is replaced whole)."""
    if key.isascii():
        lowered = key.lower()
        if not any(w in lowered for w in _SECRET_KEY_WORDS):
            return False
    if not _secret_key:
        import re

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
