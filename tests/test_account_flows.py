"""Logging in and out, changing a password, managing accounts, and creating the first admin from the CLI."""

from sqlalchemy import func, select

from jco.accounts.models import Account
from tests.step_helpers import reading, text


def _logged_in(client) -> bool:
    return client.get("/jcos").status_code == 200


def test_login_and_logout(client, auth, demo):
    assert not _logged_in(client)
    response = auth.login("de.delegate@example.org")
    assert response.status_code == 302 and response.headers["Location"] in ("/", "http://jco.test/")
    assert _logged_in(client)
    assert "de.delegate@example.org" in text(client.get("/jcos"))
    response = client.post("/logout", follow_redirects=True)
    assert "You are logged out." in text(response)
    assert not _logged_in(client)


def test_login_returns_to_the_page_asked_for_but_never_off_site(client, auth, demo):
    response = client.post("/login?next=/meetings", data={"email": "fr.delegate@example.org", "password": "jco-demo"})
    assert response.headers["Location"].endswith("/meetings")
    client.post("/logout")
    response = client.post("/login?next=//evil.example/x", data={"email": "fr.delegate@example.org",
                                                                   "password": "jco-demo"})
    assert response.headers["Location"] in ("/", "http://jco.test/")


def test_changing_the_password_ends_the_other_sessions(app, demo):
    here, elsewhere = app.test_client(), app.test_client()
    for client in (here, elsewhere):
        client.post("/login", data={"email": "de.delegate@example.org", "password": "jco-demo"})
        assert _logged_in(client)
    response = here.post("/account", data={"pw-current": "jco-demo", "pw-new": "a much longer secret",
                                           "pw-confirm": "a much longer secret", "pw-submit": "Change password"},
                         follow_redirects=True)
    assert "Other sessions of your account have ended." in text(response)
    assert _logged_in(here)
    assert not _logged_in(elsewhere)
    assert elsewhere.post("/login", data={"email": "de.delegate@example.org", "password": "jco-demo"}).status_code == 200
    elsewhere.post("/login", data={"email": "de.delegate@example.org", "password": "a much longer secret"})
    assert _logged_in(elsewhere)


def test_a_wrong_current_password_changes_nothing(client, auth, demo):
    auth.login("de.delegate@example.org")
    html = text(client.post("/account", data={"pw-current": "wrong", "pw-new": "a much longer secret",
                                               "pw-confirm": "a much longer secret", "pw-submit": "Change password"}))
    assert "The current password is not right." in html
    client.post("/logout")
    assert auth.login("de.delegate@example.org").status_code == 302  # the old password still works


def test_a_disabled_account_cannot_log_in_and_its_session_ends(app, demo):
    secretariat, delegate = app.test_client(), app.test_client()
    secretariat.post("/login", data={"email": "secretariat@example.org", "password": "jco-demo"})
    delegate.post("/login", data={"email": "fr.delegate@example.org", "password": "jco-demo"})
    with reading(app) as s:
        fr = s.scalar(select(Account.id).where(Account.email == "fr.delegate@example.org"))
    response = secretariat.post(f"/accounts/{fr}/active", follow_redirects=True)
    assert "fr.delegate@example.org is now disabled." in text(response)
    assert not _logged_in(delegate)
    response = delegate.post("/login", data={"email": "fr.delegate@example.org", "password": "jco-demo"})
    assert response.status_code == 200 and "The email or the password is not right." in text(response)


def test_secretariat_creates_an_account_that_can_log_in(client, auth, demo, app):
    auth.login("secretariat@example.org")
    with reading(app) as s:
        from jco.operations.models import Organisation

        ee = s.scalar(select(Organisation.id).where(Organisation.code == "EE"))
    response = client.post("/accounts", data={
        "email": "EE.Delegate@example.org", "name": "Estonian delegate", "role": "delegate",
        "organisation_id": ee, "clearance": "", "password": "estonia-2025!"}, follow_redirects=True)
    assert "has been created." in text(response)
    with reading(app) as s:
        assert s.scalar(select(Account.role).where(Account.email == "ee.delegate@example.org")) == "delegate"
    client.post("/logout")
    assert auth.login("ee.delegate@example.org", "estonia-2025!").status_code == 302
    assert _logged_in(client)


def test_a_delegate_may_not_manage_accounts(client, auth, demo, app):
    auth.login("de.delegate@example.org")
    with reading(app) as s:
        before = s.scalar(select(func.count()).select_from(Account))
    assert client.get("/accounts").status_code == 403
    response = client.post("/accounts", data={"email": "x@example.org", "role": "admin", "organisation_id": 0,
                                              "clearance": "", "password": "long enough pw"})
    assert response.status_code == 403
    with reading(app) as s:
        assert s.scalar(select(func.count()).select_from(Account)) == before


def test_cli_creates_the_first_admin(runner, client, app):
    result = runner.invoke(args=["users", "create", "first.admin@example.org", "--password", "correct horse battery"])
    assert result.exit_code == 0, result.output
    assert "Created admin account first.admin@example.org." in result.output
    response = client.post("/login", data={"email": "first.admin@example.org", "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get("/audit").status_code == 200  # an administrator


def test_cli_refuses_a_short_password_and_creates_nothing(runner, app):
    result = runner.invoke(args=["users", "create", "short@example.org", "--password", "short"])
    assert result.exit_code != 0 and "at least 10 characters" in result.output
    with reading(app) as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 0
