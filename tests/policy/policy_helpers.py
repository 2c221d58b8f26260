"""Shared helpers: small policies from text, calls evaluated at a fixed home and cwd."""

from __future__ import annotations

import textwrap
from typing import Any

from superego_mcp.model import Decision, ToolCall
from superego_mcp.policy import Policy, compile_policy

HOME = "/home/user"
CWD = "/home/user/project"


def policy(text: str) -> Policy:
    """Compile a version 1 policy from an indented YAML snippet."""
    return compile_policy(textwrap.dedent(text), "test.yaml")


def rules(body: str, default: str = "ask") -> Policy:
    """A policy made of the given rules (YAML list items, any indentation)."""
    text = f"version: 1\ndefault: {{action: {default}, reason: default}}\nrules:\n"
    text += textwrap.indent(textwrap.dedent(body), "  ")
    return compile_policy(text, "test.yaml")


def call(tool: str, cwd: str = CWD, **tool_input: Any) -> ToolCall:
    """A tool call in the test project."""
    return ToolCall(tool, tool_input, cwd)


def bash(command: str, cwd: str = CWD) -> ToolCall:
    """A Bash call in the test project."""
    return ToolCall("Bash", {"command": command}, cwd)


def judge(p: Policy, c: ToolCall, **kw: Any) -> Decision:
    """Evaluate with the test home."""
    return p.evaluate(c, home=HOME, **kw)
