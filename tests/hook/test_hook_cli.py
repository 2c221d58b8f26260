"""The `hook` fast path reads the same grammar as argparse, or leaves the line to argparse."""

from __future__ import annotations

import pytest

from superego_mcp.cli import _fast_hook_args, build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["hook"],
        ["hook", "--rules", "r.yaml"],
        ["hook", "--rules=r.yaml", "--config", "c.yaml"],
        ["hook", "--fail-mode", "deny", "--server", "http://127.0.0.1:8642"],
        ["hook", "--on-server-error=deny", "--fail-mode=ask", "--rules", ""],
        ["hook", "--rules", "a.yaml", "--rules", "b.yaml"],
    ],
)
def test_fast_path_builds_what_argparse_builds(argv: list[str]) -> None:
    fast = _fast_hook_args(argv)
    assert fast is not None
    assert vars(fast) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["hooks", "status"],
        ["--rules", "r.yaml", "hook"],
        ["hook", "--help"],
        ["hook", "--fail-mode", "allow"],
        ["hook", "--fail", "deny"],  # an abbreviation: argparse decides
        ["hook", "--rules"],
        ["hook", "--rules", "--fail-mode", "deny"],
        ["hook", "extra"],
    ],
)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert _fast_hook_args(argv) is None
