"""Size before work, through the real hook process: a command line over the analyzer's
limits is asked about, with a reason that names the limits, and never walked."""

from __future__ import annotations

import pytest

from support.hook import bash


@pytest.mark.parametrize("sep", ["; ", " | ", " && ", "\n"])
def test_a_20000_command_line_is_asked_with_a_reason_naming_the_limits(run_hook, sep: str) -> None:
    # rm -rf / in the middle: over the limits nothing is walked, so it is ask (not deny).
    units = ["a"] * 20_000
    units[10_000] = "rm -rf /"
    decision, reason = run_hook(bash(sep.join(units))).pre_tool_use()
    assert decision == "ask"
    assert "(rule ask-command-over-limits)" in reason
    assert "over Superego's analysis limits" in reason


def test_a_long_heredoc_table_is_not_over_the_limits(run_hook) -> None:
    table = "| name | value |\n" * 1_500
    _, reason = run_hook(bash(f"cat > table.md <<'EOF'\n{table}EOF")).pre_tool_use()
    assert "ask-command-over-limits" not in reason
    assert "could not fully analyse" not in reason


def test_the_shell_limit_settings_bound_the_command_hook(run_hook) -> None:
    # SUPEREGO_SHELL_MAX_COMMANDS reaches the analyzer through config.Settings.shell_limits,
    # the one mapping of the shell_max_* settings (also the server's and replay's).
    line = bash("ls; ls; ls")
    _, reason = run_hook(line).pre_tool_use()
    assert "ask-command-over-limits" not in reason
    decision, reason = run_hook(line, env={"SUPEREGO_SHELL_MAX_COMMANDS": "2"}).pre_tool_use()
    assert decision == "ask"
    assert "(rule ask-command-over-limits)" in reason
