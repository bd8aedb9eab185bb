"""The deadlines the API lists, from the deadlines service (jco.deadlines.services).

Every derived deadline (written comments, revised business cases, final reports, their adoption)
and every deadline set by hand, with its owners and a status. An account sees what the
"My deadlines" page shows it: the Secretariat and managers every deadline with its overall
status; a delegate those its delegation owes, with the delegation's own status.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, url_for
from sqlmodel import Session

from jco import permissions
from jco.accounts.models import Account
from jco.deadlines import services
from jco.deadlines.rules import Deadline, Kind


def _document(document) -> dict:
    # References only: a classified title must not leave through the API.
    return {"id": document.id, "reference": document.reference,
            "url": url_for("api.get_document", document_id=document.id)}


def _row(deadline: Deadline, organisation_id: int | None, today: date) -> dict:
    status = deadline.status_for(organisation_id, today) if organisation_id else deadline.status(today)
    met_on = deadline.met_on_for(organisation_id) if organisation_id else deadline.met_on()
    source_id = int(deadline.key.rsplit(":", 1)[1])
    return {
        "key": deadline.key,
        "kind": deadline.kind.value,
        "title": deadline.title,
        "due": deadline.due.isoformat(),
        "status": status.value,
        "overdue": status.value == "overdue",
        "met_on": met_on.isoformat() if met_on else None,
        "owners": [{"organisation_id": o.organisation_id, "name": o.name,
                    "met_on": deadline.met_on_for(o.organisation_id).isoformat()
                    if deadline.met_on_for(o.organisation_id) else None}
                   for o in deadline.owners],
        "jco": ({"id": deadline.jco_id, "title": deadline.jco_title,
                 "url": url_for("api.get_jco", jco_id=deadline.jco_id)} if deadline.jco_id else None),
        "meeting": ({"id": deadline.meeting_id, "label": deadline.meeting_label,
                     "url": url_for("api.get_meeting", meeting_id=deadline.meeting_id)}
                    if deadline.meeting_id else None),
        "documents": [_document(d) for d in deadline.documents],
        "round_id": source_id if deadline.kind is Kind.COMMENTS else None,
        "note": deadline.note,
    }


def deadline_rows(session: Session, user: Account, *, since: date, until: date | None, today: date) -> list[dict]:
    """Deadlines due from ``since`` to ``until`` (inclusive), soonest first, as the API publishes them."""
    deadlines = services.collect(session, today, services.Settings.from_config(current_app.config))
    deadlines = [d for d in deadlines if d.due >= since and (until is None or d.due <= until)]
    if permissions.can_view_all_deadlines(user):
        return [_row(d, None, today) for d in deadlines]
    if permissions.is_delegate(user):
        return [_row(d, user.organisation_id, today) for d in services.owed_by(deadlines, user.organisation_id)]
    return []
