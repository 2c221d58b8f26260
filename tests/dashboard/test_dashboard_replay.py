"""The dashboard's Replay view in a real browser (Debian's chromium through Playwright)
against a real server whose audit holds a real recorded trail: calls judged through the
server's Claude Code HTTP hook and its REST route, some of them attacker-shaped text. The
view's numbers are checked against ``POST /v1/replay`` itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dashboard_helpers import BUNDLED, TOKEN, shot, signed_in

from support.server import Server, clean_env, start_server
from support.trail import LOOSER, TIGHTER, HttpHook, record

AUTH = {"Authorization": f"Bearer {TOKEN}"}
# What an agent may put in a call: markup, and a right-to-left override that makes
# `x<U+202E>hs.txt` read as `xtxt.sh` on screen.
MARKUP = "git log --format='<img src=x onerror=\"document.title=1\"><b id=injected>x</b>'"
BIDI = "git show HEAD:notes\u202etxt.sh"
HOOK_CALLS = [
    ("git status", "allow"),
    ("ls -la", "allow"),
    ("git push --force origin main", "ask"),
    ("rm -rf ~", "deny"),
    (MARKUP, "allow"),
    (BIDI, "allow"),
]


class Site:
    """The server under test and its policy directory."""

    def __init__(self, server: Server, policy_dir: Path) -> None:
        self.server = server
        self.url = server.url
        self.policy_dir = policy_dir

    def replay(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(f"{self.url}/v1/replay", json=body, headers=AUTH, timeout=120)
        answer.raise_for_status()
        data: dict[str, Any] = answer.json()
        return data


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    base = tmp_path_factory.mktemp("dashboard-replay")
    policy_dir = base / "policy"
    policy_dir.mkdir()
    (policy_dir / "policy.yaml").write_text(BUNDLED.read_text())
    (policy_dir / "looser.yaml").write_text(LOOSER)
    env = clean_env(
        SUPEREGO_API_TOKEN=TOKEN,
        SUPEREGO_AUDIT=f"sqlite://{base / 'audit.db'}",
        SUPEREGO_RULES=str(policy_dir / "policy.yaml"),
    )
    server = start_server(env=env)
    try:
        record(HttpHook(server.url, Path("/tmp"), AUTH), HOOK_CALLS, sessions=2)
        body = {"tool_name": "Bash", "tool_input": {"command": "git diff"}, "cwd": "/tmp"}
        httpx.post(
            f"{server.url}/v1/evaluate", json=body, headers=AUTH, timeout=30
        ).raise_for_status()
        yield Site(server, policy_dir)
    finally:
        server.stop()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    p = signed_in(browser, site.url)
    p.click("nav a[data-view=replay]")
    p.wait_for_selector("#replay-file option", state="attached")
    yield p
    p.context.close()


def run(page: Any) -> None:
    page.click("#replay-run")
    page.wait_for_selector("#replay-summary, #replay-error")


def test_a_pasted_policy_shows_the_counts_rules_and_changed_calls(
    page: Any, site: Site, tmp_path: Path
) -> None:
    page.fill("#replay-yaml", TIGHTER)
    assert page.is_checked("input[name=source][value=yaml]")  # typing picks the source
    run(page)
    expected = site.replay({"yaml": TIGHTER})
    assert page.inner_text("#replay-summary") == f"{expected['changed']} changed, 0 looser"
    assert expected["changed"] == 4
    shown = page.eval_on_selector_all(
        "#replay-transitions tbody tr",
        "rs => rs.map(r => [r.dataset.old, r.dataset.new, r.cells[2].textContent])",
    )
    assert shown == [[t["old"], t["new"], str(t["count"])] for t in expected["transitions"]]
    rules = page.inner_text("#replay-rules")
    assert "ask-git-here" in rules
    assert "allow-git-everyday" in rules
    ids = page.eval_on_selector_all("#replay-changes tbody tr", "rs => rs.map(r => r.dataset.id)")
    assert ids == [str(c["id"]) for c in expected["changes"]]
    first = page.locator("#replay-changes tbody tr").first.inner_text()
    assert "allow-git-everyday: Everyday git command." in first  # the reason it had
    assert "ask-git-here: Git needs a person here." in first  # the reason it would get
    shot(page, "replay", tmp_path, full_page=True)
    # A changed call opens its detail view.
    page.click(f"#replay-changes a[href='#call/{expected['changes'][0]['id']}']")
    page.wait_for_selector("#call-units")


def test_call_text_in_the_report_is_shown_never_run(page: Any, site: Site) -> None:
    page.fill("#replay-yaml", TIGHTER)
    run(page)
    table = page.locator("#replay-changes")
    assert "onerror" in table.inner_text()
    assert page.locator("#injected").count() == 0
    assert page.title() == "Superego dashboard"
    text = table.inner_text()
    assert "notes\\u202etxt.sh" in text  # the override shown escaped
    assert "\u202e" not in text


def test_a_loosening_file_is_flagged(page: Any, site: Site) -> None:
    looser = str(site.policy_dir / "looser.yaml")
    page.select_option("#replay-file", looser)
    assert page.is_checked("input[name=source][value=file]")
    run(page)
    assert page.inner_text("#replay-summary") == "1 changed, 1 looser"
    assert "alert" in (page.get_attribute("#replay-summary", "class") or "")
    row = page.locator("#replay-changes tbody tr.looser")
    assert row.count() == 1
    assert "git push --force origin main" in row.inner_text()
    assert "Force pushes are fine here." in row.inner_text()


def test_the_policy_in_force_shows_no_change_and_filters_apply(page: Any, site: Site) -> None:
    run(page)
    assert page.inner_text("#replay-summary").startswith("No change")
    page.fill("#replay-yaml", TIGHTER)
    page.fill("#replay-form input[name=text]", "push")
    run(page)
    assert page.inner_text("#replay-notes").startswith("1 rows read")


def test_a_bad_pasted_policy_shows_its_line(page: Any, tmp_path: Path) -> None:
    page.fill(
        "#replay-yaml",
        "version: 1\nrules:\n  - id: x\n    reason: r\n    action: maybe\n"
        "    conditions: {tool: Read}\n",
    )
    run(page)
    error = page.inner_text("#replay-error")
    assert "<pasted>:5: rule x:" in error
    page.fill("#replay-yaml", "version: 1\nextends: /etc/passwd\n")
    run(page)
    assert "<pasted>:2: a pasted policy may extend only" in page.inner_text("#replay-error")
    shot(page, "replay-error", tmp_path)


def test_the_replay_view_in_a_narrow_window(browser: Any, site: Site, tmp_path: Path) -> None:
    p = signed_in(browser, site.url, width=400)
    p.click("nav a[data-view=replay]")
    p.wait_for_selector("#replay-file option", state="attached")
    p.fill("#replay-yaml", TIGHTER)
    run(p)
    p.wait_for_selector("#replay-changes")
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(p, "replay-narrow", tmp_path)
    p.context.close()
