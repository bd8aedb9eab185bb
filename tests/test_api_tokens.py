"""Personal API tokens: the account page's section and the `flask tokens create` command."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jco.accounts.models import ApiToken
from jco.accounts.services import find_by_email
from jco.api.auth import MAX_ACTIVE_TOKENS, create_token
from jco.audit.models import AuditEntry


def _token_on_page(html: str) -> str:
    match = re.search(r'id="new-token"[^>]*value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def test_the_account_page_creates_a_token_and_shows_it_once(client, auth, demo, db):
    auth.login("de.delegate@example.org")
    page = client.get("/account").get_data(as_text=True)
    assert '<h2 id="api-tokens-h">API tokens</h2>' in page and "You have no API tokens." in page
    assert '<label for="token-name">Token name</label>' in page
    created = client.post("/account/tokens/new", data={"token-name": "Nightly export"})
    assert created.status_code == 200
    secret = _token_on_page(created.get_data(as_text=True))
    assert secret.startswith("jco_")
    assert created.headers["Cache-Control"] == "no-store"
    assert "<td>Never</td>" in client.get("/account").get_data(as_text=True)
    # It works at once, with the account's rights …
    response = client.get("/api/v1/jcos", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    # … and the account page lists it by name, never showing it again.
    page = client.get("/account").get_data(as_text=True)
    assert "Nightly export" in page and secret not in page
    assert "<td>Never</td>" not in page  # last used: now
    assert db.scalar(select(AuditEntry.action).where(AuditEntry.action == "api_token.create"))


def test_a_token_needs_a_name_and_the_input_is_kept(client, auth, demo, db):
    auth.login("de.delegate@example.org")
    html = client.post("/account/tokens/new", data={"token-name": "   "}).get_data(as_text=True)
    assert "Give the token a name" in html and 'aria-invalid="true"' in html
    long_name = "n" * 81
    html = client.post("/account/tokens/new", data={"token-name": long_name}).get_data(as_text=True)
    assert "at most 80 characters" in html and f'value="{long_name}"' in html
    assert db.scalar(select(ApiToken)) is None


def test_revoking_from_the_account_page(client, auth, demo, db):
    auth.login("de.delegate@example.org")
    secret = _token_on_page(client.post("/account/tokens/new", data={"token-name": "Laptop"}).get_data(as_text=True))
    token_id = db.scalar(select(ApiToken.id))
    response = client.post(f"/account/tokens/{token_id}/revoke")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "has been revoked" in page and "You have no API tokens." in page
    assert client.get("/api/v1/jcos", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_nobody_revokes_another_accounts_token(client, auth, demo, db):
    row, secret = create_token(db, find_by_email(db, "pl.delegate@example.org"), "PL script")
    db.commit()
    auth.login("secretariat@example.org")
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert client.get("/api/v1/jcos", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_token_forms_need_their_csrf_token(client, demo, db):
    login_page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": "de.delegate@example.org", "password": "jco-demo", "csrf_token": csrf})
    client.post("/account/tokens/new", data={"token-name": "forged"})
    assert db.scalar(select(ApiToken)) is None
    page = client.get("/account").get_data(as_text=True)
    token_csrf = re.search(r'name="token-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    html = client.post("/account/tokens/new", data={"token-name": "real", "token-csrf_token": token_csrf})
    assert _token_on_page(html.get_data(as_text=True))
    row = db.scalar(select(ApiToken))
    client.post(f"/account/tokens/{row.id}/revoke")  # no CSRF token: refused
    db.refresh(row)
    assert row.revoked_at is None


def test_token_pages_need_login(client, demo):
    assert "/login" in client.get("/account/tokens/new").headers["Location"]
    assert "/login" in client.post("/account/tokens/1/revoke").headers["Location"]


def test_an_account_holds_a_bounded_number_of_tokens(demo, db):
    account = find_by_email(db, "fr.delegate@example.org")
    for n in range(MAX_ACTIVE_TOKENS):
        create_token(db, account, f"t{n}")
    with pytest.raises(ValueError, match="at most"):
        create_token(db, account, "one too many")


def test_cli_prints_the_token_as_the_last_word(runner, client, demo):
    result = runner.invoke(args=["tokens", "create", "LV.Delegate@example.org", "--name", "Reporting"])
    assert result.exit_code == 0, result.output
    secret = result.output.split()[-1]
    assert secret.startswith("jco_")
    body = client.get("/api/v1/documents?reference=6512/1/15 ADD 1 REV 1", headers={"Authorization": f"Bearer {secret}"}).json
    # lv.delegate is cleared for RESTREINT UE: the token carries that clearance.
    assert "Revised final report of Athena IV — addendum 1" in [d["title"] for d in body["items"]]


@pytest.mark.parametrize(("email", "message"), [("nobody@example.org", "no account"), ])
def test_cli_refuses_an_unknown_account(runner, demo, email, message):
    result = runner.invoke(args=["tokens", "create", email])
    assert result.exit_code != 0 and message in result.output


def test_cli_refuses_a_disabled_account(runner, demo, db):
    from jco.accounts.services import set_active

    set_active(db, find_by_email(db, "fr.delegate@example.org"), False)
    db.commit()
    result = runner.invoke(args=["tokens", "create", "fr.delegate@example.org"])
    assert result.exit_code != 0 and "disabled" in result.output
