"""What the build recorded about this installation (``superego_mcp/_build_info.json``).

The hatchling build hook (``hatch_build.py``) writes the file into wheels: name, version,
git revision, build time (from ``SOURCE_DATE_EPOCH``) and the sha256 of each bundled data
file. Editable installs have no such file. Read only when asked, so importing this module
costs nothing on the hook path.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

_FILE = "_build_info.json"


def read() -> dict[str, Any] | None:
    """The build info as a dict, or None when this install has none (editable/dev trees).

    A file that exists but is not a JSON object raises ValueError naming the file.
    """
    try:
        text = resources.files("superego_mcp").joinpath(_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"superego_mcp/{_FILE}: expected a JSON object")
    return data
