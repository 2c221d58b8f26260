"""The redaction corpus: secrets of every kind we know never reach a row, a log line or a
metric label; ordinary text stays readable."""

from __future__ import annotations

import json
import logging

import pytest
from audit_helpers import row

from superego_mcp.logs import JsonFormatter, _Redacting
from superego_mcp.redact import MASK, contains_secret, redact_text, redact_value

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
    # Password options of database and network clients.
    ("mysql -uroot -pMyS3cr3tPw db", "MyS3cr3tPw"),
    ("mysqldump -h db -u app -p'quoted pw' app > dump.sql", "quoted pw"),
    ("mariadb --user=x -pMaria99 -e 'select 1'", "Maria99"),
    ("mongosh -u admin -p m0ngoShellPw --authenticationDatabase admin", "m0ngoShellPw"),
    ("mongodump -u a -pMongoDump1 --db x", "MongoDump1"),
    ("redis-cli -h cache -a R3disAuthPw ping", "R3disAuthPw"),
    ("sshpass -p 'SshPa55' ssh user@host", "SshPa55"),
    ("sshpass -pSshAttached1 scp f host:", "SshAttached1"),
    ("curl -u 'bob:CurlQuot3d' https://x", "CurlQuot3d"),
    ("curl --user=carol:CurlEq1 https://x", "CurlEq1"),
    ("wget --user=u --password=WgetPw1 https://x/f", "WgetPw1"),
    ("wget --http-password WgetHttp2 https://x/f", "WgetHttp2"),
    ("docker login -u me -p D0ckerPw registry.example", "D0ckerPw"),
    ("sqlcmd -S db -U sa -P SqlCmdPw1 -Q 'select 1'", "SqlCmdPw1"),
    ("ldapsearch -x -D cn=admin -w LdapPw99 -b dc=x", "LdapPw99"),
    ("smbclient //srv/share -U alice%SmbPw77", "SmbPw77"),
    ("openssl rsa -in k.pem -passin pass:Ossl1Pass -out x", "Ossl1Pass"),
    ("curl --oauth2-bearer Oauth2BearerTok https://x", "Oauth2BearerTok"),
    ("psql 'postgres://app:PgUriPw@db/app' -c 'select 1'", "PgUriPw"),
    # Every secret-named query parameter, not only the first.
    ("curl 'https://x/api?user=a&token=T0kQ1&api_key=K3yQ2&sig=S1gQ3'", "K3yQ2"),
    ("curl 'https://x/api?user=a&token=T0kQ1&api_key=K3yQ2&sig=S1gQ3'", "S1gQ3"),
    (
        "https://b.s3.amazonaws.com/o?X-Amz-Credential=AKID%2F1&X-Amz-Signature=abcdef0123",
        "abcdef0123",
    ),
    ("https://acct.blob.core.windows.net/c?sv=2021&se=2030&sp=r&sig=AzureSasSig%3D", "AzureSasSig"),
    # Bare credentials by shape, wherever they appear.
    (
        "aws configure set key AKIA"
        + "IOSFODNN7EXAMPLE"
        + " wJalrXUtnFEMI/K7MDENG/bPxRfiCY"
        + "EXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG",
    ),
    (
        "twilio api:core --api-key SK" + "0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789",
    ),
    ("stripe listen whsec_" + "AbCdEfGhIjKlMnOpQrStUvWx12", "AbCdEfGhIjKlMnOpQrStUvWx12"),
    (
        "https://hooks.slack.com/services/T0001/B0002/" + "SlackHookSecretPart",
        "SlackHookSecretPart",
    ),
    ("xapp-1-A0123-" + "4567890-abcdef0123456789", "abcdef0123456789"),
    ("glab --token gldt-" + "DeployTok3nAbcdefghij", "DeployTok3nAbcdefghij"),
    ("twine upload -u __token__ pypi-AgEIcHlwaS5vcmc" + "Q" * 50, "Q" * 50),
    ("GOCSPX-" + "GoogleClientSecret12345", "GoogleClientSecret12345"),
    ("vault login hvs." + "VaultTokenAbcdefghij123456", "VaultTokenAbcdefghij123456"),
    ("age key AGE-SECRET-KEY-1" + "QQQQ" * 14 + "QQ", "QQQQQQQQQQQQ"),
    (
        "PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-Lines: 1\nAAAAPuttyPrivateBlob\n"
        "Private-MAC: 00",
        "AAAAPuttyPrivateBlob",
    ),
    ("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=AzStorKey==;", "AzStorKey"),
]

# Ordinary text that must come through unchanged.
PLAIN = [
    "git status && ls -la | head -5",
    "npm run format -- --check",
    "rm -rf ./build",
    "grep -r 'password' docs/  # looking for the word",
    "echo max_tokens=1024",
    "basic auth is described in docs",
    "https://example.com/path?q=1&page=2",
    "mysql -p mydb -e 'show tables'",  # -p alone prompts; mydb is the database
    "ssh -p 2222 user@host",
    "git log -p --stat",
    "git show 3f2a9c1d4e5b6a7980f1e2d3c4b5a69788796a5b",
    "redis-cli -h cache ping",
    "curl -u alice https://x",
    "openssl rand -hex 16",
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


@pytest.mark.parametrize(("text", "secret"), CORPUS)
def test_contains_secret_sees_what_redaction_hides(text: str, secret: str) -> None:
    assert contains_secret(text)
    assert not contains_secret(redact_text(text))  # redacting twice changes nothing


@pytest.mark.parametrize("text", PLAIN)
def test_contains_secret_is_false_for_ordinary_text(text: str) -> None:
    assert not contains_secret(text)


def test_a_reason_quoting_part_of_a_secret_loses_it_too() -> None:
    # The reason names the second line of a key block as a program: without the block's
    # header, no pattern would know it for a secret.
    from superego_mcp.audit.record import build_record
    from superego_mcp.model import Decision, ToolCall

    command = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7 cut off"
    call = ToolCall("Bash", {"command": command}, "/work", session_id="s")
    reason = "No rule has an opinion on `MIIEowIBAAKCAQEA7`."
    review = {"reason": "it runs MIIEowIBAAKCAQEA7", "provider": "openai"}
    decision = Decision("defer", reason, None)
    decision.review = review  # type: ignore[attr-defined]
    r = build_record(call, decision, entry="rest", latency_ms=1.0, policy_digest="d")
    assert "MIIEowIBAAKCAQEA7" not in json.dumps(r)
    assert r["reason"] == f"No rule has an opinion on `{MASK}`."
    assert json.loads(r["review"])["provider"] == "openai"
    # Words a redaction keeps are not secret: a flag's name stays in the reason.
    call = ToolCall("Bash", {"command": "mysql --password=Hunter2Hunter2 db"}, "/work")
    d = Decision("ask", "mysql with a password option; Hunter2Hunter2 quoted", None)
    r = build_record(call, d, entry="rest", latency_ms=1.0, policy_digest="d")
    assert r["reason"] == f"mysql with a password option; {MASK} quoted"


def test_secret_key_words_answer_as_the_key_expression_does() -> None:
    # is_secret_key answers an ASCII key holding none of its words without the expression
    # (compiling it costs every hook call); the answer must be the expression's, in any case
    # and in any script whose letters fold to ASCII ones (the long s, the Kelvin sign).
    import re

    from superego_mcp.redact import _SECRET_KEY, is_secret_key

    names = ["password", "passwd", "passphrase", "pass", "secret", "token", "api_key"]
    names += ["api-key", "apikey", "authorization", "credential", "private_key", "accesskey"]
    names += ["cookie", "session_key", "client-secret", "command", "file_path", "url"]
    names += ["max_tokens", "description", "pattern", "k", "\u017fecret", "api\u212aey", "x"]
    keys = [f"{pre}{n}{post}" for n in names for pre in ("", "X-") for post in ("", "_id")]
    keys += [k.upper() for k in keys] + [k.title() for k in keys]
    expression = re.compile(_SECRET_KEY)
    for key in keys:
        want = bool(expression.search(key)) and "tokens" not in key.lower()
        assert is_secret_key(key) == want, key
    assert is_secret_key("\u017fecret")
    assert not is_secret_key("command")
