"""The dashboard's Suggestions view in a real browser (Debian's chromium through Playwright)
against a real server whose audit holds a real trail: calls judged through the server's Claude
Code HTTP hook, and the PostToolUse events of those that ran (people approved them). The
view's content is checked against ``GET /v1/suggestions``; accepting writes the user policy
only with the bearer token typed into the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dashboard_helpers import TOKEN, shot, signed_in

from support.server import Server, clean_env, start_server
from support.trail import LEARNING_POLICY, HttpHook, record_approvals

AUTH = {"Authorization": f"Bearer {TOKEN}"}
RULE_ID = "allow-learned-docker-compose-up-d"
# Denied, then the same file read with another tool: listed as a possible evasion, with
# markup in the file name (the call's text is the agent's).
SECRET_FILE = 'secret<img src=x onerror="document.title=1" id=injected>.txt'


class Site:
    """The server under test, its user policy file and project directory."""

    def __init__(self, server: Server, policy: Path, project: Path) -> None:
        self.server = server
        self.url = server.url
        self.policy = policy
        self.project = project

    def suggestions(self) -> dict[str, Any]:
        answer = httpx.get(f"{self.url}/v1/suggestions", headers=AUTH, timeout=120)
        answer.raise_for_status()
        data: dict[str, Any] = answer.json()
        return data


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """People approved `docker compose up -d` in 5 sessions and a final rule's force push as
    often; refused `docker compose down -v`; were denied a privileged container; one session
    read a secret with Read after `cat` of it was denied."""
    base = tmp_path_factory.mktemp("dashboard-suggestions")
    project = base / "project"
    (project / ".git").mkdir(parents=True)
    policy = base / "config/superego/policy.yaml"
    policy.parent.mkdir(parents=True)
    policy.write_text(LEARNING_POLICY)
    env = clean_env(
        HOME=str(base),
        XDG_CONFIG_HOME=str(base / "config"),
        XDG_STATE_HOME=str(base / "state"),
        SUPEREGO_API_TOKEN=TOKEN,
        SUPEREGO_AUDIT=f"sqlite://{base / 'audit.db'}",
        SUPEREGO_PROJECT_RULES="false",
    )
    server = start_server(env=env)
    s = Site(server, policy, project)
    try:
        record_approvals(HttpHook(s.url, project, AUTH), SECRET_FILE, below_threshold=False)
        yield s
    finally:
        server.stop()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    p = signed_in(browser, site.url)
    p.click("nav a[data-view=suggestions]")
    p.wait_for_selector("#suggest-summary")
    yield p
    p.context.close()


def card(page: Any) -> Any:
    return page.locator(f"article.suggestion[data-id='{RULE_ID}']")


def test_the_view_lists_what_the_route_suggests(page: Any, site: Site, tmp_path: Path) -> None:
    expected = site.suggestions()
    [suggestion] = expected["suggestions"]
    ids = page.eval_on_selector_all("article.suggestion", "as => as.map(a => a.dataset.id)")
    assert ids == [suggestion["id"]] == [RULE_ID]
    text = card(page).inner_text()
    assert "docker compose up -d" in text
    assert "approved 5 times in 5 sessions" in text
    assert f"id: {RULE_ID}" in card(page).locator("pre.rule-yaml").inner_text()
    replay = suggestion["replay"]
    assert f"{replay['changed']} changed ({replay['loosened']} looser)" in text
    summary = page.inner_text("#suggest-summary")
    assert summary.startswith(f"{expected['rows']} rows read: {expected['approved']} approved")
    skipped = page.inner_text("#suggest-skipped")
    assert "git push --force origin main" in skipped
    assert "final rule ask-force-push" in skipped
    evasions = page.locator("#suggest-evasions")
    assert "onerror" in evasions.inner_text()  # the file name, shown as text
    assert page.locator("#injected").count() == 0
    assert page.title() == "Superego dashboard"
    # The project layer is off on this server: it cannot be chosen.
    assert page.locator("#suggest-file option[value=project]").is_disabled()
    assert str(site.policy) in page.inner_text("#suggest-file option[value=user]")
    shot(page, "suggestions", tmp_path, full_page=True)


def test_reject_hides_a_suggestion_in_this_browser(page: Any) -> None:
    card(page).locator("button.reject").click()
    page.wait_for_selector("#suggestions-none")
    assert card(page).count() == 0
    page.reload()
    page.wait_for_selector("#suggest-summary")
    assert "1 of them rejected here" in page.inner_text("#suggest-summary")
    page.check("#suggest-show-rejected")
    assert "(rejected)" in card(page).inner_text()
    card(page).locator("button.reject").click()  # Restore
    page.uncheck("#suggest-show-rejected")
    assert card(page).count() == 1


def test_edit_replays_the_trail_with_the_edited_rule(page: Any) -> None:
    card(page).locator("button.edit").click()
    area = card(page).locator("textarea.edit-yaml")
    edited = area.input_value().replace(
        "reason: People approved", "reason: Edited here, people approved"
    )
    assert edited != area.input_value()
    area.fill(edited)
    card(page).locator("button.edit-replay").click()
    result = card(page).locator(".edit-result table.decisions")
    result.wait_for()
    assert "Edited here, people approved" in result.inner_text()
    assert "docker compose up -d" in result.inner_text()


def test_the_suggestions_view_in_a_narrow_window(browser: Any, site: Site, tmp_path: Path) -> None:
    p = signed_in(browser, site.url, width=400)
    p.click("nav a[data-view=suggestions]")
    p.wait_for_selector("article.suggestion")
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(p, "suggestions-narrow", tmp_path)
    p.context.close()


def test_accepting_needs_the_token_then_writes_the_user_policy(
    page: Any, site: Site, tmp_path: Path
) -> None:
    before = site.policy.read_text()
    note = card(page).locator(".accept-note")
    card(page).locator("button.accept").click()
    assert "Type the API token above first" in note.inner_text()
    page.fill("#suggest-token", "not-the-token")
    card(page).locator("button.accept").click()
    note.locator("[role=alert]").wait_for()
    assert "needs this server's API token" in note.inner_text()
    assert site.policy.read_text() == before  # nothing written
    page.fill("#suggest-token", TOKEN)
    card(page).locator("button.accept").click()
    note.locator(".ok").wait_for(timeout=120_000)
    assert f"written to {site.policy}" in note.inner_text()
    assert RULE_ID in site.policy.read_text()
    shot(page, "suggestion-accepted", tmp_path)
    decision = httpx.post(
        f"{site.url}/v1/evaluate",
        json={
            "tool_name": "Bash",
            "tool_input": {"command": "docker compose up -d"},
            "cwd": str(site.project),
        },
        headers=AUTH,
        timeout=30,
    ).json()
    assert decision["decision"] == "allow"
    assert decision["rule_id"] == RULE_ID
