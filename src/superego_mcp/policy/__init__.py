"""The policy engine: the YAML rules language, its loader, and evaluation.

Public API (what the hook, the server and the commands use):

- ``load_policy(path) -> Policy`` -- ``None`` loads the bundled policy; a bad file raises
  ``PolicyError`` whose ``str()`` is ``FILE:LINE: rule ID: MESSAGE``.
- ``compile_policy(text, source_name) -> Policy`` -- the same for text in memory.
- ``Policy.evaluate(call, *, now=None) -> Decision`` -- deterministic; ``review`` may come
  back and is resolved by ``superego_mcp.decide``.

Importing this package does not import PyYAML: only compiling a policy does, so a cached,
unpickled ``Policy`` evaluates without it.
"""

from __future__ import annotations

from superego_mcp.policy.engine import Policy, Rule
from superego_mcp.policy.errors import PolicyError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (hook path)
if TYPE_CHECKING:
    from typing import Any

    from superego_mcp.policy.layers import compile_policy, load_policy

__all__ = ["Policy", "PolicyError", "Rule", "compile_policy", "load_policy"]


def __getattr__(name: str) -> Any:
    # The loader (and with it PyYAML) is imported only when a policy is compiled.
    if name in ("load_policy", "compile_policy"):
        from superego_mcp.policy import layers

        return getattr(layers, name)
    if name == "BUNDLED_POLICY":
        from superego_mcp.policy import loader

        return loader.BUNDLED_POLICY
    raise AttributeError(name)
