"""The redaction corpus: secrets of every kind we know never reach a row, a log line or a
metric label; ordinary text stays readable."""

from __future__ import annotations

import json
import logging

import pytest
from audit_helpers import row

from superego_mcp.audit.redact import MASK, redact_text, redact_value
from superego_mcp.logs import JsonFormatter, _Redacting

# (text containing a secret, the secret). Built by concatenation so that no scanner takes
# this file for a leak.
CORPUS: list[tuple[str, str]] = [
    ("export ANTHROPIC_API_KEY=sk-ant-api03-" + "A1b2" * 10, "A1b2A1b2A1b2A1b2"),
    ("curl -H 'x-api-key: sk-ant-" + "k" * 30 + "' https://api", "k" * 30),
    ("OPENAI_API_KEY=sk-proj-" + "Zz9_" * 12 + " python x.py", "Zz9_Zz9_Zz9_"),
    ("client = OpenAI(api_key='sk-" + "q" * 40 + "')", "q" * 40),
    ("git clone https://ghp_" + "G" * 36 + "@github.com/o/r", "G" * 36),
    ("GH=github_pat_" + "11ABCDEFG" * 4, "11ABCDEFG11ABCDEFG"),
    ("glab auth login --token glpat-" + "x" * 20, "x" * 20),
    ("slack xoxb-" + "1234567890-abcdef", "1234567890-abcdef"),
    ("stripe sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "4eC39HqLyjWDarjtT1zdp7dc"),
    ("key=AIza" + "SyD" + "x" * 32, "SyD" + "x" * 32),
    ("//registry.npmjs.org/:_authToken=npm_" + "n" * 36, "n" * 36),
    ("HF_TOKEN=hf_" + "h" * 34, "h" * 34),
    ("sendgrid SG." + "s" * 22 + "." + "t" * 43, "t" * 43),
    ("aws configure set aws_access_key_id AKIA" + "IOSFODNN7EXAMPLE", "IOSFODNN7EXAMPLE"),
    ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
    ("curl -H 'Authorization: Bearer abc.def-" + "9" * 20 + "' x", "9" * 20),
    ("Authorization: Basic dXNlcjpwYXNzd29yZDEyMzQ1Ng==", "dXNlcjpwYXNzd29yZDEyMzQ1Ng"),
    ("Proxy-Authorization: Digest username=u, response=abc123", "response=abc123"),
    ("psql postgresql://admin:Pa55w0rd!@db.internal:5432/app", "Pa55w0rd!"),
    ("redis-cli -u redis://:r3d1s@cache:6379", "r3d1s"),
    ("mongodb+srv://root:m0ng0pw@cluster0.x.net/db", "m0ng0pw"),
    ("Server=tcp:x;Database=y;User Id=sa;Password=Sq1Serv3r;", "Sq1Serv3r"),
    ("host=db user=app password='l1bpq pass' dbname=x", "l1bpq pass"),
    ("mysql --password=My5ql! -u root", "My5ql!"),
    ("docker login --password hunter2hunter2 reg", "hunter2hunter2"),
    ("curl -u alice:wonderland https://x", "wonderland"),
    ("DATABASE_PASSWORD: sup3rs3cret", "sup3rs3cret"),
    ('{"client_secret": "cl13nt-s3cr3t"}', "cl13nt-s3cr3t"),
    (
        "cat <<EOF > id\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n"
        "-----END OPENSSH PRIVATE KEY-----\nEOF",
        "b3BlbnNzaC1rZXktdjEAAAA",
    ),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7 cut off", "MIIEowIBAAKCAQEA7"),
    (
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
]

# Ordinary text that must come through unchanged.
PLAIN = [
    "git status && ls -la | head -5",
    "npm run format -- --check",
    "rm -rf ./build",
    "grep -r 'password' docs/  # looking for the word",
    "echo max_tokens=1024",
    "basic auth is described in docs",
    "https://example.com/path?q=1",
]


@pytest.mark.parametrize(("text", "secret"), CORPUS)
def test_every_secret_in_the_corpus_is_redacted(text: str, secret: str) -> None:
    out = redact_text(text)
    assert secret not in out
    assert MASK in out


@pytest.mark.parametrize("text", PLAIN)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact_text(text) == text


def test_secret_keys_are_replaced_whole_at_any_depth() -> None:
    value = {
        "command": "deploy",
        "env": {"API_KEY": "plainlooking", "Password": 1234, "max_tokens": 50},
        "headers": [{"Authorization": "whatever scheme"}, {"cookie": "sid=1"}],
    }
    out = redact_value(value)
    assert out["env"] == {"API_KEY": MASK, "Password": MASK, "max_tokens": 50}
    assert out["headers"] == [{"Authorization": MASK}, {"cookie": MASK}]
    assert out["command"] == "deploy"


@pytest.mark.parametrize(("text", "secret"), CORPUS)
def test_no_secret_reaches_a_row(text: str, secret: str) -> None:
    r = row(text, session=f"s {text}")
    assert secret not in json.dumps(r)


def test_no_secret_reaches_a_log_line() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "calling %s", (CORPUS[2][0],), None)
    record.fields = {"dsn": "postgresql://u:pw-in-field@h/db"}
    _Redacting().filter(record)
    line = JsonFormatter().format(record)
    assert CORPUS[2][1] not in line
    assert "pw-in-field" not in line
    assert json.loads(line)["message"].startswith("calling OPENAI_API_KEY=")
