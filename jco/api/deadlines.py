"""The deadlines the API lists, from the deadlines service (jco.deadlines.services).

Every derived deadline (written comments, revised business cases, final reports, their adoption)
and every deadline set by hand, with its owners and a status. An account sees what the
"My deadlines" page shows it: the Secretariat and managers every deadline with its overall
status; a delegate those its delegation owes, with the delegation's own status.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlmodel import Session

from jco.accounts.models import Account
from jco.api.schemas import Deadline
from jco.deadlines import services


def deadline_rows(session: Session, user: Account, *, since: date, until: date | None,
                  today: date) -> list[Deadline]:
    """Deadlines due from ``since`` to ``until`` (inclusive), soonest first, as the API publishes them."""
    deadlines = services.collect_cached(session, today, services.Settings.from_config(current_app.config))
    deadlines = [d for d in deadlines if d.due >= since and (until is None or d.due <= until)]
    scope = services.scope_for(user, deadlines)  # the one rule: the same as "My deadlines" and the feeds
    return [Deadline.of(d, scope.organisation_id, today) for d in scope.deadlines]
