"""Meetings, agenda items and their outcomes; an outcome can move a JCO through its life cycle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from jco.audit import services as audit
from jco.core.text import N_, _, ngettext
from jco.core.timeutil import today as today_
from jco.deadlines.rules import long_date
from jco.documents.models import Document, Marking
from jco.meetings.models import AgendaItem, Meeting, Outcome
from jco.operations import services as jco_services
from jco.operations.lifecycle import REPORT_STATES, Body, LifecycleError, State, Transition
from jco.operations.models import Jco
from jco.permissions import Refused


class AgendaError(Refused):
    """A change to an agenda that cannot be made; the message is meant for the user."""

    status = 422


class Purpose:
    BUSINESS_CASE = "business_case"
    REVISION = "revision"
    FINAL_REPORT = "final_report"
    INFORMATION = "information"

    LABELS = {
        "business_case": N_("Business case for adoption"),
        "revision": N_("Revised business case"),
        "final_report": N_("Final report for adoption"),
        "information": N_("Information / discussion"),
    }


def create_meeting(
    session: Session, *, body: str, start_date: date, end_date: date | None = None, place: str = "Brussels",
    title: str = "", notice_reference: str = "", actor=None, **extra,
) -> Meeting:
    end_date = end_date or start_date
    if end_date < start_date:
        raise ValueError(_("A meeting cannot end before it starts."))
    meeting = Meeting(body=Body(body), start_date=start_date, end_date=end_date, place=place, title=title,
                      notice_reference=notice_reference, **extra)
    session.add(meeting)
    session.flush()
    audit.record(session, actor, "meeting.create", meeting,
                 summary=f"Scheduled {meeting.logged_title} on {meeting.logged_days}",
                 after=audit.snapshot(meeting, ["body", "start_date", "end_date", "place", "notice_reference"]))
    return meeting


def cite(session: Session, jco: Jco | None, *, documents: Sequence[Document] = (),
         references: Sequence[str] = ()) -> list[Document]:
    """The documents an agenda item cites: those given, then those named by reference, which must be
    registered; an item about an operation cites no other operation's documents."""
    documents = list(documents)
    if references:
        found = {d.reference: d for d in session.scalars(select(Document).where(Document.reference.in_(references)))}
        missing = [ref for ref in references if ref not in found]
        if missing:
            raise AgendaError(ngettext(
                "%(references)s is not registered. Register the document first, or correct the reference.",
                "%(references)s are not registered. Register the documents first, or correct the references.",
                len(missing), references=", ".join(missing)), field="documents")
        documents += [found[ref] for ref in references]
    foreign = [d.reference for d in documents if jco is not None and d.jco_id not in (None, jco.id)]
    if foreign:
        raise AgendaError(ngettext("%(references)s belongs to another operation.",
                                   "%(references)s belong to another operation.",
                                   len(foreign), references=", ".join(foreign)), field="documents")
    return documents


def add_agenda_item(
    session: Session, meeting: Meeting, *, title: str, jco: Jco | None = None, purpose: str = Purpose.INFORMATION,
    documents: Sequence[Document] = (), references: Sequence[str] = (), actor=None, position: int | None = None,
) -> AgendaItem:
    """Put an item on the agenda, citing ``documents`` and the documents named by ``references``."""
    documents = cite(session, jco, documents=documents, references=references)
    if position is None:
        position = (session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)) or 0) + 1
    item = AgendaItem(meeting_id=meeting.id, position=position, title=title.strip(), jco_id=jco.id if jco else None,
                      purpose=purpose, documents=documents)
    session.add(item)
    session.flush()
    audit.record(session, actor, "agenda.add", item, jco_id=item.jco_id,
                 summary=f"Put “{item.title}” on the agenda of {meeting.logged_title} ({meeting.logged_days})")
    return item


def transitions_for(item: AgendaItem, outcome: Outcome, jco: Jco) -> list[Transition]:
    """The life-cycle steps an outcome stands for, in order.

    A business case or final report is often presented and decided on at the same meeting;
    recording "adopted" or "not adopted" for it then takes both steps, each logged, rather than
    refusing.
    """
    transition = transition_for(item, outcome, jco)
    if transition is None:
        return []
    state = State(jco.state)
    if transition in (Transition.ADOPT_BUSINESS_CASE, Transition.NOT_ADOPTED) and state is State.PROPOSED:
        return [Transition.PRESENT_BUSINESS_CASE, transition]
    if transition in (Transition.ADOPT_REPORT, Transition.NOT_ADOPTED) and state is State.DEBRIEFING:
        return [Transition.PRESENT_REPORT, transition]
    return [transition]


def transition_for(item: AgendaItem, outcome: Outcome, jco: Jco) -> Transition | None:
    """The life-cycle step an outcome stands for, if any (see jco.operations.lifecycle).

    "Postponed" and "noted" move nothing: a postponed item is proposed again for a later meeting.
    """
    state = State(jco.state)
    if item.purpose not in (Purpose.BUSINESS_CASE, Purpose.REVISION, Purpose.FINAL_REPORT):
        return None
    if outcome is Outcome.NOT_ADOPTED:
        return Transition.NOT_ADOPTED
    report = item.purpose == Purpose.FINAL_REPORT
    if outcome is Outcome.ADOPTED:
        return Transition.ADOPT_REPORT if report else Transition.ADOPT_BUSINESS_CASE
    if outcome is Outcome.PRESENTED:
        if report:
            if state is State.DEBRIEFING:
                return Transition.PRESENT_REPORT
            return Transition.PRESENT_REVISION if state in REPORT_STATES else None
        if item.purpose == Purpose.REVISION:
            return Transition.PRESENT_REVISION
        if state is State.PROPOSED:
            return Transition.PRESENT_BUSINESS_CASE
    return None


# Outcomes that moved the operation on: changing them would leave its history wrong.
FINAL_OUTCOMES = (Outcome.ADOPTED, Outcome.NOT_ADOPTED)


def outcome_refusal(meeting: Meeting, today: date) -> str | None:
    """Why no outcome can be recorded for the meeting's items yet, or None when it can."""
    if meeting.start_date > today:
        return _("The meeting has not taken place yet: an outcome can be recorded from %(day)s, the day it starts.",
                 day=long_date(meeting.start_date))
    return None


def record_outcome(
    session: Session, item: AgendaItem, outcome: Outcome | str, actor=None, *, note: str = "",
    then_by: Body | str | None = None, today: date | None = None,
) -> AgendaItem:
    """Record what the meeting decided; adoption moves the JCO through the life-cycle service.

    ``then_by``: when a first body adopts a final report, the body that must adopt it next.
    """
    outcome = Outcome(outcome)
    meeting = session.get(Meeting, item.meeting_id)
    refusal = outcome_refusal(meeting, today or today_())
    if refusal:
        raise LifecycleError(refusal)
    before = {"outcome": item.outcome, "note": item.note}
    if item.outcome and item.outcome != outcome and item.outcome in FINAL_OUTCOMES and item.jco_id:
        raise LifecycleError(_("This item's outcome (%(outcome)s) has already moved the operation on; it cannot "
                               "be changed.", outcome=_(Outcome(item.outcome).label).lower()))
    item.outcome = outcome
    item.note = note.strip()
    session.add(item)
    if item.jco_id and before["outcome"] != outcome:
        jco = session.get(Jco, item.jco_id)
        document = item.documents[0] if item.documents else None
        for transition in transitions_for(item, outcome, jco):
            jco_services.apply_transition(
                session, jco, transition, actor, body=Body(meeting.body), meeting=meeting, document=document,
                then_by=then_by if transition is Transition.ADOPT_REPORT else None,
                note=f"Agenda item {item.position}: {item.title}",
            )
    audit.record(session, actor, "agenda.outcome", item, jco_id=item.jco_id,
                 summary=f"Outcome of “{item.title}”: {outcome.label}", before=before,
                 after={"outcome": outcome.value, "note": item.note})
    session.flush()
    return item


# --- editing meetings and agendas --------------------------------------------------------------

MEETING_FIELDS = ["body", "title", "start_date", "end_date", "start_time", "end_time", "place", "notice_reference",
                  "agenda_marking", "summary_marking"]


def update_meeting(session: Session, meeting: Meeting, actor=None, *, version: int | str | None = None,
                   **fields) -> Meeting:
    """Change a meeting's details; ``version`` is the one the editing page showed."""
    jco_services.check_version(meeting, version, _("This meeting"))
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"not meeting fields: {', '.join(sorted(unknown))}")
    start = fields.get("start_date", meeting.start_date)
    end = fields.get("end_date") or start
    if end < start:
        raise ValueError(_("A meeting cannot end before it starts."))
    fields["end_date"] = end
    if "body" in fields:
        fields["body"] = Body(fields["body"]).value
    for name in ("agenda_marking", "summary_marking"):
        if fields.get(name) is not None:
            fields[name] = Marking(fields[name]).value
    before = audit.snapshot(meeting, MEETING_FIELDS)
    for name, value in fields.items():
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    session.add(meeting)
    b, a = audit.diff(before, audit.snapshot(meeting, MEETING_FIELDS))
    audit.record(session, actor, "meeting.update", meeting,
                 summary=f"Edited {meeting.logged_title} ({meeting.logged_days})", before=b, after=a)
    session.flush()
    return meeting


def _items(session: Session, meeting_id: int) -> list[AgendaItem]:
    return list(session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position, AgendaItem.id)
    ))


def move_agenda_item(session: Session, item: AgendaItem, direction: str, actor=None) -> AgendaItem:
    """Swap ``item`` with its neighbour ("up" or "down"); positions are renumbered 1, 2, 3 …"""
    if direction not in ("up", "down"):
        raise AgendaError(_("An item can only move up or down."))
    items = _items(session, item.meeting_id)
    index = next(i for i, other in enumerate(items) if other.id == item.id)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        raise AgendaError(_("“%(title)s” is already first on the agenda.", title=item.title) if direction == "up"
                          else _("“%(title)s” is already last on the agenda.", title=item.title))
    before = item.position
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, 1):
        other.position = position
        session.add(other)
    meeting = session.get(Meeting, item.meeting_id)
    audit.record(session, actor, "agenda.move", item, jco_id=item.jco_id,
                 summary=f"Moved “{item.title}” {direction} on the agenda of {meeting.logged_title} "
                         f"({meeting.logged_days})",
                 before={"position": before}, after={"position": item.position})
    session.flush()
    return item


def update_agenda_item(session: Session, item: AgendaItem, *, title: str, purpose: str, actor=None) -> AgendaItem:
    title = " ".join(title.split())
    if not title:
        raise AgendaError(_("Give the item a title."), field="title")
    if len(title) > 300:
        raise AgendaError(_("Keep the title under 300 characters."), field="title")
    if purpose not in Purpose.LABELS:
        raise AgendaError(_("Choose what the item is for."), field="purpose")
    if item.outcome and purpose != item.purpose:
        raise AgendaError(_("The outcome of this item is recorded, so what it was for can no longer change."),
                          field="purpose")
    if purpose != Purpose.INFORMATION and item.jco_id is None:
        raise AgendaError(_("Only an item about an operation can be for adoption; this one has no operation."),
                          field="purpose")
    before = {"title": item.title, "purpose": item.purpose}
    item.title, item.purpose = title, purpose
    session.add(item)
    b, a = audit.diff(before, {"title": item.title, "purpose": item.purpose})
    audit.record(session, actor, "agenda.edit", item, jco_id=item.jco_id, summary=f"Edited the agenda item “{title}”",
                 before=b, after=a)
    session.flush()
    return item


def remove_agenda_item(session: Session, item: AgendaItem, actor=None) -> None:
    """Take an item off the agenda; one with a recorded outcome stays, as the record of a decision."""
    if item.outcome:
        raise AgendaError(_("“%(title)s” already has an outcome (%(outcome)s); it stays on the agenda as the record "
                            "of what was decided.", title=item.title, outcome=_(Outcome(item.outcome).label).lower()))
    meeting_id = item.meeting_id
    audit.record(session, actor, "agenda.remove", item, jco_id=item.jco_id,
                 summary=f"Took “{item.title}” off the agenda",
                 before={"title": item.title, "position": item.position, "purpose": item.purpose})
    session.delete(item)
    session.flush()
    for position, other in enumerate(_items(session, meeting_id), 1):
        if other.position != position:
            other.position = position
            session.add(other)
    session.flush()
