"""Against a real gunicorn with two worker processes, CSRF on and real Argon2id: wrong passwords
sent at once are counted across processes before they are checked, and a session ended in one
worker is ended in the other."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from jco import create_app
from jco.accounts.services import create_account
from jco.core.db import get_session
from tests.servers import gunicorn, migrated_sqlite

EMAIL, PASSWORD = "target@example.org", "the right password"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _request(url: str, *, cookie: str = "", form: dict | None = None) -> tuple[int, str, str]:
    """Status, the session cookie the server set (if any) and the body."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, headers={"Cookie": f"session={cookie}"} if cookie else {})
    try:
        response = _opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        set_cookie = re.search(r"session=([^;]*)", response.headers.get("Set-Cookie", ""))
        return response.status, set_cookie[1] if set_cookie else "", response.read().decode()


def _login_form(base: str) -> tuple[str, str]:
    """A visitor's session and its CSRF token, as a browser gets them from the log-in page."""
    _status, cookie, body = _request(f"{base}/login")
    return cookie, re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body)[1]


def _try(base: str, password: str) -> tuple[int, str]:
    cookie, token = _login_form(base)
    status, new_cookie, _body = _request(f"{base}/login", cookie=cookie,
                                         form={"email": EMAIL, "password": password, "csrf_token": token})
    return status, new_cookie


@pytest.fixture
def server(tmp_path):
    database = migrated_sqlite(tmp_path)
    app = create_app({"DATABASE_URL": database, "SECRET_KEY": "real-server-test"})
    with app.app_context():
        session = get_session()
        create_account(session, email=EMAIL, password=PASSWORD, role="manager")
        session.commit()
    app.extensions["jco_engine"].dispose()
    with gunicorn(tmp_path, database, secret="real-server-test", workers=2) as served:
        yield served.base


def test_parallel_wrong_passwords_and_copied_cookies_against_gunicorn(server):
    # Visitors' log-in pages first (each a session of its own), then 25 wrong passwords at once.
    forms = [_login_form(server) for _ in range(25)]
    start, statuses = threading.Barrier(25), []

    def attempt(i):
        cookie, token = forms[i]
        start.wait()
        status, _cookie, _body = _request(f"{server}/login", cookie=cookie,
                                          form={"email": EMAIL, "password": f"wrong {i}", "csrf_token": token})
        statuses.append(status)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    # 200: the password was checked and was wrong; 429: refused before any check.
    assert len(statuses) == 25 and statuses.count(200) <= 10
    assert statuses.count(429) == 25 - statuses.count(200)


def test_a_session_ended_in_one_worker_is_ended_in_all(server):
    status, cookie = _try(server, PASSWORD)
    assert status == 302 and cookie
    # Several requests, so that both workers serve some of them.
    assert all(_request(f"{server}/account", cookie=cookie)[0] == 200 for _ in range(6))
    page = _request(f"{server}/account", cookie=cookie)[2]
    token = re.search(r'<input type="hidden" name="csrf_token" value="([^"]+)"', page)[1]  # the log-out button's
    assert _request(f"{server}/logout", cookie=cookie, form={"csrf_token": token})[0] == 302
    assert all(_request(f"{server}/account", cookie=cookie)[0] == 302 for _ in range(6))
