"""The facts the next step is derived from, gathered for any number of operations in a fixed
number of queries, and the reader's position as jco.permissions answers it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from jco import permissions
from jco.comments.models import Comment, CommentRound
from jco.core.text import _
from jco.deadlines.rules import Deadline, Kind, Status
from jco.documents.models import DocType, Document
from jco.meetings import requests as agenda_requests
from jco.meetings.models import AgendaItem, Meeting
from jco.mypage import nextstep
from jco.operations.lifecycle import available_transitions
from jco.operations.models import Jco, Participant, Role


def _meeting_label(meeting: Meeting) -> str:
    return _("%(meeting)s, %(days)s", meeting=_(meeting.display_title), days=meeting.days_label)


def lead_name(jco: Jco) -> str:
    """Who acts when the lead does: its organisation's name in the reader's language (and the
    others', if several lead)."""
    leads = [p.organisation.local_name for p in jco.participants if p.role == Role.LEAD]
    if not leads:
        return _("the lead delegation")
    named = leads[0]
    for other in leads[1:]:
        named = _("%(first)s and %(second)s", first=named, second=other)
    return named


@dataclass
class OperationFacts:
    """What the next steps of some operations are derived from, whoever reads them: their kinds of
    document, their latest comment round and the next meeting each is on the agenda of."""

    kinds: dict[int, set[str]]
    latest: dict[int, tuple[CommentRound, Document]]
    meetings: dict[int, nextstep.Meeting]
    # The newest revision of each (operation, business case or final report): has it been revised?
    newest_revision: dict[tuple[int, str], int]
    # The soonest coming meeting each operation has an agenda request waiting at.
    requested: dict[int, nextstep.Meeting]


def gather(session: Session, ids: list[int], today: date) -> OperationFacts:
    """The facts of the operations ``ids``: four queries."""
    kinds: dict[int, set[str]] = defaultdict(set)
    newest_revision: dict[tuple[int, str], int] = {}
    for jco_id, doc_type, revision in session.execute(
        select(Document.jco_id, Document.doc_type, func.max(func.coalesce(Document.revision, 0)))
        .where(Document.jco_id.in_(ids),
               Document.doc_type.in_([DocType.BUSINESS_CASE.value, DocType.FINAL_REPORT.value]))
        .group_by(Document.jco_id, Document.doc_type)
    ):
        kinds[jco_id].add(doc_type)
        newest_revision[(jco_id, doc_type)] = revision or 0
    latest: dict[int, tuple[CommentRound, Document]] = {}
    for round_, document in session.execute(
        select(CommentRound, Document).join(Document, Document.id == CommentRound.document_id)
        .where(CommentRound.jco_id.in_(ids)).order_by(CommentRound.deadline, CommentRound.id)
    ):
        latest[round_.jco_id] = (round_, document)
    meetings: dict[int, nextstep.Meeting] = {}
    for jco_id, meeting in session.execute(
        select(AgendaItem.jco_id, Meeting).join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.jco_id.in_(ids), AgendaItem.outcome.is_(None), Meeting.end_date >= today)
        .order_by(Meeting.start_date.desc(), Meeting.id.desc())
    ):
        meetings[jco_id] = nextstep.Meeting(meeting.id, _meeting_label(meeting), meeting.start_date)
    return OperationFacts(kinds, latest, meetings, newest_revision, requested_meetings(session, ids, today))


def requested_meetings(session: Session, ids: list[int], today: date) -> dict[int, nextstep.Meeting]:
    """The soonest coming meeting each operation has an agenda request waiting at: one query."""
    return {jco_id: nextstep.Meeting(m.id, _meeting_label(m), m.start_date)
            for jco_id, m in agenda_requests.pending_meetings(session, ids, today).items()}


def facts_of(jco_id: int, documents: list[Document], rounds: list[tuple[CommentRound, Document]],
             agenda_items: list[AgendaItem], requested: dict[int, nextstep.Meeting], today: date) -> OperationFacts:
    """The facts of one operation from what its page has loaded already (no query besides the
    ``requested`` meetings): the same answers as :func:`gather`. ``rounds`` in the order of their
    deadline, ``agenda_items`` with their meeting."""
    kinds = {d.doc_type for d in documents if d.doc_type in (DocType.BUSINESS_CASE.value, DocType.FINAL_REPORT.value)}
    newest_revision: dict[tuple[int, str], int] = {}
    for d in documents:
        if d.doc_type in kinds:
            key = (jco_id, d.doc_type)
            newest_revision[key] = max(newest_revision.get(key, 0), d.revision or 0)
    ahead = [item.meeting for item in agenda_items if item.outcome is None and item.meeting.end_date >= today]
    first = min(ahead, key=lambda m: (m.start_date, m.id), default=None)
    return OperationFacts(
        kinds={jco_id: kinds} if kinds else {},
        latest={jco_id: rounds[-1]} if rounds else {},
        meetings={jco_id: nextstep.Meeting(first.id, _meeting_label(first), first.start_date)} if first else {},
        newest_revision=newest_revision,
        requested=requested,
    )


def next_steps(session: Session, user, jcos: list[Jco], deadlines: list[Deadline], today: date,
               known: OperationFacts | None = None) -> dict[int, nextstep.NextStep]:
    """The next step of each operation (participants loaded), as ``user`` should read it: three queries
    (none when the facts are ``known``), plus one when the reader is a delegate (its own comments)."""
    if not jcos:
        return {}
    gathered = known if known is not None else gather(session, [j.id for j in jcos], today)  # type: ignore[misc]  # loaded rows have ids
    kinds, latest, meetings = gathered.kinds, gathered.latest, gathered.meetings
    newest_revision, requested = gathered.newest_revision, gathered.requested
    commented: set[int] = set()
    if permissions.is_delegate(user) and latest:
        commented = set(session.scalars(select(Comment.round_id).where(
            Comment.round_id.in_([r.id for r, _ in latest.values()]),
            Comment.organisation_id == user.organisation_id)))
    due: dict[int, date] = {}
    for deadline in deadlines:
        if deadline.jco_id is None or deadline.jco_id in due or deadline.status(today) is Status.MET:
            continue
        due[deadline.jco_id] = deadline.due

    answers: dict[int, nextstep.NextStep] = {}
    for jco in jcos:
        assert jco.id is not None  # a loaded row (SQLModel types ids as Optional)
        round_, document = latest.get(jco.id, (None, None))
        facts = nextstep.StepFacts(
            jco_id=jco.id, state=jco.state, lead_name=lead_name(jco),
            has_business_case=DocType.BUSINESS_CASE.value in kinds.get(jco.id, ()),
            has_final_report=DocType.FINAL_REPORT.value in kinds.get(jco.id, ()),
            round_id=round_.id if round_ else None, round_deadline=round_.deadline if round_ else None,
            meeting=meetings.get(jco.id), due=due.get(jco.id),
            planned_start=jco.planned_start, planned_end=jco.planned_end, report_prior_body=jco.report_prior_body,
            business_case_revised=(
                document is not None and document.doc_type == DocType.BUSINESS_CASE.value
                and newest_revision.get((jco.id, DocType.BUSINESS_CASE.value), 0) > (document.revision or 0)),
            requested_meeting=requested.get(jco.id),
        )
        owes_comment = (
            round_ is not None and round_.id not in commented and today <= round_.deadline
            and permissions.is_delegate(user) and not permissions.leads_jco(user, jco)
            and permissions.can_comment(user, round_)
            and permissions.can_view_document_details(user, document)
        )
        reader = nextstep.Reader(
            leads=permissions.leads_jco(user, jco), secretariat=permissions.is_secretariat(user),
            owes_comment=owes_comment,
            may_transition=frozenset(t for t in available_transitions(jco.state)
                                     if permissions.can_transition(user, jco, t)),
        )
        answers[jco.id] = nextstep.next_step(facts, reader, today)
    return answers


# --- the button that meets a deadline ------------------------------------------------------------

def deadline_action(user, deadline: Deadline, jco: Jco | None) -> nextstep.Action | None:
    """The form that meets ``deadline`` (jco.mypage.nextstep.deadline_action), when ``user`` may use it;
    ``jco`` is the deadline's operation, participants loaded (needed for revisions and reports)."""
    if deadline.kind is Kind.COMMENTS:
        may_act = permissions.is_delegate(user) and all(
            permissions.can_view_document_details(user, doc) for doc in deadline.documents)
    elif deadline.kind in (Kind.REVISION, Kind.REPORT):
        may_act = jco is not None and permissions.can_upload_document(user, jco)
    elif deadline.kind is Kind.ADOPTION:
        may_act = permissions.is_secretariat(user)
    else:
        may_act = True  # a link to the operation or the meeting, which check access themselves
    return nextstep.deadline_action(deadline.kind.value, deadline.key, deadline.jco_id, deadline.meeting_id,
                                    may_act=may_act)


def deadline_actions(session: Session, user, deadlines: list[Deadline], today: date, *,
                     jcos: dict[int, Jco] | None = None) -> dict[str, nextstep.Action]:
    """The button of each deadline not yet met (a delegate's: not met by its delegation), by key.
    One query for the operations it needs (none when ``jcos`` holds them)."""
    own = user.organisation_id if permissions.is_delegate(user) else None

    def open_(d: Deadline) -> bool:
        status = d.status_for(own, today) if own is not None and d.owes(own) else d.status(today)
        return status is not Status.MET

    pending = [d for d in deadlines if open_(d)]
    known = dict(jcos or {})
    wanted = {d.jco_id for d in pending if d.kind in (Kind.REVISION, Kind.REPORT) and d.jco_id} - set(known)
    if wanted:
        known.update((j.id, j) for j in session.scalars(  # type: ignore[misc]  # loaded rows have ids
            select(Jco).where(Jco.id.in_(wanted)).options(selectinload(Jco.participants).selectinload(
                Participant.organisation))))
    actions = {}
    for d in pending:
        action = deadline_action(user, d, known.get(d.jco_id) if d.jco_id else None)
        if action is not None:
            actions[d.key] = action
    return actions
