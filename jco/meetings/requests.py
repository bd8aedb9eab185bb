"""Agenda requests: a lead delegation asks for a document of its operation to be put on a coming
meeting's agenda; the Secretariat accepts (the item is added through jco.meetings.services, the
one place that changes agendas) or declines with a reason; the lead may withdraw an open request.

Every rule is here, asked by the pages (and any later API) alike; a refusal is a
``permissions.Refused`` whose message says why, and changes nothing. Each change writes one audit
entry in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from jco import permissions
from jco.audit import services as audit
from jco.core import cache
from jco.core.timeutil import utcnow
from jco.documents.models import DocType, Document
from jco.meetings.models import AgendaItem, AgendaItemDocument, AgendaRequest, Meeting, RequestState
from jco.meetings.services import Purpose, add_agenda_item
from jco.operations.lifecycle import BUSINESS_CASE_STATES, REPORT_STATES, State
from jco.operations.models import Jco
from jco.permissions import Refused

MAX_TEXT = 2000
# States in which the operation's business case, or its final report, is before the working party.
BUSINESS_CASE_PURPOSE_STATES = BUSINESS_CASE_STATES | {State.PROPOSED}
REPORT_PURPOSE_STATES = REPORT_STATES | {State.DEBRIEFING, State.REPORT_PARTLY_ADOPTED}


# --- what may be asked for ------------------------------------------------------------------------

def meeting_refusal(meeting: Meeting, today: date) -> str | None:
    """Why no request can be made for the meeting, or None: it must be still to come, and its
    agenda not issued (a meeting notice recorded means the agenda has gone out)."""
    if meeting.start_date < today:
        return _("%(meeting)s has already taken place: choose a meeting still to come.",
                 meeting=_meeting_words(meeting))
    if meeting.notice_reference:
        return _("The agenda of %(meeting)s has been issued (%(notice)s): it takes no more requests. "
                 "Ask for a later meeting, or contact the Secretariat.",
                 meeting=_meeting_words(meeting), notice=meeting.notice_reference)
    return None


def coming_meetings(session: Session, today: date) -> list[Meeting]:
    """Meetings still to come whose agenda is not issued, soonest first: what a lead may ask for."""
    return list(session.scalars(
        select(Meeting).where(Meeting.start_date >= today, Meeting.notice_reference == "")
        .order_by(Meeting.start_date, Meeting.id)
    ))


def requestable_documents(session: Session, user, jco: Jco) -> list[Document]:
    """The operation's documents this reader may read, in the order the Council numbers them."""
    documents = session.scalars(select(Document).where(Document.jco_id == jco.id))
    return sorted((d for d in documents if permissions.can_view_document_details(user, d)),
                  key=lambda d: d.sort_key)


def on_agenda(session: Session, meeting_id: int, document_id: int) -> AgendaItem | None:
    """The item of that meeting's agenda that cites the document, if any."""
    return session.scalar(
        select(AgendaItem).join(AgendaItemDocument, AgendaItemDocument.agenda_item_id == AgendaItem.id)
        .where(AgendaItem.meeting_id == meeting_id, AgendaItemDocument.document_id == document_id).limit(1)
    )


def _meeting_words(meeting: Meeting) -> str:
    """The meeting for the reader, in the reader's language."""
    return f"{meeting.display_title} ({meeting.days_label})"


def _logged_words(meeting: Meeting) -> str:
    """The meeting as audit entries keep it: in English, whoever acts."""
    return f"{meeting.logged_title} ({meeting.logged_days})"


def _open_request(session: Session, meeting_id: int, document_id: int) -> AgendaRequest | None:
    return session.scalar(select(AgendaRequest).where(
        AgendaRequest.meeting_id == meeting_id, AgendaRequest.document_id == document_id,
        AgendaRequest.state == RequestState.REQUESTED.value))


# --- changes ----------------------------------------------------------------------------------------

def ask(session: Session, user, jco: Jco, *, meeting: Meeting | None, document: Document | None, note: str = "",
        today: date) -> AgendaRequest:
    """The lead asks for ``document`` on the agenda of ``meeting``."""
    if not permissions.can_request_agenda_place(user, jco):
        raise Refused(_("Only a delegate of the operation's lead or co-lead delegation may ask for a place "
                        "on the agenda, while the operation is open."))
    if meeting is None:
        raise Refused(_("Choose a meeting still to come."), status=422, field="meeting_id")
    if document is None or document.jco_id != jco.id:
        raise Refused(_("Choose a document of JCO %(jco)s.", jco=jco.title), status=422, field="document_id")
    if not permissions.can_view_document_details(user, document):
        raise Refused(_("Your account is not cleared to read %(reference)s, so it cannot ask for it to be put "
                        "on an agenda.", reference=document.reference), field="document_id")
    refusal = meeting_refusal(meeting, today)
    if refusal:
        raise Refused(refusal, status=422, field="meeting_id")
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise Refused(_("Keep the note under %(n)d characters.", n=MAX_TEXT), status=422, field="note")
    if on_agenda(session, meeting.id, document.id) is not None:
        raise Refused(_("%(reference)s is already on the agenda of %(meeting)s.", reference=document.reference,
                        meeting=_meeting_words(meeting)), status=422, field="document_id")
    if _open_request(session, meeting.id, document.id) is not None:
        raise Refused(_("A request for %(reference)s at %(meeting)s is already waiting for the Secretariat's "
                        "answer.", reference=document.reference, meeting=_meeting_words(meeting)),
                      status=422, field="document_id")
    request = AgendaRequest(jco_id=jco.id, document_id=document.id, meeting_id=meeting.id, requested_by_id=user.id,
                            organisation_id=user.organisation_id, note=note)
    session.add(request)
    session.flush()
    audit.record(session, user, "agenda_request.create", request, jco_id=jco.id,
                 summary=f"Asked for {document.reference} to be put on the agenda of {_logged_words(meeting)}",
                 after={"document": document.reference, "meeting_id": meeting.id, "note": note})
    return request


def _answerable(request: AgendaRequest, user) -> None:
    if not permissions.can_answer_agenda_requests(user):
        raise Refused(_("Only the Secretariat answers agenda requests."))
    if not request.is_open:
        raise Refused(_("This request has already been answered or withdrawn; reload the page."), status=422)


def item_for(request: AgendaRequest) -> tuple[str, str]:
    """The title and purpose of the agenda item an accepted request puts on the agenda.

    The title names the document by its type and reference, never its own title (which may be
    withheld from some readers of the agenda). The purpose lets the outcome move the operation
    only when the document is the one before the working party at this stage; the Secretariat
    may still change it in the planner.
    """
    jco, document = request.jco, request.document
    assert jco is not None and document is not None  # loaded with the request
    state = State(jco.state)
    revised = bool(document.revision)
    if document.doc_type == DocType.BUSINESS_CASE and state in BUSINESS_CASE_PURPOSE_STATES:
        purpose = Purpose.REVISION if revised and state is not State.PROPOSED else Purpose.BUSINESS_CASE
        what = "revised business case" if revised else "business case"
    elif document.doc_type == DocType.FINAL_REPORT and state in REPORT_PURPOSE_STATES:
        purpose, what = Purpose.FINAL_REPORT, "revised final report" if revised else "final report"
    else:
        purpose, what = Purpose.INFORMATION, document.doc_type_enum.label.lower()
    return f"JCO {jco.title}: {what} ({document.reference})", purpose


def accept(session: Session, request: AgendaRequest, user, *, today: date) -> AgendaItem:
    """Put the requested document on the agenda (through the agenda service) and tell the lead."""
    _answerable(request, user)
    meeting = request.meeting
    assert meeting is not None
    if meeting.start_date < today:
        raise Refused(_("%(meeting)s has already taken place: decline the request instead.",
                        meeting=_meeting_words(meeting)), status=422)
    item = on_agenda(session, meeting.id, request.document_id)
    if item is None:
        title, purpose = item_for(request)
        item = add_agenda_item(session, meeting, title=title, jco=request.jco, purpose=purpose,
                               documents=[request.document], actor=user)  # type: ignore[list-item]  # loaded
    request.state, request.agenda_item_id = RequestState.ACCEPTED.value, item.id
    request.answered_by_id, request.answered_at = user.id, utcnow()
    session.add(request)
    session.flush()
    audit.record(session, user, "agenda_request.accept", request, jco_id=request.jco_id,
                 summary=f"Accepted the request for {request.document.reference} at "
                         f"{_logged_words(meeting)}: put on the agenda as item {item.position}",
                 before={"state": RequestState.REQUESTED.value},
                 after={"state": request.state, "agenda_item_id": item.id})
    return item


def decline(session: Session, request: AgendaRequest, user, *, reason: str) -> AgendaRequest:
    """Decline with the reason the lead will read."""
    _answerable(request, user)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Give the lead delegation the reason for declining."), status=422, field="reason")
    if len(reason) > MAX_TEXT:
        raise Refused(_("Keep the reason under %(n)d characters.", n=MAX_TEXT), status=422, field="reason")
    request.state, request.reason = RequestState.DECLINED.value, reason
    request.answered_by_id, request.answered_at = user.id, utcnow()
    session.add(request)
    session.flush()
    meeting = request.meeting
    assert meeting is not None
    audit.record(session, user, "agenda_request.decline", request, jco_id=request.jco_id,
                 summary=f"Declined the request for {request.document.reference} at "
                         f"{_logged_words(meeting)}: {reason}",
                 before={"state": RequestState.REQUESTED.value}, after={"state": request.state, "reason": reason})
    return request


def withdraw(session: Session, request: AgendaRequest, user) -> AgendaRequest:
    """The lead takes back a request the Secretariat has not answered yet."""
    jco = request.jco
    assert jco is not None
    if not permissions.leads_jco(user, jco):
        raise Refused(_("Only a delegate of the operation's lead or co-lead delegation may withdraw its request."))
    if not request.is_open:
        raise Refused(_("This request has already been answered or withdrawn; reload the page."), status=422)
    request.state = RequestState.WITHDRAWN.value
    session.add(request)
    session.flush()
    audit.record(session, user, "agenda_request.withdraw", request, jco_id=request.jco_id,
                 summary=f"Withdrew the request for {request.document.reference} at "
                         f"{_logged_words(request.meeting)}",
                 before={"state": RequestState.REQUESTED.value}, after={"state": request.state})
    return request


# --- what the pages read ------------------------------------------------------------------------------

def _loaded():
    return (selectinload(AgendaRequest.jco).selectinload(Jco.participants),
            selectinload(AgendaRequest.document), selectinload(AgendaRequest.meeting),
            selectinload(AgendaRequest.organisation))


def load_request(session: Session, request_id: int) -> AgendaRequest | None:
    return session.scalar(select(AgendaRequest).where(AgendaRequest.id == request_id).options(*_loaded()))


def requests_of_jco(session: Session, jco_id: int) -> list[AgendaRequest]:
    """Every request about the operation, newest first."""
    return list(session.scalars(
        select(AgendaRequest).where(AgendaRequest.jco_id == jco_id).options(*_loaded())
        .order_by(AgendaRequest.requested_at.desc(), AgendaRequest.id.desc())
    ))


def open_requests_for_meeting(session: Session, meeting_id: int) -> list[AgendaRequest]:
    """The requests waiting for an answer at one meeting, oldest first (the planner)."""
    return list(session.scalars(
        select(AgendaRequest).where(AgendaRequest.meeting_id == meeting_id,
                                    AgendaRequest.state == RequestState.REQUESTED.value)
        .options(*_loaded()).order_by(AgendaRequest.requested_at, AgendaRequest.id)
    ))


def waiting(session: Session, today: date) -> list[AgendaRequest]:
    """Requests waiting for the Secretariat's answer at meetings not yet begun, soonest meeting first."""
    return list(session.scalars(
        select(AgendaRequest).join(Meeting, Meeting.id == AgendaRequest.meeting_id)
        .where(AgendaRequest.state == RequestState.REQUESTED.value, Meeting.start_date >= today)
        .options(*_loaded()).order_by(Meeting.start_date, AgendaRequest.requested_at, AgendaRequest.id)
    ))


def pending_meetings(session: Session, jco_ids: list[int], today: date) -> dict[int, Meeting]:
    """For each operation, the soonest coming meeting it has a request waiting at (one query)."""
    found: dict[int, Meeting] = {}
    if not jco_ids:
        return found
    for jco_id, meeting in session.execute(
        select(AgendaRequest.jco_id, Meeting).join(Meeting, Meeting.id == AgendaRequest.meeting_id)
        .where(AgendaRequest.jco_id.in_(jco_ids), AgendaRequest.state == RequestState.REQUESTED.value,
               Meeting.start_date >= today)
        .order_by(Meeting.start_date.desc(), Meeting.id.desc())
    ):
        found[jco_id] = meeting
    return found


@dataclass
class JcoRequests:
    """What the operation's page shows of agenda requests to a reader who may see them."""

    requests: list[AgendaRequest] = field(default_factory=list)
    may_ask: bool = False
    meetings: list[Meeting] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


def for_jco_page(session: Session, user, jco: Jco, today: date, version: int | None = None) -> JcoRequests | None:
    """None when the reader may not see the operation's requests. The requests are the same for
    every reader who may: with the data version the page read, loaded once per version (only read
    afterwards); the lead's form adds two queries."""
    if not permissions.can_view_agenda_requests(user, jco):
        return None

    def load() -> list[AgendaRequest]:
        with cache.detached_reads(session) as own:
            return requests_of_jco(own, jco.id)

    found = JcoRequests(requests=cache.cached(session, ("jco_agenda_requests", jco.id), load, version=version))
    if permissions.can_request_agenda_place(user, jco):
        found.may_ask = True
        found.meetings = coming_meetings(session, today)
        found.documents = requestable_documents(session, user, jco)
    return found


def state_words(request: AgendaRequest) -> str:
    """How a request stands, in words for its reader."""
    state = request.state_enum
    if state is RequestState.REQUESTED:
        return _("Waiting for the Secretariat's answer")
    if state is RequestState.ACCEPTED:
        return _("Accepted: on the agenda")
    if state is RequestState.DECLINED:
        return _("Declined: %(reason)s", reason=request.reason)
    return _("Withdrawn")


def answered_words(request: AgendaRequest, reference: str, meeting: Meeting) -> str:
    """The change the lead reads on My page and in its digest."""
    if request.state == RequestState.ACCEPTED.value:
        return _("The Secretariat accepted the request: %(reference)s is on the agenda of %(meeting)s.",
                 reference=reference, meeting=_meeting_words(meeting))
    return _("The Secretariat declined the request for %(reference)s at %(meeting)s: %(reason)s",
             reference=reference, meeting=_meeting_words(meeting), reason=request.reason)

