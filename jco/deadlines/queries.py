"""What the deadline forms offer: who may owe a deadline, and what it may be about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_
from sqlmodel import Session, select

from jco.deadlines.models import ManualDeadline
from jco.meetings.models import Meeting
from jco.operations.lifecycle import OPEN_STATES
from jco.operations.models import Jco, Organisation, OrgKind, Participant


@dataclass
class ManualDeadlineChoices:
    owners: list[Organisation]
    jcos: list[Jco]
    meetings: list[Meeting]


def manual_deadline_choices(session: Session, row: ManualDeadline | None, today: date) -> ManualDeadlineChoices:
    """Member States, bodies and every organisation that takes part in an operation; open
    operations; meetings from a month ago on — plus whatever the deadline already points at."""
    current_owner_ids = {o.id for o in row.owners} if row else set()
    taking_part = set(session.scalars(select(Participant.organisation_id).distinct()))
    candidates = session.scalars(
        select(Organisation).where(or_(
            Organisation.kind == OrgKind.BODY,
            Organisation.eu_member_from.is_not(None),
            Organisation.id.in_(taking_part | current_owner_ids or {-1}),
        ), Organisation.code != "GSC").order_by(Organisation.kind.desc(), Organisation.name)
    ).all()
    owners = [o for o in candidates
              if o.is_body or o.is_member_state_on(today) or o.id in taking_part or o.id in current_owner_ids]
    jcos = session.scalars(
        select(Jco).where(or_(Jco.state.in_([s.value for s in OPEN_STATES]), Jco.id == (row.jco_id if row else -1)))
        .order_by(Jco.name, Jco.edition)
    ).all()
    meetings = session.scalars(
        select(Meeting).where(or_(Meeting.start_date >= today - timedelta(days=31),
                                  Meeting.id == (row.meeting_id if row else -1)))
        .order_by(Meeting.start_date)
    ).all()
    return ManualDeadlineChoices(owners=owners, jcos=list(jcos), meetings=list(meetings))
