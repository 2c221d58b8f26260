"""URLs as the programs that fetch them read them, without any DNS lookup.

:func:`parse` splits a URL into scheme, host and port the way a browser's URL parser (and
curl, wget, Python's http clients, glibc's ``inet_aton``) would: the userinfo before the last
``@`` is dropped (``http://good@169.254.169.254``), backslashes count as slashes for web
schemes, percent-escapes and full-width characters in the host are decoded, trailing dots
are dropped, and every numeric spelling of an IPv4 address (``2130706433``, ``0x7f.1``,
``0177.0.0.1``, ``127.1``) becomes its dotted form, as do the IPv4 addresses inside IPv6
forms (``[::ffff:127.0.0.1]``, ``[::ffff:7f00:1]``, NAT64 ``[64:ff9b::a9fe:a9fe]``, 6to4).

:func:`classify` says what the host is: ``loopback``, ``private``, ``link_local``,
``metadata`` (cloud instance metadata services of every major provider), ``unspecified``
(``0.0.0.0`` reaches the local machine), ``internal`` (names that only resolve inside a
network: ``localhost``, single labels, ``.internal``, ``.local``, rebinding services such as
``127.0.0.1.nip.io``), ``reserved`` (multicast, broadcast, documentation ranges), or
``public``. Everything but ``public`` is *private* for rules (``url: {private: true}``).

Imported only when a policy tests URLs.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

# Hosts of cloud instance metadata services (they hand out credentials from inside).
METADATA_HOSTS = frozenset(
    {
        "169.254.169.254",  # AWS, GCP, Azure, Oracle, DigitalOcean, OpenStack, Hetzner, ...
        "169.254.170.2",  # AWS ECS task metadata / credentials
        "169.254.170.23",  # AWS EKS pod identity agent
        "fd00:ec2::254",  # AWS over IPv6
        "fd00:ec2::23",  # AWS EKS pod identity agent over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (legacy)
        "168.63.129.16",  # Azure wire server
        "169.254.169.123",  # AWS time sync (same link-local service network)
        "metadata.google.internal",
        "metadata.goog",
        "metadata",  # GCP short name
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.tencentyun.com",
        "metadata.platformequinix.com",
        "metadata.packet.net",
        "metadata.azure.com",
    }
)
# Names that stand for the local machine.
_LOOPBACK_NAMES = frozenset(
    {
        "localhost",
        "localhost.localdomain",
        "ip6-localhost",
        "ip6-loopback",
        "localtest.me",
        "lvh.me",
        "vcap.me",
        "lacolhost.com",
        "127-0-0-1.org.uk",
    }
)
# Suffixes of names that only resolve inside a network.
_INTERNAL_SUFFIXES = (
    ".localhost",
    ".local",
    ".localdomain",
    ".internal",
    ".intranet",
    ".corp",
    ".lan",
    ".home",
    ".home.arpa",
    ".private",
    ".test",
    ".svc",
    ".cluster.local",
    ".localtest.me",
    ".lvh.me",
    ".vcap.me",
)
# DNS services that answer a name with the address written inside it.
_REBINDING = (".nip.io", ".sslip.io", ".xip.io", ".nip.direct", ".traefik.me", ".localdev.me")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# Schemes whose URLs have a host after "//" and where "\" means "/".
_SPECIAL = frozenset({"http", "https", "ws", "wss", "ftp", "file"})
# Schemes written without "//" (``file:/etc/passwd``, ``data:...``).
_SCHEMES_WITHOUT_HOST = frozenset(
    {"file", "data", "javascript", "mailto", "jar", "netdoc", "about", "blob", "view-source"}
)
# Dots a URL parser reads as ".": ideographic and full-width full stops.
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
PRIVATE_KINDS = frozenset(
    {"loopback", "private", "link_local", "metadata", "unspecified", "internal", "reserved"}
)


class URL:
    """A parsed URL: lower-case ``scheme``, normalized ``host`` ("" when it has none; IP
    addresses in canonical form, IPv6 without brackets), ``port`` (None when not given)
    and ``kinds`` (see :func:`classify`)."""

    __slots__ = ("host", "kinds", "port", "scheme", "text")

    def __init__(self, text: str, scheme: str, host: str, port: str | None) -> None:
        self.text = text
        self.scheme = scheme
        self.host = host
        self.port = port
        self.kinds = classify(host)

    @property
    def private(self) -> bool:
        """The host is not a public internet host."""
        return bool(self.kinds & PRIVATE_KINDS)

    def __repr__(self) -> str:
        return f"URL({self.scheme!r}, {self.host!r}, {sorted(self.kinds)})"


def parse(text: str, default_scheme: str | None = None) -> URL | None:
    """``text`` as a URL, or None when it is not one. With ``default_scheme``, text without
    a scheme (``localhost:8080/x``, as curl and wget take it) is read with that scheme."""
    s = re.sub(r"[\t\n\r]", "", text).strip(" \x00-\x1f")
    m = _SCHEME.match(s)
    # "localhost:8080/x" is a host and port to curl, not the scheme "localhost"
    has_scheme = m is not None and (
        s[m.end() : m.end() + 2].replace("\\", "/") == "//"
        or m.group(1).lower() in _SCHEMES_WITHOUT_HOST
        or m.group(1).lower() in _SPECIAL
    )
    if not has_scheme:
        if default_scheme is None or not s or s.startswith(("/", ".", "-", "~")):
            return None
        s = f"{default_scheme}://{s}"
        m = _SCHEME.match(s)
    if m is None:
        return None
    scheme = m.group(1).lower()
    rest = s[m.end() :]
    if scheme in _SPECIAL:
        rest = rest.replace("\\", "/")
        authority = rest.lstrip("/") if scheme != "file" or rest.startswith("//") else ""
        if scheme == "file" and rest.startswith("//"):
            authority = rest[2:]
    elif rest.startswith("//"):
        authority = rest[2:]
    else:
        return URL(text, scheme, "", None)
    authority = re.split(r"[/?#]", authority, maxsplit=1)[0]
    host, port = _host_port(authority.rsplit("@", 1)[-1])
    url = URL(text, scheme, normalize_host(host), port)
    if authority.count("@") > 1:
        # Parsers disagree on "a@b@c" (the last "@" for browsers and curl, the first for
        # some libraries): the URL is as private as its most private reading.
        other = normalize_host(_host_port(authority.split("@", 2)[1])[0])
        url.kinds = url.kinds | classify(other)
    return url


def _host_port(host_port: str) -> tuple[str, str | None]:
    if host_port.startswith("["):
        end = host_port.find("]")
        host = host_port[: end + 1] if end >= 0 else host_port
        after = host_port[end + 1 :] if end >= 0 else ""
        return host, after[1:] if after.startswith(":") else None
    host, sep, port = host_port.partition(":")
    return host, port if sep else None


def normalize_host(host: str) -> str:
    """A host as a resolver sees it: percent-decoded, NFKC-folded, lower-case, no trailing
    dot, numeric IPv4 spellings dotted, IPv6 canonical (no brackets, no zone)."""
    from urllib.parse import unquote

    h = unquote(host)
    h = unicodedata.normalize("NFKC", h).translate(_DOTS).lower().strip()
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    h = h.split("%", 1)[0] if ":" in h else h  # an IPv6 zone ("fe80::1%eth0")
    if ":" in h:
        try:
            v6 = ipaddress.IPv6Address(h)
        except ValueError:
            return h
        # IPv4-mapped, -compatible, SIIT and NAT64 forms reach the IPv4 address itself
        inner = None if v6.sixtofour is not None else _embedded_v4(v6)
        return str(inner) if inner is not None else v6.compressed
    h = h.rstrip(".")
    v4 = parse_ipv4(h)
    return str(ipaddress.IPv4Address(v4)) if v4 is not None else h


def parse_ipv4(host: str) -> int | None:
    """The address of a numeric IPv4 host in any spelling ``inet_aton`` and URL parsers
    accept: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x), the last part
    filling the remaining bytes. None when ``host`` is not one."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        if not part:
            return None
        if part[:2] in ("0x", "0X"):
            digits, base = part[2:] or "0", 16
        elif len(part) > 1 and part[0] == "0":
            digits, base = part[1:], 8
        else:
            digits, base = part, 10
        try:
            if not digits.isascii() or not digits.isalnum():
                return None
            numbers.append(int(digits, base))
        except ValueError:
            return None
    last = numbers[-1]
    if any(n > 255 for n in numbers[:-1]) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for i, n in enumerate(numbers[:-1]):
        value += n << (8 * (3 - i))
    return value


def classify(host: str) -> frozenset[str]:
    """What ``host`` (normalized) is; see the module docstring."""
    if not host:
        return frozenset({"none"})
    if host in METADATA_HOSTS:
        kinds = {"metadata"}
        if host.startswith("169.254.") or host.startswith("fd00:"):
            kinds.add("link_local")
        return frozenset(kinds)
    if ":" in host:
        try:
            v6 = ipaddress.IPv6Address(host)
        except ValueError:
            return frozenset({"internal"})
        return _classify_v6(v6)
    if parse_ipv4(host) is not None:
        return _classify_v4(ipaddress.IPv4Address(host))
    if host in _LOOPBACK_NAMES or host.endswith((".localhost", ".localtest.me", ".lvh.me")):
        return frozenset({"loopback", "internal"})
    for suffix in _REBINDING:
        if host.endswith(suffix):
            embedded = _embedded_address(host[: -len(suffix)])
            if embedded is not None:
                return classify(embedded)
    if "." not in host or host.endswith(_INTERNAL_SUFFIXES):
        return frozenset({"internal"})
    return frozenset({"public"})


def _embedded_address(label: str) -> str | None:
    """The address in ``10.0.0.1`` / ``app.10-0-0-1`` / ``7f000001`` before a rebinding
    service's domain."""
    m = re.search(r"(?:^|[.-])(\d{1,3}[.-]\d{1,3}[.-]\d{1,3}[.-]\d{1,3})$", label)
    if m:
        return normalize_host(m.group(1).replace("-", "."))
    m = re.search(r"(?:^|[.-])([0-9a-f]{8})$", label)
    if m:
        return str(ipaddress.IPv4Address(int(m.group(1), 16)))
    return None


def _classify_v4(a: ipaddress.IPv4Address) -> frozenset[str]:
    if str(a) in METADATA_HOSTS:
        return frozenset({"metadata", "link_local"})
    n = int(a)
    first = n >> 24
    if first == 127:
        return frozenset({"loopback"})
    if first == 0:
        return frozenset({"unspecified"})
    if a in _LINK_LOCAL_V4:
        return frozenset({"link_local"})
    if any(a in net for net in _PRIVATE_V4):
        return frozenset({"private"})
    if any(a in net for net in _RESERVED_V4):
        return frozenset({"reserved"})
    return frozenset({"public"})


def _classify_v6(a: ipaddress.IPv6Address) -> frozenset[str]:
    embedded = _embedded_v4(a)
    if embedded is not None:
        return _classify_v4(embedded)
    if a.is_loopback:
        return frozenset({"loopback"})
    if a.is_unspecified:
        return frozenset({"unspecified"})
    if a.is_link_local:
        return frozenset({"link_local"})
    if a in _ULA or a.is_site_local:
        return frozenset({"private"})
    if a.is_multicast or a.is_reserved or a in _DOC_V6:
        return frozenset({"reserved"})
    return frozenset({"public"})


def _embedded_v4(a: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries: mapped (``::ffff:``), compatible (``::a.b.c.d``),
    NAT64 (``64:ff9b::/96``, ``64:ff9b:1::/48``), 6to4 (``2002::/16``), SIIT (``::ffff:0:``)."""
    n = int(a)
    if a.ipv4_mapped is not None:
        return a.ipv4_mapped
    if a.sixtofour is not None:
        return a.sixtofour
    if n >> 32 == 0 and n > 1:  # ::a.b.c.d (not :: or ::1)
        return ipaddress.IPv4Address(n & 0xFFFFFFFF)
    if n >> 32 == 0xFFFF0000 or a in _NAT64 or a in _NAT64_LOCAL:  # SIIT, NAT64
        return ipaddress.IPv4Address(n & 0xFFFFFFFF)
    return None


_LINK_LOCAL_V4 = ipaddress.IPv4Network("169.254.0.0/16")
_PRIVATE_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "198.18.0.0/15")
)
_RESERVED_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "192.0.0.0/24",
        "192.0.2.0/24",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
_ULA = ipaddress.IPv6Network("fc00::/7")
_DOC_V6 = ipaddress.IPv6Network("2001:db8::/32")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
