"""Dashboard sessions that end and a sign-in that cannot be guessed at speed (issue 22.6):
over real HTTP against a real server, and the session store across two workers' instances."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from superego_mcp.server.sessions import MAX_AGE, LoginLimiter, Sessions
from support.server import Server, clean_env, start_server

TOKEN = secrets.token_urlsafe(24)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    state = tmp_path_factory.mktemp("state")
    env = clean_env(
        SUPEREGO_API_TOKEN=TOKEN,
        SUPEREGO_AUDIT="off",
        SUPEREGO_STATE_DIR=str(state),
        XDG_STATE_HOME=str(state),
    )
    srv = start_server(env=env)
    yield srv
    srv.stop()


def _sign_in(server: Server, token: str, client: httpx.Client | None = None) -> httpx.Response:
    post = client.post if client is not None else httpx.post
    return post(
        f"{server.url}/dashboard/login",
        content=f"token={token}",
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
        timeout=10,
    )


def test_sign_out_ends_the_session_for_every_copy_of_the_cookie(server: Server) -> None:
    answer = _sign_in(server, TOKEN)
    assert answer.status_code == 303
    cookie = answer.cookies["superego_dashboard"]
    assert TOKEN not in cookie
    jar = {"superego_dashboard": cookie}
    assert httpx.get(f"{server.url}/v1/rules", cookies=jar, timeout=10).status_code == 200
    # A second sign-in is another session; signing the first out leaves it alone.
    other = {"superego_dashboard": _sign_in(server, TOKEN).cookies["superego_dashboard"]}
    out = httpx.post(f"{server.url}/dashboard/logout", cookies=jar, timeout=10)
    assert out.status_code == 303
    assert httpx.get(f"{server.url}/v1/rules", cookies=jar, timeout=10).status_code == 401
    assert httpx.get(f"{server.url}/v1/rules", cookies=other, timeout=10).status_code == 200


def test_a_forged_or_altered_cookie_is_refused(server: Server) -> None:
    cookie = _sign_in(server, TOKEN).cookies["superego_dashboard"]
    sid, expires, mac = cookie.split(".")
    later = str(int(expires) + 10 * MAX_AGE)
    for forged in (
        f"{sid}.{later}.{mac}",
        f"x{sid}.{expires}.{mac}",
        f"{sid}.{expires}.{mac[:-1]}{'1' if mac.endswith('0') else '0'}",  # another MAC
    ):
        jar = {"superego_dashboard": forged}
        assert httpx.get(f"{server.url}/v1/rules", cookies=jar, timeout=10).status_code == 401


def test_wrong_guesses_are_rate_limited_and_the_right_token_is_not(server: Server) -> None:
    # A client of its own (another loopback address) so other tests' sign-ins do not count.
    transport = httpx.HTTPTransport(local_address="127.0.0.7")
    with httpx.Client(transport=transport) as client:
        for _ in range(20):
            assert _sign_in(server, TOKEN, client).status_code == 303
        codes = [_sign_in(server, "wrong", client).status_code for _ in range(8)]
        assert codes[:5] == [401] * 5
        assert set(codes[5:]) == {429}
        limited = _sign_in(server, "wrong", client)
        assert int(limited.headers["retry-after"]) >= 1
        # Even the right token waits once the wrong ones used the budget up.
        assert _sign_in(server, TOKEN, client).status_code == 429


def test_signed_out_ids_are_shared_between_workers(tmp_path: Path) -> None:
    file = tmp_path / "state" / "dashboard-signed-out"
    first, second = Sessions("t0ken", file), Sessions("t0ken", file)
    cookie = first.issue()
    assert second.valid(cookie)
    first.revoke(cookie)
    assert not second.valid(cookie)  # the other worker reads the file
    assert oct(file.stat().st_mode & 0o777) == "0o600"
    assert oct(file.parent.stat().st_mode & 0o777) == "0o700"


def test_sessions_expire_and_die_with_the_token(tmp_path: Path) -> None:
    sessions = Sessions("t0ken", tmp_path / "revoked")
    now = time.time()
    cookie = sessions.issue(now)
    assert sessions.valid(cookie, now + MAX_AGE - 1)
    assert not sessions.valid(cookie, now + MAX_AGE + 1)
    assert not Sessions("rotated", tmp_path / "revoked").valid(cookie, now)


def test_expired_revocations_are_dropped_from_the_file(tmp_path: Path) -> None:
    file = tmp_path / "revoked"
    sessions = Sessions("t0ken", file)
    old = sessions.issue(time.time() - 2 * MAX_AGE)
    file.write_text(f"{old.split('.')[0]} {int(time.time()) - MAX_AGE}\n")
    sessions.revoke(sessions.issue())
    assert len(file.read_text().splitlines()) == 1


def test_the_limiter_refills_over_time() -> None:
    limiter = LoginLimiter(burst=2, interval=10.0)
    assert limiter.take("a", now=0.0) == 0.0
    assert limiter.take("a", now=0.0) == 0.0
    assert limiter.take("a", now=0.0) == pytest.approx(10.0)
    assert limiter.take("b", now=0.0) == 0.0  # per client
    assert limiter.take("a", now=10.0) == 0.0
    limiter.give_back("a")
    assert limiter.take("a", now=10.0) == 0.0
