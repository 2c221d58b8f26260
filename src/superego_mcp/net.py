"""Network names Superego itself binds to or is reached at (not the URLs inside tool calls:
those are ``policy/urls.py``). Standard library only."""

from __future__ import annotations

import ipaddress
from functools import lru_cache


@lru_cache(maxsize=256)
def is_loopback(name: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1): a host only this
    machine reaches."""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
