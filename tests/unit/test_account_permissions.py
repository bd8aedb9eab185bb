"""Who may manage which account and grant what, as a table: the predicates need no database."""

from __future__ import annotations

import pytest

from jco import permissions
from jco.accounts.models import Account, AccountRole
from jco.documents.models import Marking


def account(role: str, clearance: str = "", id_: int = 1, active: bool = True) -> Account:
    return Account(id=id_, email=f"{role}{id_}@example.org", role=role, clearance=clearance, active=active,
                   organisation_id=1)


SECRETARIAT = account("secretariat", "RESTREINT UE", 1)
ADMIN = account("admin", "", 2)
CLEARED_ADMIN = account("admin", "CONFIDENTIEL UE", 3)
DELEGATE = account("delegate", "", 4)


@pytest.mark.parametrize("actor, target, expected", [
    (SECRETARIAT, account("delegate", id_=9), True),
    (SECRETARIAT, account("manager", id_=9), True),
    (SECRETARIAT, account("admin", id_=9), False),
    (SECRETARIAT, account("secretariat", id_=9), False),
    (SECRETARIAT, SECRETARIAT, False),
    (ADMIN, account("secretariat", id_=9), True),
    (ADMIN, account("admin", id_=9), True),
    (DELEGATE, account("delegate", id_=9), False),
    (account("admin", id_=8, active=False), account("delegate", id_=9), False),
    (None, account("delegate", id_=9), False),
])
def test_who_manages_which_account(actor, target, expected):
    assert permissions.can_manage_account(actor, target) is expected


def test_roles_on_offer():
    assert permissions.roles_grantable_by(SECRETARIAT) == [AccountRole.DELEGATE, AccountRole.MANAGER]
    assert set(permissions.roles_grantable_by(ADMIN)) == set(AccountRole)
    assert permissions.roles_grantable_by(DELEGATE) == []


@pytest.mark.parametrize("actor, current, offered", [
    (SECRETARIAT, "", [Marking.NONE]),
    (SECRETARIAT, "RESTREINT UE", [Marking.NONE, Marking.RESTREINT_UE]),  # keep or lower, never raise
    (ADMIN, "", [Marking.NONE]),
    (CLEARED_ADMIN, "", [Marking.NONE, Marking.RESTREINT_UE, Marking.CONFIDENTIEL_UE]),
    (CLEARED_ADMIN, "SECRET UE", list(permissions.CLEARANCE_LEVELS)),
    (DELEGATE, "", []),
])
def test_clearances_on_offer(actor, current, offered):
    assert permissions.clearances_grantable_by(actor, current) == offered


def test_limite_is_not_a_clearance():
    assert not permissions.can_grant_clearance(CLEARED_ADMIN, Marking.LIMITE)


def test_nobody_disables_or_demotes_themselves():
    assert not permissions.can_disable_account(ADMIN, ADMIN)
    assert not permissions.can_change_role(ADMIN, ADMIN, AccountRole.MANAGER)
    assert permissions.can_change_role(ADMIN, ADMIN, AccountRole.ADMIN)  # keeping one's role
    assert permissions.can_disable_account(ADMIN, CLEARED_ADMIN)
