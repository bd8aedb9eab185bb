"""Factories for the deadlines tests: operations at the stages that owe something."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from factories import make_document, make_jco, make_meeting, org

from jco.comments.models import Comment, CommentRound
from jco.core.timeutil import utcnow
from jco.documents.models import DocType
from jco.meetings.services import Purpose, add_agenda_item
from jco.operations import services as ops
from jco.operations.lifecycle import Body, Transition
from jco.operations.models import Role


def open_round(session, jco, document, deadline: date) -> CommentRound:
    round_ = CommentRound(jco_id=jco.id, document_id=document.id, deadline=deadline)
    session.add(round_)
    session.flush()
    return round_


def comment(session, round_: CommentRound, org_code: str, on: date | None = None) -> Comment:
    at = datetime.combine(on, time(12, 0), tzinfo=UTC) if on else utcnow()
    row = Comment(round_id=round_.id, organisation_id=org(session, org_code).id, body="Our comments.",
                  submitted_at=at, updated_at=at)
    session.add(row)
    session.flush()
    return row


def jco_under_comments(session, today: date, *, name: str = "Alpha", lead: str = "DE", deadline_in: int = 6,
                       participants: dict[str, str] | None = None, reference: str | None = None):
    """An operation whose business case is under written comments: (jco, business case, round)."""
    jco = make_jco(session, name, lead=lead, participants=participants if participants is not None else {
        "FR": Role.PARTICIPANT, "PL": Role.PARTICIPANT, "LV": Role.OBSERVER, "OLAF": Role.CO_LEAD})
    bc = make_document(session, reference, jco=jco, doc_type=DocType.BUSINESS_CASE)
    ops.apply_transition(session, jco, Transition.PRESENT_BUSINESS_CASE, document=bc)
    ops.apply_transition(session, jco, Transition.OPEN_COMMENTS, document=bc)
    return jco, bc, open_round(session, jco, bc, today + timedelta(days=deadline_in))


def revision_for_meeting(session, jco, meeting_day: date):
    meeting = make_meeting(session, start_date=meeting_day)
    item = add_agenda_item(session, meeting, title=f"JCO {jco.title}: revised business case", jco=jco,
                           purpose=Purpose.REVISION)
    return meeting, item


def jco_after_operation(session, *, name: str = "Bravo", lead: str = "PL", ended: date, debriefing: date | None = None):
    jco = make_jco(session, name, lead=lead)
    bc = make_document(session, jco=jco, doc_type=DocType.BUSINESS_CASE)
    for transition in (Transition.PRESENT_BUSINESS_CASE, Transition.ADOPT_BUSINESS_CASE, Transition.START_OPERATION,
                       Transition.END_OPERATION):
        ops.apply_transition(session, jco, transition, document=bc,
                             body=Body.CCWP_EXPERTS if transition is Transition.ADOPT_BUSINESS_CASE else None)
    ops.record_operation(session, jco, actual_start=ended - timedelta(days=14), actual_end=ended,
                         debriefing_date=debriefing, debriefing_place="")
    return jco


def jco_report_presented(session, *, name: str = "Charlie", lead: str = "LV", prior_body: str | None = Body.MAC,
                         on: date, marking: str = ""):
    jco = jco_after_operation(session, name=name, lead=lead, ended=on - timedelta(days=60))
    jco.report_prior_body = prior_body
    report = make_document(session, jco=jco, doc_type=DocType.FINAL_REPORT, marking=marking,
                           title=f"Final report of {name}")
    ops.apply_transition(session, jco, Transition.PRESENT_REPORT, document=report, on=on)
    return jco, report
