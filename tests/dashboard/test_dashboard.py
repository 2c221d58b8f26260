"""The dashboard in a real browser (Debian's chromium through Playwright) against a real
server: sign-in, Live, filters, pause, call detail, Rules (with a broken reload), Overview,
keyboard use and a narrow window."""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dashboard_helpers import BUNDLED, TOKEN, Dashboard, shot

from support.server import clean_env, start_server

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def evaluate(d: Dashboard, command: str, *, tool: str = "Bash", **extra: Any) -> dict[str, Any]:
    """One decision over REST (recorded in the audit, hence streamed to the page)."""
    tool_input = {"command": command} if tool == "Bash" else extra.pop("tool_input")
    body = {"tool_name": tool, "tool_input": tool_input, "cwd": "/tmp", **extra}
    answer = httpx.post(f"{d.url}/v1/evaluate", json=body, headers=AUTH, timeout=10)
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def newest_id(d: Dashboard, **filters: str) -> int:
    rows = httpx.get(
        f"{d.url}/v1/audit", params={"limit": "1", **filters}, headers=AUTH, timeout=10
    ).json()["items"]
    return int(rows[0]["id"])


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """One server for the dashboard tests: token, its own audit file, a policy copy."""
    base = tmp_path_factory.mktemp("dashboard")
    policy = base / "policy.yaml"
    policy.write_text(BUNDLED.read_text())
    env = clean_env(
        SUPEREGO_API_TOKEN=TOKEN,
        SUPEREGO_AUDIT=f"sqlite://{base / 'audit.db'}",
        SUPEREGO_RULES=str(policy),
    )
    server = start_server(env=env)
    yield Dashboard(server, policy)
    server.stop()


@pytest.fixture
def page(browser: Any, dashboard: Dashboard) -> Iterator[Any]:
    """A fresh browser context (no cookie), signed in through the form."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=dashboard.url)
    p = context.new_page()
    p.goto(f"{dashboard.url}/dashboard")
    p.fill("#token", TOKEN)
    p.click("button[type=submit]")
    p.wait_for_selector("#conn:text('live')")
    yield p
    context.close()


# --- sign-in ----------------------------------------------------------------------------------


def test_without_the_token_nothing_is_shown(browser: Any, dashboard: Dashboard) -> None:
    for path in ("/dashboard/assets/app.js", "/v1/dashboard/rules", "/v1/decisions/stream"):
        assert httpx.get(f"{dashboard.url}{path}", timeout=10).status_code == 401
    context = browser.new_context()
    p = context.new_page()
    answer = p.goto(f"{dashboard.url}/dashboard")
    assert answer.status == 401
    assert p.locator("#token").is_visible()
    assert p.locator("#live-table").count() == 0
    p.fill("#token", "not-the-token")
    p.click("button[type=submit]")
    assert p.locator("[role=alert]").inner_text() == "That token is not this server's."
    assert context.cookies() == []
    context.close()


def test_the_token_becomes_a_session_cookie_never_a_url(
    browser: Any, dashboard: Dashboard, tmp_path: Path
) -> None:
    context = browser.new_context()
    p = context.new_page()
    urls: list[str] = []
    p.on("request", lambda r: urls.append(r.url))
    p.goto(f"{dashboard.url}/dashboard")
    p.fill("#token", TOKEN)
    p.click("button[type=submit]")
    p.wait_for_selector("#conn:text('live')")
    [cookie] = context.cookies()
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["expires"] == -1  # a session cookie: gone with the browser session
    assert TOKEN not in cookie["value"]
    assert urls
    assert not any(TOKEN in u for u in urls)
    # The cookie reads; it does not write: a POST with it alone is refused.
    jar = {cookie["name"]: cookie["value"]}
    ok = httpx.get(f"{dashboard.url}/v1/dashboard/rules", cookies=jar, timeout=10)
    assert ok.status_code == 200
    post = httpx.post(
        f"{dashboard.url}/v1/evaluate",
        cookies=jar,
        json={"tool_name": "Read", "tool_input": {"file_path": "/x"}, "cwd": "/tmp"},
        timeout=10,
    )
    assert post.status_code == 401
    shot(p, "signed-in", tmp_path)
    p.click("text=Sign out")
    p.wait_for_selector("#token")
    assert context.cookies() == []
    # Signed out on the server, not only in this browser: a copy of the cookie is refused.
    gone = httpx.get(f"{dashboard.url}/v1/dashboard/rules", cookies=jar, timeout=10)
    assert gone.status_code == 401
    context.close()


# --- Live --------------------------------------------------------------------------------------


def test_a_rest_decision_appears_in_live_within_a_second(
    page: Any, dashboard: Dashboard, tmp_path: Path
) -> None:
    marker = uuid.uuid4().hex[:8]
    evaluate(dashboard, f"ls -la /tmp/{marker} && rm -rf ~")
    answered = time.monotonic()
    row = page.wait_for_selector(f"#live-table tr:has-text('{marker}')", timeout=1000)
    assert time.monotonic() - answered < 1.0
    assert row.get_attribute("data-decision") == "deny"
    assert "deny-recursive-delete-home-or-root" in row.inner_text()
    assert page.locator("#live-table tr.row").first.inner_text() == row.inner_text()  # newest first
    shot(page, "live", tmp_path)


def test_filters_narrow_the_history_and_the_stream(page: Any, dashboard: Dashboard) -> None:
    marker = uuid.uuid4().hex[:8]
    evaluate(dashboard, f"git status # {marker}-allowed")
    evaluate(dashboard, f"rm -rf / # {marker}-denied")
    page.select_option("select[name=decision]", "deny")
    page.fill("input[name=text]", marker)
    page.click("#filters button[type=submit]")
    page.wait_for_selector(f"#live-table tr:has-text('{marker}-denied')")
    assert page.locator(f"#live-table tr:has-text('{marker}-allowed')").count() == 0
    evaluate(dashboard, f"git log # {marker}-allowed-later")
    evaluate(dashboard, f"rm -rf ~ # {marker}-denied-later")
    page.wait_for_selector(f"#live-table tr:has-text('{marker}-denied-later')")
    assert page.locator(f"#live-table tr:has-text('{marker}-allowed')").count() == 0
    decisions = page.eval_on_selector_all(
        "#live-table tr.row", "rs => rs.map(r => r.dataset.decision)"
    )
    assert set(decisions) == {"deny"}
    page.click("#filters button[type=reset]")
    page.wait_for_selector(f"#live-table tr:has-text('{marker}-allowed-later')")


def test_pause_holds_new_rows_until_resume(page: Any, dashboard: Dashboard) -> None:
    marker = uuid.uuid4().hex[:8]
    page.click("#pause")
    assert page.get_attribute("#pause", "aria-pressed") == "true"
    evaluate(dashboard, f"echo {marker}")
    page.wait_for_selector("#live-status:has-text('1 new while paused')")
    assert page.locator(f"#live-table tr:has-text('{marker}')").count() == 0
    page.click("#pause")
    page.wait_for_selector(f"#live-table tr:has-text('{marker}')")


def test_live_keeps_a_bounded_number_of_rows(page: Any, dashboard: Dashboard) -> None:
    limit = page.evaluate("MAX_ROWS")
    many = [
        {"tool_name": "Read", "tool_input": {"file_path": f"/tmp/f{i}"}, "cwd": "/tmp"}
        for i in range(limit + 20)
    ]
    with httpx.Client(headers=AUTH, timeout=10) as client:
        for body in many:
            client.post(f"{dashboard.url}/v1/evaluate", json=body).raise_for_status()
    page.wait_for_selector(f"#live-table tr:has-text('/tmp/f{limit + 19}')")
    assert page.locator("#live-table tr.row").count() == limit


# --- Call detail ---------------------------------------------------------------------------------


def test_detail_shows_the_analyzers_view_and_a_working_explain_command(
    page: Any, dashboard: Dashboard, tmp_path: Path
) -> None:
    marker = uuid.uuid4().hex[:8]
    evaluate(dashboard, f"cat /tmp/{marker}.txt | grep x && sudo rm -rf ~/")
    row_id = newest_id(dashboard, text=marker)
    page.wait_for_selector(f"#live-table tr[data-id='{row_id}']")
    page.focus(f"#live-table tr[data-id='{row_id}']")  # keyboard: focus the row, press Enter
    page.keyboard.press("Enter")
    page.wait_for_selector("#call-commands")
    assert page.url.endswith(f"#call/{row_id}")
    programs = page.eval_on_selector_all(
        "#call-commands tbody tr", "rs => rs.map(r => r.cells[1].textContent)"
    )
    assert programs == ["cat", "grep", "sudo", "rm"]
    assert "sudo" in page.locator("#call-commands tbody tr").nth(3).inner_text()  # via
    units = page.locator("#call-units").inner_text()
    assert "deny-recursive-delete-home-or-root" in units
    assert marker in page.locator("#call-input").inner_text()
    shot(page, "call", tmp_path)

    page.click("#copy-explain")
    page.wait_for_selector("text=Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.input_value("#explain-command")
    # The copied command is a real command line: run it and get the same verdict.
    words = shlex.split(copied)
    assert words[:2] == ["superego-mcp", "explain"]
    proc = subprocess.run(
        [sys.executable, "-m", "superego_mcp", *words[1:], "--rules", str(dashboard.policy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "deny-recursive-delete-home-or-root" in proc.stdout, proc.stderr


def test_detail_of_a_file_tool_call(page: Any, dashboard: Dashboard) -> None:
    evaluate(dashboard, "", tool="Read", tool_input={"file_path": "/etc/shadow"})
    row_id = newest_id(dashboard, tool="Read")
    page.goto(f"{dashboard.url}/dashboard#call/{row_id}")
    page.wait_for_selector("#call-units")
    assert "Not a shell command" in page.locator("#call-body").inner_text()
    assert "/etc/shadow" in page.locator("#call-units").inner_text()
    assert page.input_value("#explain-command").startswith(
        "superego-mcp explain --cwd '/tmp' --tool 'Read'"
    )


def test_text_from_a_tool_call_is_never_markup(page: Any, dashboard: Dashboard) -> None:
    evaluate(dashboard, "echo '<img src=x onerror=\"document.title=1\"><b id=injected>x</b>'")
    page.wait_for_selector("#live-table tr:has-text('onerror')")
    assert page.locator("#injected").count() == 0
    assert page.title() == "Superego dashboard"


def test_hidden_characters_are_shown_escaped_with_a_warning(
    page: Any, dashboard: Dashboard
) -> None:
    """A right-to-left override makes `cat x\u202etxt.sh` read as `cat xhs.txt`: the page
    shows the escape and says why, and the copyable explain command is exact."""
    marker = uuid.uuid4().hex[:8]
    command = f"cat /tmp/{marker}\u202etxt.sh\u200b"
    evaluate(dashboard, command)
    row_id = newest_id(dashboard, text=marker)
    row = page.locator(f"#live-table tr[data-id='{row_id}']")
    row.wait_for()
    assert "\\u202e" in row.inner_text()
    assert "\u202e" not in row.inner_text()
    page.goto(f"{dashboard.url}/dashboard#call/{row_id}")
    page.wait_for_selector("#call-units")
    warning = page.locator("#hidden-characters").inner_text()
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in warning
    assert "U+200B ZERO WIDTH SPACE" in warning
    body = page.locator("#call-body").inner_text()
    assert "\u202e" not in body
    assert "\u200b" not in body
    assert f"{marker}\\u202etxt.sh" in page.locator("#call-commands").inner_text()
    # The copyable command uses bash's $'...' escapes: readable, and exactly the call.
    copied = page.input_value("#explain-command")
    assert "\u202e" not in copied
    words = subprocess.run(
        ["bash", "-c", 'printf "%s\\0" ' + copied.split(" -- ", 1)[1]],
        capture_output=True,
        timeout=30,
        check=True,
    ).stdout.split(b"\0")
    assert words[0].decode() == command


# --- Rules ---------------------------------------------------------------------------------------


def test_rules_show_hits_origin_examples_and_a_failed_reload(
    page: Any, dashboard: Dashboard, tmp_path: Path
) -> None:
    evaluate(dashboard, "rm -rf ~")
    page.click("nav a[data-view=rules]")
    row = page.wait_for_selector("#rules-table tr[data-rule='deny-recursive-delete-home-or-root']")
    assert int(row.query_selector("td.hits").inner_text()) >= 1
    where = row.query_selector("td code[title]")
    assert where.get_attribute("title").startswith(f"{dashboard.policy}:")  # file:line
    assert where.inner_text().startswith(f"{dashboard.policy.name}:")
    assert page.locator("#reload-ok").is_visible()
    row.query_selector("summary").click()
    assert "matches" in row.inner_text()

    dashboard.policy.write_text(dashboard.good_policy + "\n  - id: [broken\n")
    try:
        deadline = time.monotonic() + 30
        while page.locator("#reload-error").count() == 0 and time.monotonic() < deadline:
            page.select_option("#rules-window", "3600")  # a change re-reads the view
            page.select_option("#rules-window", "86400")
            page.wait_for_timeout(300)
        alert = page.locator("#reload-error").inner_text()
        assert f"{dashboard.policy.name}:" in alert  # names the file and line
        page.evaluate("window.scrollTo(0, 0)")
        shot(page, "rules-broken", tmp_path)
        # The last good policy still decides.
        assert evaluate(dashboard, "rm -rf ~")["decision"] == "deny"
    finally:
        dashboard.policy.write_text(dashboard.good_policy)
    deadline = time.monotonic() + 30
    while page.locator("#reload-ok").count() == 0 and time.monotonic() < deadline:
        page.select_option("#rules-window", "3600")
        page.wait_for_timeout(300)
    assert page.locator("#reload-ok").is_visible()


# --- Overview ------------------------------------------------------------------------------------


def test_overview_counts_match_the_audit(page: Any, dashboard: Dashboard, tmp_path: Path) -> None:
    evaluate(dashboard, "rm -rf /")
    page.click("nav a[data-view=overview]")
    page.wait_for_selector("#overview-cards")
    stats = httpx.get(
        f"{dashboard.url}/v1/audit/stats", params={"since": "24h"}, headers=AUTH, timeout=10
    ).json()
    cards = page.locator("#overview-cards .card").all_inner_texts()
    assert cards[0].split()[0] == str(stats["total"])
    deny_card = next(c for c in cards if c.endswith("deny"))
    assert deny_card.split()[0] == str(stats["by_decision"]["deny"])
    assert "rm" in page.locator("#top-denied").inner_text()
    assert page.locator("svg.chart rect").count() >= 1
    shot(page, "overview", tmp_path)


# --- Accessibility and small screens ------------------------------------------------------------


def test_keyboard_reaches_every_view_and_labels_are_present(page: Any) -> None:
    for view in ("rules", "overview", "replay", "suggestions", "live"):
        page.focus(f"nav a[data-view={view}]")
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#view-{view}:not([hidden])")
        assert page.get_attribute(f"nav a[data-view={view}]", "aria-current") == "page"
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('input, select')].filter(e =>
              !e.closest('label') && !e.getAttribute('aria-label')).length"""
    )
    assert unlabelled == 0


def test_a_narrow_window_has_no_sideways_scrolling(
    browser: Any, dashboard: Dashboard, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 400, "height": 800})
    p = context.new_page()
    p.goto(f"{dashboard.url}/dashboard")
    p.fill("#token", TOKEN)
    p.click("button[type=submit]")
    p.wait_for_selector("#conn:text('live')")
    p.wait_for_selector("#live-table tr.row")
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(p, "narrow", tmp_path)
    context.close()


def test_the_page_makes_no_request_to_another_origin(browser: Any, dashboard: Dashboard) -> None:
    context = browser.new_context()
    p = context.new_page()
    seen: list[str] = []
    p.on("request", lambda r: seen.append(r.url))
    p.goto(f"{dashboard.url}/dashboard")
    p.fill("#token", TOKEN)
    p.click("button[type=submit]")
    p.wait_for_selector("#conn:text('live')")
    p.click("nav a[data-view=rules]")
    p.wait_for_selector("#rules-table tbody tr")
    p.click("nav a[data-view=overview]")
    p.wait_for_selector("#overview-body .card, #overview-body .note")
    assert seen
    assert all(u.startswith(dashboard.url) for u in seen)
    context.close()
