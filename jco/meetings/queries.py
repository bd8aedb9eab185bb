"""What the meeting pages read: the list of meetings, one meeting with its agenda, the operations an
item may be about."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from jco.meetings.models import AgendaItem, Meeting
from jco.operations.models import Jco


def meetings_with_item_counts(session: Session) -> list[tuple[Meeting, int]]:
    """Every meeting, latest first, with its number of agenda items (one query)."""
    return list(session.execute(
        select(Meeting, func.count(AgendaItem.id))
        .outerjoin(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .group_by(Meeting.id)
        .order_by(Meeting.start_date.desc())
    ).all())


def load_meeting(session: Session, meeting_id: int) -> Meeting | None:
    """A meeting with its agenda items, their operations and documents loaded."""
    return session.scalar(
        select(Meeting).where(Meeting.id == meeting_id).options(
            selectinload(Meeting.items).selectinload(AgendaItem.documents),
            selectinload(Meeting.items).selectinload(AgendaItem.jco),
        )
    )


def jcos_for_items(session: Session) -> list[tuple[int, str, str, str]]:
    """(id, name, edition, state) of every operation, by name: what an agenda item may be about."""
    return list(session.execute(select(Jco.id, Jco.name, Jco.edition, Jco.state).order_by(Jco.name, Jco.edition)).all())
