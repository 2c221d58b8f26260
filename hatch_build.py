"""Hatchling build hook (placeholder until the packaging work lands)."""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class SuperegoBuildHook(BuildHookInterface):  # type: ignore[misc]
    """Validates the bundled policy and writes build metadata into the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        return None
