"""Meetings, agenda items and their outcomes; an outcome can move a JCO through its life cycle."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from jco.audit import services as audit
from jco.documents.models import Document
from jco.meetings.models import AgendaItem, Meeting, Outcome
from jco.operations import services as jco_services
from jco.operations.lifecycle import Body, LifecycleError, State, Transition
from jco.operations.models import Jco


class Purpose:
    BUSINESS_CASE = "business_case"
    REVISION = "revision"
    FINAL_REPORT = "final_report"
    INFORMATION = "information"

    LABELS = {
        "business_case": "Business case for adoption",
        "revision": "Revised business case",
        "final_report": "Final report for adoption",
        "information": "Information / discussion",
    }


def create_meeting(
    session: Session, *, body: str, start_date: date, end_date: date | None = None, place: str = "Brussels",
    title: str = "", notice_reference: str = "", actor=None, **extra,
) -> Meeting:
    end_date = end_date or start_date
    if end_date < start_date:
        raise ValueError("A meeting cannot end before it starts.")
    meeting = Meeting(body=Body(body), start_date=start_date, end_date=end_date, place=place, title=title,
                      notice_reference=notice_reference, **extra)
    session.add(meeting)
    session.flush()
    audit.record(session, actor, "meeting.create", meeting,
                 summary=f"Scheduled {meeting.display_title} on {meeting.days_label}",
                 after=audit.snapshot(meeting, ["body", "start_date", "end_date", "place", "notice_reference"]))
    return meeting


def add_agenda_item(
    session: Session, meeting: Meeting, *, title: str, jco: Jco | None = None, purpose: str = Purpose.INFORMATION,
    documents: list[Document] = (), actor=None, position: int | None = None,
) -> AgendaItem:
    if position is None:
        position = (session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)) or 0) + 1
    item = AgendaItem(meeting_id=meeting.id, position=position, title=title.strip(), jco_id=jco.id if jco else None,
                      purpose=purpose, documents=list(documents))
    session.add(item)
    session.flush()
    audit.record(session, actor, "agenda.add", item, jco_id=item.jco_id,
                 summary=f"Put “{item.title}” on the agenda of {meeting.display_title} ({meeting.days_label})")
    return item


def transition_for(item: AgendaItem, outcome: Outcome, jco: Jco) -> Transition | None:
    """The life-cycle step an outcome stands for, if any."""
    state = State(jco.state)
    if item.purpose == Purpose.BUSINESS_CASE:
        if outcome is Outcome.ADOPTED:
            return Transition.ADOPT_BUSINESS_CASE
        if outcome is Outcome.PRESENTED and state is State.PROPOSED:
            return Transition.PRESENT_BUSINESS_CASE
    if item.purpose == Purpose.REVISION:
        if outcome is Outcome.ADOPTED:
            return Transition.ADOPT_BUSINESS_CASE
        if outcome is Outcome.PRESENTED:
            return Transition.PRESENT_REVISION
    if item.purpose == Purpose.FINAL_REPORT:
        if outcome is Outcome.ADOPTED:
            return Transition.ADOPT_REPORT
        if outcome is Outcome.PRESENTED and state is State.DEBRIEFING:
            return Transition.PRESENT_REPORT
    return None


def record_outcome(
    session: Session, item: AgendaItem, outcome: Outcome | str, actor=None, *, note: str = "",
) -> AgendaItem:
    """Record what the meeting decided; adoption moves the JCO through the life-cycle service."""
    outcome = Outcome(outcome)
    meeting = session.get(Meeting, item.meeting_id)
    before = {"outcome": item.outcome, "note": item.note}
    if item.outcome and item.outcome != outcome and item.outcome in (Outcome.ADOPTED,) and item.jco_id:
        raise LifecycleError("This item's adoption has already moved the operation on; it cannot be changed.")
    item.outcome = outcome
    item.note = note.strip()
    session.add(item)
    if item.jco_id and before["outcome"] != outcome:
        jco = session.get(Jco, item.jco_id)
        transition = transition_for(item, outcome, jco)
        if transition is not None:
            document = item.documents[0] if item.documents else None
            jco_services.apply_transition(
                session, jco, transition, actor, body=Body(meeting.body), meeting=meeting, document=document,
                note=f"Agenda item {item.position}: {item.title}",
            )
    audit.record(session, actor, "agenda.outcome", item, jco_id=item.jco_id,
                 summary=f"Outcome of “{item.title}”: {outcome.label}", before=before,
                 after={"outcome": outcome.value, "note": item.note})
    session.flush()
    return item
