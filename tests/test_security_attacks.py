"""An attacker's view of what exists: other roles' POSTs, script in fields, open redirects, bad
ids and values in URLs, and error pages that must not give anything away."""

from __future__ import annotations

import re

import pytest
from flask import abort
from sqlalchemy import func, select

from jco.accounts.models import Account
from jco.documents.models import Document
from jco.operations.models import Organisation

NEW_ACCOUNT = {"email": "intruder@example.org", "name": "Intruder", "role": "admin", "organisation_id": 0,
               "clearance": "SECRET UE", "password": "long-enough-password"}


def account_count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Account))


@pytest.mark.parametrize("email", ["de.delegate@example.org", "lv.delegate@example.org", "manager@example.org"])
def test_only_the_secretariat_creates_or_disables_accounts(client, auth, demo, db, email):
    auth.login(email)
    before = account_count(db)
    assert client.post("/accounts", data=NEW_ACCOUNT).status_code == 403
    assert account_count(db) == before
    target = db.scalar(select(Account).where(Account.email == "fr.delegate@example.org"))
    assert client.post(f"/accounts/{target.id}/active").status_code == 403
    db.refresh(target)
    assert target.active


def test_logged_out_visitors_cannot_post_anywhere(client, demo, db):
    before = account_count(db)
    response = client.post("/accounts", data=NEW_ACCOUNT)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert account_count(db) == before


def test_script_in_a_name_comes_back_escaped(client, auth, demo, db):
    auth.login("secretariat@example.org")
    de = db.scalar(select(Organisation.id).where(Organisation.code == "DE"))
    response = client.post("/accounts", data={**NEW_ACCOUNT, "role": "delegate", "organisation_id": de,
                                              "clearance": "", "name": "<script>alert(1)</script>"},
                           follow_redirects=True)
    assert "has been created." in response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_script_in_query_strings_comes_back_escaped(client, auth, demo):
    auth.login("fr.delegate@example.org")
    for path in ('/jcos?q="><script>alert(1)</script>', "/jcos?lead=<script>alert(1)</script>",
                 "/jcos?kind=<script>alert(1)</script>", "/jcos?sort=<script>alert(1)</script>"):
        response = client.get(path)
        assert response.status_code == 200
        assert "<script>alert(1)" not in response.get_data(as_text=True), path


def test_script_in_the_login_form_comes_back_escaped(client, demo):
    html = client.post("/login", data={"email": '"><script>alert(1)</script>', "password": "x"}).get_data(as_text=True)
    assert "<script>alert(1)" not in html


EVIL_TARGETS = ["//evil.example", "https://evil.example/x", "/\\evil.example", "%2F%5Cevil.example",
                "/%09/evil.example", "javascript:alert(1)"]


def test_login_never_redirects_to_another_site(app, demo):
    for target in EVIL_TARGETS:
        client = app.test_client()
        response = client.post(f"/login?next={target}",
                               data={"email": "fr.delegate@example.org", "password": "jco-demo"})
        assert response.status_code == 302
        assert response.headers["Location"] in ("/", "http://jco.test/"), target
        # Already logged in: the same refusal.
        response = client.get(f"/login?next={target}")
        assert response.headers["Location"] in ("/", "http://jco.test/"), target


def test_login_keeps_a_local_next(client, demo):
    response = client.post("/login?next=/meetings", data={"email": "fr.delegate@example.org", "password": "jco-demo"})
    assert response.headers["Location"].endswith("/meetings")


HUGE = "9" * 25
BAD_URLS = [
    f"/jcos/{HUGE}", "/jcos/2147483648", "/jcos/9223372036854775808", "/jcos/-1", "/jcos/abc", "/jcos/1.5",
    f"/documents/{HUGE}", f"/meetings/{HUGE}", "/meetings/0",
    f"/jcos?year={HUGE}", "/jcos?year=99999999999", "/jcos?year=abc", "/jcos?year=-5",
    f"/jcos?goods={HUGE}", "/jcos?goods=-1", f"/jcos?page={HUGE}", "/jcos?page=-3", "/jcos?page=1e9",
    "/jcos?q=%00", "/jcos?lead=%00", "/jcos?state=%ff", "/jcos?sort=%00", "/jcos?q=" + "x" * 5000,
    "/jcos?state=comments&state=closed", "/documents/1%00",
]


def test_malformed_ids_and_values_are_client_errors(client, auth, demo):
    auth.login("fr.delegate@example.org")
    answers = {path: client.get(path).status_code for path in BAD_URLS}
    assert {path: status for path, status in answers.items() if status not in (200, 400, 404)} == {}


def test_malformed_id_in_a_post_is_404(client, auth, demo):
    auth.login("secretariat@example.org")
    assert client.post(f"/accounts/{HUGE}/active").status_code == 404


def test_nul_in_a_form_is_refused(client, auth, demo, db):
    auth.login("secretariat@example.org")
    before = account_count(db)
    response = client.post("/accounts", data={**NEW_ACCOUNT, "name": "a\x00b"})
    assert response.status_code == 400
    assert "not allowed" in response.get_data(as_text=True)
    assert account_count(db) == before
    assert client.get("/jcos?q=fine&q=%00").status_code == 400  # a repeated key is checked too


@pytest.fixture
def failing_route(app, db):
    """A page that fails while it holds a classified title, to see what the 500 page shows."""
    title = db.scalar(select(Document.title).where(Document.reference == "6512/1/15 ADD 1 REV 1"))

    @app.get("/_test/fails")
    def fails():
        raise RuntimeError(f"failed while rendering {title}")

    @app.get("/_test/refused")
    def refused():
        abort(403)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return title


def test_error_pages_leak_no_title_and_no_trace(client, auth, demo, failing_route):
    title = failing_route
    assert title
    auth.login("de.delegate@example.org")
    for path, status in (("/_test/fails", 500), ("/_test/refused", 403), ("/jcos/999999", 404),
                         ("/nowhere", 404)):
        response = client.get(path)
        # The CSRF token is random base64 and may spell ".py" by chance: it is not a leak.
        html = re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", response.get_data(as_text=True))
        assert response.status_code == status
        assert title not in html
        for leak in ("Traceback", "RuntimeError", ".py", "sqlalchemy", "werkzeug"):
            assert leak not in html, (path, leak)
    assert "Something went wrong on our side" in client.get("/_test/fails").get_data(as_text=True)


class TestCsrf:
    """With CSRF protection on (as in production), a POST without the token changes nothing."""

    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    @staticmethod
    def token(client, path="/login") -> str:
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True))[1]

    def login(self, client, email="secretariat@example.org"):
        token = self.token(client)
        response = client.post("/login", data={"email": email, "password": "jco-demo", "csrf_token": token})
        assert response.status_code == 302

    def test_post_without_token_is_refused_clearly(self, client, demo, db):
        self.login(client)
        before = account_count(db)
        de = db.scalar(select(Organisation.id).where(Organisation.code == "DE"))
        response = client.post("/accounts", data={**NEW_ACCOUNT, "role": "delegate", "organisation_id": de})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "nothing was changed" in html and "reload the page" in html
        assert account_count(db) == before

    def test_post_with_a_forged_token_is_refused(self, client, demo, db):
        self.login(client)
        target = db.scalar(select(Account).where(Account.email == "fr.delegate@example.org"))
        response = client.post(f"/accounts/{target.id}/active", data={"csrf_token": "forged"})
        assert response.status_code == 400
        db.refresh(target)
        assert target.active

    def test_logout_without_token_keeps_the_session(self, client, demo):
        self.login(client)
        assert client.post("/logout").status_code == 400
        assert client.get("/jcos").status_code == 200

    def test_login_without_token_is_refused(self, client, demo):
        response = client.post("/login", data={"email": "secretariat@example.org", "password": "jco-demo"})
        assert response.status_code == 400
        assert client.get("/jcos").status_code == 302

    def test_with_the_token_it_works(self, client, demo, db):
        self.login(client)
        de = db.scalar(select(Organisation.id).where(Organisation.code == "DE"))
        token = self.token(client, "/accounts")
        # No clearance: the Secretariat grants none (tests/test_account_administration.py).
        response = client.post("/accounts", data={**NEW_ACCOUNT, "role": "delegate", "organisation_id": de,
                                                  "clearance": "", "csrf_token": token})
        assert response.status_code == 302
        assert db.scalar(select(Account).where(Account.email == "intruder@example.org")) is not None
