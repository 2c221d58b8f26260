"""``superego-mcp config show``: the effective settings, secrets masked, and the policy
files in effect."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from superego_mcp.config import ConfigError, load_effective, load_settings
from superego_mcp.places import settings_file

if TYPE_CHECKING:
    import argparse


def run(args: argparse.Namespace) -> int:
    """``superego-mcp config show``: print the effective settings, secrets masked, and (under
    ``policy_layers``) the policy files in effect, lowest layer first."""
    config = settings_file(args.config)
    try:
        # The global --host/--port/--transport given before the subcommand are shown in
        # effect, as serve would use them.
        flags = {k: getattr(args, k, None) for k in ("host", "port", "transport")}
        settings = load_settings(config, **flags)
    except ConfigError as exc:
        print(f"superego-mcp: {exc}", file=sys.stderr)
        return 2
    from superego_mcp.policy.errors import PolicyError

    data = settings.masked()
    try:
        policy = load_effective(settings, config)
    except PolicyError as exc:
        data["policy_error"] = str(exc)
    else:
        data["policy_layers"] = [layer.to_dict() for layer in policy.layers]
    print(json.dumps(data, indent=2, sort_keys=True))
    return 0
