"""URL parsing without DNS (policy/urls.py), the `url:` condition, and the bundled URL rules."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policy_helpers import bash, call, judge, rules

from superego_mcp.policy import PolicyError, compile_policy, load_policy
from superego_mcp.policy.urls import classify, parse, parse_ipv4

# ---------------------------------------------------------------- spellings of one address


def spellings(addr: ipaddress.IPv4Address) -> list[str]:
    """Ways URL parsers (and inet_aton) accept to write ``addr``."""
    n = int(addr)
    b = addr.packed
    return [
        str(addr),
        str(n),
        hex(n),
        f"0x{n:08X}",
        "0" + oct(n)[2:],
        ".".join("0" + oct(x)[2:] for x in b),
        ".".join(hex(x) for x in b),
        f"{b[0]}.{n & 0xFFFFFF}",
        f"{b[0]}.{b[1]}.{n & 0xFFFF}",
        f"{hex(b[0])}.{b[1]}.0{oct(b[2])[2:]}.{b[3]}",
        f"[::ffff:{addr}]",
        f"[::ffff:{n >> 16:x}:{n & 0xFFFF:x}]",
        f"[0:0:0:0:0:ffff:{addr}]",
        f"[64:ff9b::{addr}]",
        f"[2002:{n >> 16:x}:{n & 0xFFFF:x}::1]",
        f"{addr}.",
        "%31" + str(addr)[1:] if str(addr)[0] == "1" else str(addr),
        str(addr).translate(_FULL_WIDTH),
    ]


def wrap(host: str) -> list[str]:
    return [
        f"http://{host}/",
        f"https://{host}:8443/x?y#z",
        f"http://user:pw@{host}/",
        f"http://good.example@{host}/",
        f"http:\\\\{host}\\x",
        f"HTTP:///{host}/",
        f"http://{host}",
    ]


# Full-width digits and the ideographic full stop, which URL parsers fold to ASCII.
_FULL_WIDTH = str.maketrans({**{str(d): chr(0xFF10 + d) for d in range(10)}, ".": "\u3002"})
_V4 = st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address)


@settings(deadline=None)  # timing belongs in bench/, not in tests
@given(addr=_V4)
def test_every_spelling_of_an_ipv4_address_is_that_address(addr: ipaddress.IPv4Address) -> None:
    expected = classify(str(addr))
    for host in spellings(addr):
        for url in wrap(host):
            parsed = parse(url)
            assert parsed is not None, url
            if not host.startswith("[2002:"):  # 6to4 stays an IPv6 host (kinds: its IPv4)
                assert parsed.host == str(addr), (url, parsed.host)
            assert parsed.kinds == expected, url


@settings(deadline=None)  # timing belongs in bench/, not in tests
@given(addr=_V4)
def test_classification_agrees_with_the_address_ranges(addr: ipaddress.IPv4Address) -> None:
    kinds = classify(str(addr))
    if addr.is_loopback:
        assert kinds == {"loopback"}
    elif int(addr) >> 24 == 0:
        assert kinds == {"unspecified"}
    elif addr.is_link_local:
        assert "link_local" in kinds
    elif addr in ipaddress.IPv4Network("100.64.0.0/10") or (
        addr.is_private and not addr.is_reserved and not addr.is_multicast
    ):
        assert kinds & {"private", "reserved", "metadata"}, kinds
    # Multicast (224.0.0.0/4) counts as global to some Python versions' ipaddress; Superego
    # classes it reserved (no web server lives there), which only ever asks more.
    if (
        addr.is_global
        and not addr.is_multicast
        and str(addr) not in ("100.100.100.200", "168.63.129.16")
    ):
        assert kinds == {"public"}, addr


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://METADATA.GOOGLE.INTERNAL./",
        "http://metadata/computeMetadata/v1/",
        "http://100.100.100.200/latest/meta-data/",
        "http://169.254.170.2/v2/credentials",
        "http://192.0.0.192/",
        "http://168.63.129.16/machine",
        "http://2852039166/",
        "http://0xa9fea9fe/",
        "http://0251.0376.0251.0376/",
        "http://169.254.43518/",
        "http://[::ffff:169.254.169.254]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://169.254.169.254.nip.io/",
        "http://a9fea9fe.nip.io/",
        "http://x@169.254.169.254:80@evil.example/",
        "http://evil.example@169.254.169.254/",
    ],
)
def test_metadata_services(url: str) -> None:
    parsed = parse(url)
    assert parsed is not None
    assert "metadata" in parsed.kinds, (url, parsed)
    assert parsed.private


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://localhost/", "loopback"),
        ("http://LocalHost.:3000/", "loopback"),
        ("http://foo.localhost/", "loopback"),
        ("http://localtest.me/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://[0:0:0:0:0:0:0:1]/", "loopback"),
        ("http://[::127.0.0.1]/", "loopback"),
        ("http://0.0.0.0:8000/", "unspecified"),
        ("http://0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://10.1.2.3/", "private"),
        ("http://172.31.255.255/", "private"),
        ("http://192.168.0.1/", "private"),
        ("http://100.64.0.1/", "private"),
        ("http://[fc00::1]/", "private"),
        ("http://[fe80::1%25eth0]/", "link_local"),
        ("http://169.254.1.1/", "link_local"),
        ("http://intranet/", "internal"),
        ("http://db.internal/", "internal"),
        ("http://printer.local/", "internal"),
        ("http://api.svc.cluster.local/", "internal"),
        ("http://10.0.0.1.sslip.io/", "private"),
        ("http://app-192-168-1-1.nip.io/", "private"),
        ("http://224.0.0.1/", "reserved"),
        ("http://255.255.255.255/", "reserved"),
    ],
)
def test_local_and_private_hosts(url: str, kind: str) -> None:
    parsed = parse(url)
    assert parsed is not None
    assert kind in parsed.kinds, (url, parsed)
    assert parsed.private


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/",
        "https://docs.python.org/3/",
        "http://8.8.8.8/",
        "http://[2606:4700:4700::1111]/",
        "https://127.0.0.1.example.com/",
        "https://localhost.example.com/",
        "http://0x7f.example.com/",
    ],
)
def test_public_hosts(url: str) -> None:
    parsed = parse(url)
    assert parsed is not None
    assert parsed.kinds == {"public"}, parsed


def test_schemes_and_bare_hosts() -> None:
    assert parse("file:///etc/passwd").scheme == "file"  # type: ignore[union-attr]
    assert parse("FILE:/etc/passwd").scheme == "file"  # type: ignore[union-attr]
    assert parse("gopher://127.0.0.1:6379/_x").host == "127.0.0.1"  # type: ignore[union-attr]
    assert parse("localhost:8080/x") is None
    bare = parse("localhost:8080/x", "http")
    assert bare is not None
    assert (bare.scheme, bare.host, bare.port) == ("http", "localhost", "8080")
    assert parse("./file.txt", "http") is None
    assert parse_ipv4("256.1.1.1") is None
    assert parse_ipv4("1.2.3.4.5") is None
    assert parse_ipv4("08.1.1.1") is None
    assert parse_ipv4("0x") == 0


# ---------------------------------------------------------------- the condition


def test_url_condition_on_tools_and_commands() -> None:
    p = rules(
        """
        - id: meta
          action: deny
          reason: m
          conditions: {url: {metadata: true}}
        - id: private-fetch
          action: ask
          reason: p
          conditions: {url: {private: true}}
        - id: gopher
          action: deny
          reason: g
          conditions: {url: {scheme: [gopher, dict]}}
        - id: github
          action: allow
          reason: gh
          conditions: {url: {host: ["github.com", "*.github.com"]}}
        """,
        default="defer",
    )
    assert judge(p, call("WebFetch", url="http://0xa9fea9fe/")).rule_id == "meta"
    assert judge(p, call("mcp__fetch__fetch", url="http://[::1]/")).rule_id == "private-fetch"
    assert judge(p, bash("curl -s 127.1:8080")).rule_id == "private-fetch"
    assert judge(p, bash("curl -s dict://example.com/x")).rule_id == "gopher"
    assert judge(p, bash("wget https://api.github.com/x")).rule_id == "github"
    assert judge(p, bash("ls -la")).action == "defer"
    assert judge(p, call("Read", file_path="/etc/hosts")).action == "defer"


def test_url_condition_errors_name_the_line() -> None:
    with pytest.raises(PolicyError, match=r"test.yaml:\d+: rule x: unknown key in 'url' 'privat'"):
        rules(
            """
            - id: x
              action: ask
              reason: r
              conditions:
                url: {privat: true}
            """
        )
    with pytest.raises(PolicyError, match="'url' needs"):
        compile_policy(
            "version: 1\nrules:\n  - {id: x, action: ask, reason: r, conditions: {url: {}}}\n",
            "test.yaml",
        )


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("curl http://2130706433/", "ask-private-network-url"),
        ("curl -s http://user@0x7f000001:2375/containers/json", "ask-private-network-url"),
        ("wget -qO- http://[::ffff:7f00:1]/", "ask-private-network-url"),
        ("curl --resolve x.example:443:10.0.0.1 https://x.example/", "ask-private-network-url"),
        ("curl http://0251.0376.0251.0376/latest/", "ask-cloud-metadata"),
        ("curl gopher://example.com/_x", "ask-non-web-url-scheme"),
    ],
)
def test_bundled_rules(command: str, rule: str) -> None:
    d = judge(load_policy(None), bash(command))
    assert (d.action, d.rule_id) == ("ask", rule)


def test_file_urls_are_paths_too() -> None:
    d = judge(load_policy(None), bash("curl file:///home/user/.ssh/id_rsa"))
    assert d.action == "deny"  # the credentials rule sees the path
