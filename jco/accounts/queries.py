"""What the account pages read."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from jco.accounts.models import Account
from jco.operations.models import Organisation


def accounts_with_organisations(session: Session) -> Sequence[Account]:
    return session.scalars(
        select(Account).options(selectinload(Account.organisation)).order_by(Account.email)
    ).all()


def organisation_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.name))
    # A loaded row has an id (SQLModel types ids as Optional).
    return [(0, _("— none —"))] + [(o.id, f"{o.local_name} ({o.code})") for o in rows]  # type: ignore[misc]
