"""Each vendor's key is redacted by its shape alone: bare, in text with no secret-sounding
name, flag or header around it (where the generic ``NAME=value`` rules would not see it).
Every by-shape rule of ``superego_mcp.redact`` is needed here: without it, at least one key
below gets through.
Built by concatenation so that no scanner takes this file for a leak."""

from __future__ import annotations

import pytest

from superego_mcp.redact import MASK, redact_text

HEX = "0123456789abcdef"

# (vendor, a bare key of its shape)
BARE_KEYS: list[tuple[str, str]] = [
    ("anthropic", "sk-ant-api03-" + "Ab3_" * 8),
    ("openai", "sk-proj-" + "Zz9_" * 8),
    ("github classic", "ghp_" + "G1" * 18),
    ("github fine-grained", "github_pat_" + "11ABCDEFG" * 3),
    ("gitlab", "glpat-" + "x1Y2" * 6),
    ("slack", "xoxb-" + "1234567890-abcdef"),
    ("stripe", "sk_live_" + "4eC39HqLyjWDarjt"),
    ("stripe webhook", "whsec_" + "AbCdEfGhIjKlMnOpQrStUvWx12"),
    ("twilio", "SK" + HEX * 2),
    ("google", "AIza" + "SyD" + "x" * 32),
    ("google oauth client", "GOCSPX-" + "g0Cl1ent" * 3),
    ("google oauth access", "ya29." + "a0Acc3ss" * 3),
    ("npm", "npm_" + "n1" * 18),
    ("pypi", "pypi-AgE" + "Ij1Pypi" * 6),
    ("hugging face", "hf_" + "h" * 34),
    ("sendgrid", "SG." + "s" * 22 + "." + "t" * 43),
    ("vault service", "hvs." + "V4ultTok" * 3),
    ("vault batch", "hvb." + "B4tchTok" * 3),
    ("digitalocean", "dop_v1_" + HEX * 4),
    ("shopify", "shpat_" + HEX * 2),
    ("doppler", "dp.pt." + "D0ppler" * 6),
    ("linear", "lin_api_" + "L1near" * 6 + "L1ne"),
    ("databricks", "dapi" + HEX * 2),
    ("postman", "PMAK-" + "a1b2c3d4e5f6" * 2 + "-" + "0a1b2c3d4e5f6" * 2 + "01234567"),
    ("age", "AGE-SECRET-KEY-1" + "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" * 2),
    ("aws access key id", "AKIA" + "IOSFODNN7EXAMPLE"),
    ("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + "d" * 20),
]

# (kind, text holding a secret whose place is part of its shape, the secret)
SHAPED: list[tuple[str, str, str]] = [
    (
        "slack webhook",
        "https://hooks.slack.com/services/T0001/B0002/" + "SlackHookPart9",
        "SlackHookPart9",
    ),
    (
        "pem private key",
        "-----BEGIN " + "PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF\n"
        "-----END " + "PRIVATE KEY-----",
        "MIIEvQIBADANBgkqhkiG9w0BAQEF",
    ),
    (
        "putty key file",
        "PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-" + "Lines: 1\nAAAAPuttyBlob77\n"
        "Private-MAC: 00",
        "AAAAPuttyBlob77",
    ),
    (
        # A bare AWS secret access key is recognised only beside an access key id.
        "aws secret access key",
        "AKIA" + "IOSFODNN7EXAMPLE " + "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY",
    ),
]


@pytest.mark.parametrize(("vendor", "key"), BARE_KEYS, ids=[v for v, _ in BARE_KEYS])
def test_a_bare_vendor_key_is_redacted(vendor: str, key: str) -> None:
    for text in (key, f"echo {key} | pbcopy", f"the value was {key}, see above"):
        out = redact_text(text)
        assert key not in out, (vendor, out)
        assert MASK in out


@pytest.mark.parametrize(("kind", "text", "secret"), SHAPED, ids=[k for k, _, _ in SHAPED])
def test_a_secret_found_by_its_surroundings_shape_is_redacted(
    kind: str, text: str, secret: str
) -> None:
    for framed in (text, f"cat <<EOF\n{text}\nEOF", f"saw: {text} (pasted)"):
        out = redact_text(framed)
        assert secret not in out, (kind, out)
        assert MASK in out


def test_a_forty_character_word_is_not_taken_for_an_aws_secret_by_itself() -> None:
    # Without an access key id nearby (the word AKIA is not one), 40 base64 characters
    # could be anything (a digest).
    text = "no AKIA id here, digest wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
    assert redact_text(text) == text
    # Beside one, a commit id (lowercase hex) is still not a secret key.
    commit = "9fceb02d0ae598e95dc970b74767f19372d61af8"
    out = redact_text("AKIA" + "IOSFODNN7EXAMPLE at " + commit)
    assert out == f"{MASK} at {commit}"
