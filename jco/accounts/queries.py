"""What the account pages read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from jco.accounts.models import Account
from jco.operations.models import Organisation


def accounts_with_organisations(session: Session) -> list[Account]:
    return session.scalars(
        select(Account).options(selectinload(Account.organisation)).order_by(Account.email)
    ).all()


def organisation_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.name))
    return [(0, "— none —")] + [(o.id, f"{o.name} ({o.code})") for o in rows]
