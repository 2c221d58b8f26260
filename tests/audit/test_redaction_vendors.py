"""Each vendor's key is redacted by its shape alone: bare, in text with no secret-sounding
name, flag or header around it (where the generic ``NAME=value`` rules would not see it).
Built by concatenation so that no scanner takes this file for a leak."""

from __future__ import annotations

import pytest

from superego_mcp.redact import MASK, redact_text

# (vendor, a bare key of its shape)
BARE_KEYS: list[tuple[str, str]] = [
    ("anthropic", "sk-ant-api03-" + "Ab3_" * 8),
    ("openai", "sk-proj-" + "Zz9_" * 8),
    ("github classic", "ghp_" + "G1" * 18),
    ("github fine-grained", "github_pat_" + "11ABCDEFG" * 3),
    ("gitlab", "glpat-" + "x1Y2" * 6),
    ("slack", "xoxb-" + "1234567890-abcdef"),
    ("stripe", "sk_live_" + "4eC39HqLyjWDarjt"),
    ("google", "AIza" + "SyD" + "x" * 32),
    ("npm", "npm_" + "n1" * 18),
    ("hugging face", "hf_" + "h" * 34),
    ("sendgrid", "SG." + "s" * 22 + "." + "t" * 43),
    ("aws access key id", "AKIA" + "IOSFODNN7EXAMPLE"),
    ("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + "d" * 20),
]


@pytest.mark.parametrize(("vendor", "key"), BARE_KEYS, ids=[v for v, _ in BARE_KEYS])
def test_a_bare_vendor_key_is_redacted(vendor: str, key: str) -> None:
    for text in (key, f"echo {key} | pbcopy", f"the value was {key}, see above"):
        out = redact_text(text)
        assert key not in out, (vendor, out)
        assert MASK in out
