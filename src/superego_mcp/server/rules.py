"""The active policy as JSON-ready data, for ``GET /v1/rules`` and the MCP policy resource."""

from __future__ import annotations

from typing import Any

from superego_mcp.policy.engine import Policy


def policy_document(policy: Policy) -> dict[str, Any]:
    """Source, digest, default and every rule in the order they are tried."""
    return {
        "source": policy.source,
        "digest": policy.digest,
        "default": {"action": policy.default_action, "reason": policy.default_reason},
        "rules": [
            {
                "id": rule.id,
                "priority": rule.priority,
                "action": rule.action,
                "enabled": rule.enabled,
                "description": rule.description,
                "reason": rule.reason,
                "line": rule.line,
            }
            for rule in policy.rules
        ],
    }
