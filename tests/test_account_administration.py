"""Account administration as an attacker tries it: nobody gains a right they were not given.

The Secretariat manages delegate and manager accounts only; admin and Secretariat accounts, and
clearances, are an admin's (a clearance only up to the admin's own) or the server's command line.
Nobody disables or demotes themselves or the last active admin. Every refusal changes nothing and
says why.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jco.accounts import services
from jco.accounts.models import Account
from jco.audit.models import AuditEntry
from jco.operations.models import Organisation
from tests.step_helpers import reading, text

ADMIN, SECRETARIAT = "admin@example.org", "secretariat@example.org"


def _account(app, email) -> dict | None:
    with reading(app) as s:
        account = s.scalar(select(Account).where(Account.email == email))
        if account is None:
            return None
        return {c: getattr(account, c) for c in ("id", "role", "clearance", "active", "name", "organisation_id")}


def _accounts(app) -> list[tuple]:
    with reading(app) as s:
        return s.execute(select(Account.email, Account.role, Account.clearance, Account.active,
                                Account.organisation_id).order_by(Account.email)).all()


def _org(app, code) -> int:
    with reading(app) as s:
        return s.scalar(select(Organisation.id).where(Organisation.code == code))


def _new_account(app, **overrides) -> dict:
    data = {"email": "new.person@example.org", "name": "New person", "role": "manager",
            "organisation_id": _org(app, "COM"), "clearance": "", "password": "a long enough password"}
    return {**data, **overrides}


def _log_in(client, email):
    assert client.post("/login", data={"email": email, "password": "jco-demo"}).status_code == 302


def _set_clearance(runner, email, level):
    result = runner.invoke(args=["users", "set-clearance", email, level])
    assert result.exit_code == 0, result.output
    return result


# --- creating ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role, clearance, reason", [
    ("admin", "SECRET UE", "Only an administrator may give the role Admin."),
    ("admin", "", "Only an administrator may give the role Admin."),
    ("secretariat", "", "Only an administrator may give the role Secretariat."),
    ("manager", "SECRET UE", "Only an administrator may grant a clearance."),
    ("manager", "RESTREINT UE", "Only an administrator may grant a clearance."),
])
def test_the_secretariat_cannot_mint_admins_or_clearances(client, app, demo, role, clearance, reason):
    _log_in(client, SECRETARIAT)
    before = _accounts(app)
    response = client.post("/accounts", data=_new_account(app, role=role, clearance=clearance))
    assert response.status_code == 200 and reason in text(response)
    assert _accounts(app) == before


def test_the_secretariat_is_offered_only_what_it_may_grant(client, app, demo):
    _log_in(client, SECRETARIAT)
    html = client.get("/accounts").get_data(as_text=True)
    form = html[html.index("Create an account"):]
    assert 'value="delegate"' in form and 'value="manager"' in form
    assert 'value="admin"' not in form and 'value="secretariat"' not in form
    assert "RESTREINT UE" not in form and "SECRET UE" not in form


def test_the_secretariat_creates_a_delegate_and_the_audit_log_says_so(client, app, demo):
    _log_in(client, SECRETARIAT)
    response = client.post("/accounts", data=_new_account(app, role="delegate", organisation_id=_org(app, "EE")),
                           follow_redirects=True)
    assert "has been created." in text(response)
    assert _account(app, "new.person@example.org")["role"] == "delegate"
    with reading(app) as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "account.create")
                         .order_by(AuditEntry.id.desc()).limit(1))
        assert entry.actor_label == SECRETARIAT and entry.after["role"] == "delegate"


def test_an_uncleared_admin_cannot_grant_restreint(client, app, demo):
    """The demo admin holds no clearance: it may make admins, but clear nobody."""
    _log_in(client, ADMIN)
    before = _accounts(app)
    response = client.post("/accounts", data=_new_account(app, clearance="RESTREINT UE"))
    assert "You may grant a clearance up to your own (none) only" in text(response)
    assert _accounts(app) == before
    form = client.get("/accounts").get_data(as_text=True).split("Create an account")[1]
    assert 'value="admin"' in form and "RESTREINT UE" not in form
    # Nor by changing an existing account.
    manager = _account(app, "manager@example.org")
    response = client.post(f"/accounts/{manager['id']}", data={
        "name": "Manager", "role": "manager", "organisation_id": manager["organisation_id"],
        "clearance": "RESTREINT UE"})
    assert "You may grant a clearance up to your own (none) only" in text(response)
    assert _accounts(app) == before


def test_an_admin_grants_clearances_up_to_its_own(client, app, demo, runner):
    _set_clearance(runner, ADMIN, "CONFIDENTIEL UE")
    _log_in(client, ADMIN)
    form = client.get("/accounts").get_data(as_text=True).split("Create an account")[1]
    assert "CONFIDENTIEL UE" in form and "RESTREINT UE" in form and "SECRET UE" not in form
    before = _accounts(app)
    response = client.post("/accounts", data=_new_account(app, role="admin", clearance="SECRET UE"))
    assert "SECRET UE needs an administrator cleared for it" in text(response)
    assert _accounts(app) == before
    response = client.post("/accounts", data=_new_account(app, clearance="CONFIDENTIEL UE"), follow_redirects=True)
    assert "has been created." in text(response)
    assert _account(app, "new.person@example.org")["clearance"] == "CONFIDENTIEL UE"


# --- changing, disabling, enabling ------------------------------------------------------------

def test_the_secretariat_cannot_touch_the_admin(client, app, demo):
    _log_in(client, SECRETARIAT)
    admin = _account(app, ADMIN)
    before = _accounts(app)
    response = client.post(f"/accounts/{admin['id']}/active", follow_redirects=True)
    assert "Only an administrator may disable or enable an administrator or Secretariat account." in text(response)
    assert client.get(f"/accounts/{admin['id']}").status_code == 403
    response = client.post(f"/accounts/{admin['id']}", data={"role": "delegate", "clearance": "",
                                                             "organisation_id": admin["organisation_id"]})
    assert response.status_code == 403
    assert _accounts(app) == before
    # The page offers no button for it either.
    assert f"Disable<span class=\"visually-hidden\"> {ADMIN}" not in client.get("/accounts").get_data(as_text=True)


def test_the_secretariat_cannot_promote_a_delegate(client, app, demo):
    _log_in(client, SECRETARIAT)
    de = _account(app, "de.delegate@example.org")
    before = _accounts(app)
    for role, clearance, reason in [("admin", "", "Only an administrator may give the role Admin."),
                                    ("delegate", "SECRET UE", "Only an administrator may grant a clearance.")]:
        response = client.post(f"/accounts/{de['id']}", data={"name": "x", "role": role, "clearance": clearance,
                                                             "organisation_id": de["organisation_id"]})
        assert reason in text(response)
    assert _accounts(app) == before
    page = client.get(f"/accounts/{de['id']}").get_data(as_text=True)
    assert 'value="admin"' not in page and "SECRET UE" not in page


def test_a_forged_role_or_clearance_is_refused_with_a_reason(client, app, demo):
    _log_in(client, ADMIN)
    before = _accounts(app)
    assert "is not a role" in text(client.post("/accounts", data=_new_account(app, role="superuser")))
    assert "A clearance is one of" in text(client.post("/accounts", data=_new_account(app, clearance="LIMITE")))
    assert _accounts(app) == before


def test_the_secretariat_changes_a_delegate_and_the_audit_log_keeps_before_and_after(client, app, demo):
    _log_in(client, SECRETARIAT)
    lv = _account(app, "lv.delegate@example.org")  # cleared RESTREINT UE: keeping or lowering grants nothing
    response = client.post(f"/accounts/{lv['id']}", data={"name": "Latvia", "role": "delegate", "clearance": "",
                                                          "organisation_id": lv["organisation_id"]},
                           follow_redirects=True)
    assert "has been saved." in text(response)
    assert _account(app, "lv.delegate@example.org")["clearance"] == ""
    with reading(app) as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "account.update"))
        assert entry.before["clearance"] == "RESTREINT UE" and entry.after["clearance"] == ""


def test_nobody_disables_or_demotes_themselves(client, app, demo):
    _log_in(client, ADMIN)
    admin = _account(app, ADMIN)
    before = _accounts(app)
    response = client.post(f"/accounts/{admin['id']}/active", follow_redirects=True)
    assert "You cannot disable your own account." in text(response)
    response = client.post(f"/accounts/{admin['id']}", data={"name": "x", "role": "manager", "clearance": "",
                                                             "organisation_id": admin["organisation_id"]})
    assert "You cannot change your own role." in text(response)
    assert _accounts(app) == before


def test_the_last_active_admin_stays(app, demo, db):
    admin = db.scalar(select(Account).where(Account.email == ADMIN))
    for change in (lambda: services.set_active(db, admin, False),
                   lambda: services.update_account(db, admin, role="secretariat")):
        with pytest.raises(services.AccountError, match="is the last active administrator"):
            change()
    db.rollback()
    assert _account(app, ADMIN)["active"] and _account(app, ADMIN)["role"] == "admin"


def test_an_admin_disables_another_admin_but_not_the_last(client, app, demo, runner):
    result = runner.invoke(args=["users", "create", "second.admin@example.org", "--password", "another long one"])
    assert result.exit_code == 0, result.output
    _log_in(client, ADMIN)
    second = _account(app, "second.admin@example.org")
    response = client.post(f"/accounts/{second['id']}/active", follow_redirects=True)
    assert "second.admin@example.org is now disabled." in text(response)
    with reading(app) as s:
        account = s.scalar(select(Account).where(Account.email == ADMIN))
        with pytest.raises(services.AccountError, match="last active administrator"):
            services.update_account(s, account, role="manager")


# --- the server's command line --------------------------------------------------------------

def test_the_command_line_grants_any_clearance_and_the_audit_log_records_it(runner, app, demo):
    result = _set_clearance(runner, "de.delegate@example.org", "SECRET UE")
    assert "de.delegate@example.org is cleared for SECRET UE." in result.output
    assert _account(app, "de.delegate@example.org")["clearance"] == "SECRET UE"
    _set_clearance(runner, "de.delegate@example.org", "none")
    assert _account(app, "de.delegate@example.org")["clearance"] == ""
    with reading(app) as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "account.update")) == 2


@pytest.mark.parametrize("args, message", [
    (["users", "set-clearance", "nobody@example.org", "SECRET UE"], "There is no account for nobody@example.org."),
    (["users", "set-clearance", "de.delegate@example.org", "TOP SECRET"], "A clearance is one of"),
    (["users", "create", "x@example.org", "--password", "long enough pw", "--clearance", "LIMITE"],
     "A clearance is one of"),
])
def test_the_command_line_refuses_what_is_not_a_clearance(runner, app, demo, args, message):
    before = _accounts(app)
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and message in result.output
    assert _accounts(app) == before


def test_the_command_line_creates_a_cleared_account(runner, app):
    result = runner.invoke(args=["users", "create", "cleared@example.org", "--password", "correct horse battery",
                                 "--clearance", "restreint ue"])
    assert result.exit_code == 0, result.output
    assert _account(app, "cleared@example.org")["clearance"] == "RESTREINT UE"


def test_a_new_account_is_a_delegate_unless_chosen_otherwise(client, auth, demo):
    auth.login(SECRETARIAT)
    html = text(client.get("/accounts"))
    role = html[html.index('name="role"'):]
    assert '<option selected value="delegate">' in role[:role.index("</select>")]


def test_the_accounts_read_in_french_and_a_refusal_says_why_in_french(client, app, demo):
    _log_in(client, SECRETARIAT)
    page = text(client.get("/accounts?lang=fr"))
    assert "Délégué(e)" in page and "Gestionnaire" in page and "Allemagne" in page and "Créer un compte" in page
    before = _accounts(app)
    refused = text(client.post("/accounts?lang=fr", data=_new_account(app, role="admin")))
    assert "Seul un administrateur peut attribuer le rôle « Administrateur »." in refused
    assert _accounts(app) == before
