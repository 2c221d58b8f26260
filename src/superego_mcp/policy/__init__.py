"""The policy engine: the YAML rules language, its loader, and evaluation.

Public API (what the hook, the server and the commands use):

- ``load_policy(path: str | None) -> Policy`` -- ``None`` loads the bundled policy; a bad file
  raises ``PolicyError`` whose message names file, line and rule id.
- ``Policy.evaluate(call: ToolCall) -> Decision`` -- deterministic; ``review`` may come back
  and is resolved by ``superego_mcp.decide``.
"""
