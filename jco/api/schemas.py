"""The shapes of /api/v1: query strings, request bodies and responses, each declared once.

Requests are validated with these models (jco.api.contract) and the OpenAPI document is generated
from them, so what the document promises is what the API checks and sends. Response models are
built from rows by their ``of`` constructors; whatever the pages withhold from an account, these
withhold too, because they ask the same predicates of jco.permissions.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Annotated, Literal

from flask import request, url_for
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from jco import permissions
from jco.comments.services import MAX_COMMENT_LENGTH
from jco.core.paging import page_count
from jco.core.security import MAX_ID
from jco.core.text import N_
from jco.deadlines.rules import Kind, Status
from jco.documents.models import DocType, Marking
from jco.meetings.models import Outcome
from jco.operations.frameworks import FILTER_CHOICES, FRAMEWORKS
from jco.operations.lifecycle import Body, State
from jco.operations.models import JcoKind, OrgKind, Role
from jco.operations.queries import DEFAULT_SORT, SORTS

if TYPE_CHECKING:
    from jco.accounts.models import Account
    from jco.comments.models import Comment as CommentRow
    from jco.comments.models import CommentRound as RoundRow
    from jco.deadlines.rules import Deadline as DeadlineRule
    from jco.documents.models import Document as DocumentRow
    from jco.meetings.models import AgendaItem as AgendaItemRow
    from jco.meetings.models import Meeting as MeetingRow
    from jco.operations.models import Jco, JcoEvent
    from jco.operations.models import Organisation as OrganisationRow
    from jco.operations.models import Participant as ParticipantRow
    from jco.operations.models import Result as ResultRow_

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_PAGE = 10_000
MAX_RESULT_ROWS = 500
MAX_QUANTITY = 1_000_000_000_000

# Free text: something other than spaces, and no NUL (which PostgreSQL cannot store).
TEXT_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"
# Search text: anything but NUL, possibly empty.
SEARCH_PATTERN = r"^[^\x00]*$"
# Organisation codes: ISO 3166 alpha-2 for countries, short names for bodies (OLAF, DG-TAXUD).
CODE_PATTERN = r"^[A-Za-z][A-Za-z-]{1,15}$"
# Marked only: jco.api.contract translates them as it answers.
PATTERN_MESSAGES = {
    TEXT_PATTERN: N_("Must contain some text (and no NUL characters)."),
    SEARCH_PATTERN: N_("Must not contain NUL characters."),
    CODE_PATTERN: N_("Must be a country or body code such as LV or OLAF."),
}


# --- field types ------------------------------------------------------------------------------

def _as_utc(value: datetime) -> datetime:
    # SQLite hands datetimes back without their zone; they were stored in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _day(value: object) -> object:
    # Only YYYY-MM-DD: pydantic alone would also take timestamps and datetimes.
    if isinstance(value, str):
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("day", "Must be a date written YYYY-MM-DD.") from None
    return value


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]
Day = Annotated[date, BeforeValidator(_day)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ApiPath = Annotated[str, Field(description="Path of the resource in this API.")]
LocalTime = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$", description="Local time, HH:MM.")]
Code = Annotated[str, Field(pattern=CODE_PATTERN)]
SortOrder = Literal[tuple(SORTS)]  # type: ignore[valid-type]


def _hh_mm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


# --- requests ---------------------------------------------------------------------------------

class Query(BaseModel):
    """A query string: every parameter optional, an unknown one refused."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(Query):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1. A page after the last one is empty.")
    per_page: int = Field(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE,
                          description=f"Items per page (at most {MAX_PER_PAGE}).")


class RegisterQuery(Query):
    state: State | None = Field(None, description="Only JCOs in this life-cycle state.")
    lead: Annotated[str, Field(max_length=16, pattern=CODE_PATTERN)] | None = Field(
        None, description="Only JCOs led by this delegation or body (code, e.g. DE or OLAF).")
    year: Annotated[int, Field(ge=1950, le=2100)] | None = Field(
        None, description="Only JCOs of this operational year (actual start, else planned start).")
    goods: Id | None = Field(None, description="Only JCOs targeting this commodity (its id).")
    kind: JcoKind | None = Field(None, description="Only JCOs of this kind.")
    q: Annotated[str, Field(max_length=100, pattern=SEARCH_PATTERN)] | None = Field(
        None, description="Only JCOs matching every word (each as the start of a word, accents and case ignored) "
                          "in their name, edition (IV or 4), goods, lead or participants: the register's and the "
                          "search page's matching.")
    open: bool | None = Field(None, description="true: only operations still open (neither closed nor withdrawn).")
    framework: Literal[tuple(FILTER_CHOICES)] | None = Field(  # type: ignore[valid-type]
        None, description="ccwp (default): CCWP operations, which follow the working party's life cycle; related: "
                          "operations of other frameworks (WCO, Interpol, Frontex…); all; or one framework's code. "
                          "Charts always count CCWP operations only.")


class ListJcosQuery(RegisterQuery, PageQuery):
    # SortOrder is a Literal built at import, as above.
    sort: SortOrder = Field(DEFAULT_SORT, description="Order: name, -name, year, -year (newest first), kind, -kind, "  # type: ignore[valid-type]
                                                      "state, -state (in life-cycle order), updated (latest change first).")


class ListDocumentsQuery(PageQuery):
    jco: Id | None = Field(None, description="Only documents of this JCO (its id).")
    reference: Annotated[str, Field(max_length=200, pattern=SEARCH_PATTERN)] | None = Field(
        None, description="Only the document with exactly this Council reference (that version, that part), "
                          "in any form the register accepts, e.g. 6512/1/15 REV 1. An empty list when there is "
                          "none; 422 when the text cannot be read as a reference.")
    doc_type: DocType | None = Field(None, description="Only documents of this type.")


class ListMeetingsQuery(PageQuery):
    body: Body | None = Field(None, description="Only meetings of this body.")
    from_: Day | None = Field(None, alias="from", description="Only meetings ending on or after "
                                                                              "this day.")
    until: Day | None = Field(None, description="Only meetings starting on or before this day.")


class DeadlinesQuery(Query):
    from_: Day | None = Field(None, alias="from", description="Deadlines due on or after this "
                                                                              "day (default: today).")
    until: Day | None = Field(None, description="Deadlines due on or before this day "
                                                                "(default: no end).")


class Request(BaseModel):
    """A JSON body: JSON types as written (no "5" for 5), and no field the API does not know."""

    model_config = ConfigDict(extra="forbid", strict=True)


class CommentRequest(Request):
    # No pattern on the body: with this length a pattern makes the published schema very slow to
    # fuzz; blank text and NUL characters are refused with 422 instead.
    body: str = Field(min_length=1, max_length=MAX_COMMENT_LENGTH,
                      description="The delegation's written comment: some text, without NUL characters.")
    version: int = Field(ge=0, le=MAX_ID,
                         description="The version of the delegation's comment you read, 0 when you saw none. "
                                     "If the comment changed (or appeared) since, the answer is 409.")


class ResultRowRequest(Request):
    country: Code | None = Field(None, description="Where the seizure was made: a country or body code, or null.")
    commodity: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN,
                           description="What was seized, e.g. cigarettes. A new name joins the vocabulary.")
    quantity: float = Field(ge=0, le=MAX_QUANTITY, allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=30, pattern=TEXT_PATTERN, description="e.g. pieces, kg, litres.")


class ResultsRequest(Request):
    rows: list[ResultRowRequest] = Field(min_length=1, max_length=MAX_RESULT_ROWS)
    document_id: Id | None = Field(None, description="The final report (a document of this JCO) the rows come from.")
    replace: bool = Field(False, description="Replace the JCO's earlier result rows instead of adding to them.")


# --- responses --------------------------------------------------------------------------------

class Response(BaseModel):
    """A response shape: every field is always sent (null when empty), and nothing else."""

    model_config = ConfigDict(extra="forbid", validate_by_name=True, serialize_by_alias=True,
                              json_schema_serialization_defaults_required=True)


class ErrorDetail(Response):
    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    status: int = Field(description="The HTTP status, repeated.")
    message: str = Field(description="What went wrong, for a person to read.")
    fields: dict[str, str] | SkipJsonSchema[None] = Field(
        None, description="Problems by input field (query parameter or body path).")


class Error(Response):
    error: ErrorDetail


class Organisation(Response):
    code: str = Field(description="ISO 3166 alpha-2 code, or a body's code such as OLAF.")
    name: str
    kind: OrgKind

    @classmethod
    def of(cls, org: OrganisationRow) -> Organisation:
        return cls(code=org.code, name=org.name, kind=org.kind)


class JcoRef(Response):
    id: int
    title: str
    url: ApiPath

    @classmethod
    def of(cls, jco: Jco) -> JcoRef:
        return cls(id=jco.id, title=jco.title, url=url_for("api.get_jco", jco_id=jco.id))


class DocumentRef(Response):
    # A reference is never withheld, on the pages either; the title may be.
    id: int
    reference: str
    url: ApiPath

    @classmethod
    def of(cls, document: DocumentRow) -> DocumentRef:
        return cls(id=document.id, reference=document.reference,
                   url=url_for("api.get_document", document_id=document.id))


class MeetingRef(Response):
    id: int
    title: str
    start_date: date
    url: ApiPath

    @classmethod
    def of(cls, meeting: MeetingRow) -> MeetingRef:
        return cls(id=meeting.id, title=meeting.display_title, start_date=meeting.start_date,
                   url=url_for("api.get_meeting", meeting_id=meeting.id))


class Links(Response):
    next: str | None
    prev: str | None


class Paged(Response):
    page: int
    per_page: int
    total: int = Field(description="Items matching the filters, on all pages.")
    pages: int
    links: Links

    @staticmethod
    def meta(total: int, page: int, per_page: int) -> dict:
        """page, per_page, total, pages and links of one page of the current request's list."""
        pages = page_count(total, per_page)
        args = request.args.to_dict()

        def link(number: int) -> str:
            return url_for(request.endpoint, **{**(request.view_args or {}), **args, "page": number})

        return {"page": page, "per_page": per_page, "total": total, "pages": pages,
                "links": Links(next=link(page + 1) if page < pages else None,
                               prev=link(min(page - 1, pages)) if page > 1 else None)}


class JcoSummary(Response):
    id: int
    name: str
    edition: str
    title: str
    kind: JcoKind
    framework: Literal[tuple(FRAMEWORKS)] = Field(  # type: ignore[valid-type]
        description="Only EU_JCO and ASEM_JCO operations follow the CCWP life cycle; for the others, state is "
                    "the column's default and means nothing.")
    state: State
    state_label: str
    year: int | None
    planned_start: date | None
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None
    leads: list[Organisation]
    commodities: list[str]
    updated_at: UtcDateTime
    url: ApiPath

    @staticmethod
    def fields_of(jco: Jco) -> dict:
        """Needs participants (with organisations) and commodities loaded."""
        return dict(
            id=jco.id, name=jco.name, edition=jco.edition, title=jco.title, kind=jco.kind, framework=jco.framework,
            state=jco.state,
            state_label=State(jco.state).label, year=jco.year, planned_start=jco.planned_start,
            planned_end=jco.planned_end, actual_start=jco.actual_start, actual_end=jco.actual_end,
            leads=[Organisation.of(p.organisation) for p in jco.leads],
            commodities=sorted(c.name for c in jco.commodities), updated_at=jco.updated_at,
            url=url_for("api.get_jco", jco_id=jco.id),
        )

    @classmethod
    def of(cls, jco: Jco) -> JcoSummary:
        return cls(**cls.fields_of(jco))


class JcoPage(Paged):
    items: list[JcoSummary]


class Participant(Response):
    organisation: Organisation
    role: Role
    agency: str

    @classmethod
    def of(cls, participant: ParticipantRow) -> Participant:
        return cls(organisation=Organisation.of(participant.organisation), role=participant.role,
                   agency=participant.agency)


class HistoryEvent(Response):
    at: UtcDateTime = Field(description="When the step was recorded.")
    on: date | None = Field(description="The day the step happened, when known.")
    transition: str
    from_state: State
    to_state: State
    body: Body | None
    note: str
    actor: str | None = Field(description="Email of the account that recorded it.")
    meeting: MeetingRef | None
    document: DocumentRef | None

    @classmethod
    def of(cls, event: JcoEvent, actor_email: str | None, meeting: MeetingRow | None,
           document: DocumentRow | None) -> HistoryEvent:
        return cls(at=event.at, on=event.on, transition=event.transition, from_state=event.from_state,
                   to_state=event.to_state, body=event.body, note=event.note, actor=actor_email,
                   meeting=MeetingRef.of(meeting) if meeting else None,
                   document=DocumentRef.of(document) if document else None)


class CommentRound(Response):
    id: int
    deadline: date
    document: DocumentRef
    comments_url: ApiPath = Field(description="Where a delegation POSTs its comment.")

    @classmethod
    def of(cls, round_: RoundRow, document: DocumentRow) -> CommentRound:
        return cls(id=round_.id, deadline=round_.deadline, document=DocumentRef.of(document),
                   comments_url=url_for("api.submit_comment", round_id=round_.id))


class Action(Response):
    code: str
    title: str


class Project(Response):
    acronym: str
    name: str
    funded_by: str


class JcoDetail(JcoSummary):
    version: int = Field(description="Changes with every change of the JCO.")
    description: str
    report_prior_body: Body | None
    debriefing_date: date | None
    debriefing_place: str
    withdrawn_reason: str
    postponed_reason: str
    cancelled_reason: str
    report_next_body: Body | None = Field(description="The body a partly adopted final report awaits.")
    action: Action | None
    transport_modes: list[str]
    projects: list[Project]
    participants: list[Participant] = Field(description="Leads first, then co-leads, participants, observers.")
    history: list[HistoryEvent] = Field(description="Oldest first.")
    comment_rounds: list[CommentRound]
    documents_url: ApiPath

    @classmethod  # a detail is built from more than its summary (hence the override ignore)
    def of(cls, jco: Jco, participants: list[ParticipantRow], history: list, rounds: list) -> JcoDetail:  # type: ignore[override]
        return cls(
            **cls.fields_of(jco), version=jco.version, description=jco.description,
            report_prior_body=jco.report_prior_body, debriefing_date=jco.debriefing_date,
            debriefing_place=jco.debriefing_place, withdrawn_reason=jco.withdrawn_reason,
            postponed_reason=jco.postponed_reason, cancelled_reason=jco.cancelled_reason,
            report_next_body=jco.report_next_body,
            action=Action(code=jco.action.code, title=jco.action.title) if jco.action else None,
            transport_modes=sorted(m.name for m in jco.transport_modes),
            projects=[Project(acronym=p.acronym, name=p.name, funded_by=p.funded_by) for p in jco.projects],
            participants=[Participant.of(p) for p in participants],
            history=[HistoryEvent.of(*row) for row in history],
            comment_rounds=[CommentRound.of(r, d) for r, d in rounds],
            documents_url=url_for("api.list_documents", jco=jco.id),
        )


class DocumentSummary(Response):
    id: int
    reference: str = Field(description="Council reference, e.g. 6512/1/15 REV 1.")
    doc_type: DocType
    marking: Marking = Field(description="Empty for public documents.")
    title: str | None = Field(description="null when withheld from this account.")
    details_withheld: bool = Field(description="True for a classified document this account is not cleared "
                                               "for: its title, subject and file are not given.")
    jco_id: int | None
    has_file: bool
    file_withheld: bool = Field(description="The marking is above what this system may store: it holds no file.")
    url: ApiPath
    file_url: ApiPath | None

    @staticmethod
    def fields_of(document: DocumentRow, user: Account) -> dict:
        visible = permissions.can_view_document_details(user, document)
        return dict(
            id=document.id, reference=document.reference, doc_type=document.doc_type, marking=document.marking,
            title=document.title if visible else None, details_withheld=not visible, jco_id=document.jco_id,
            has_file=document.file_id is not None, file_withheld=document.file_withheld,
            url=url_for("api.get_document", document_id=document.id),
            file_url=url_for("api.get_document_file", document_id=document.id)
            if permissions.can_download_document(user, document) else None,
        )

    @classmethod
    def of(cls, document: DocumentRow, user: Account) -> DocumentSummary:
        return cls(**cls.fields_of(document, user))


class DocumentPage(Paged):
    items: list[DocumentSummary]


class SubjectCode(Response):
    series: str
    number: int
    year: int


class StoredFile(Response):
    filename: str
    size: int
    media_type: str
    sha256: str


class FamilyMember(Response):
    id: int
    reference: str
    marking: Marking
    url: ApiPath


class DocumentDetail(DocumentSummary):
    doc_date: date | None
    place: str | None
    original_language: str | None
    from_: str | None = Field(alias="from")
    to: str | None
    subject_codes: list[SubjectCode] = Field(description="Subject (file) codes; their numbers restart each year.")
    previous_reference: str | None
    made_public_on: date | None
    partially_public: bool
    jco: JcoRef | None
    file: StoredFile | None
    family: list[FamilyMember] = Field(description="The base document, its revisions, addenda and corrigenda.")

    @classmethod  # a detail is built from more than its summary (hence the override ignore)
    def of(cls, document: DocumentRow, user: Account, family: list[DocumentRow], stored) -> DocumentDetail:  # type: ignore[override]
        """``stored`` holds the file's metadata (filename, size, media_type, sha256), or None."""
        summary = DocumentSummary.fields_of(document, user)
        visible = not summary["details_withheld"]
        # Exactly what the document page leaves out for an account without the clearance.
        details = dict(
            doc_date=document.doc_date, place=document.place, original_language=document.original_language,
            from_=document.from_text, to=document.to_text, previous_reference=document.previous_reference,
            subject_codes=[SubjectCode(series=c.series, number=c.number, year=c.year)
                           for c in document.subject_codes],
        ) if visible else dict(doc_date=None, place=None, original_language=None, from_=None, to=None,
                               previous_reference=None, subject_codes=[])
        return cls(
            **summary, **details, made_public_on=document.made_public_on,
            partially_public=document.partially_public, jco=JcoRef.of(document.jco) if document.jco else None,
            file=StoredFile(filename=stored.filename, size=stored.size, media_type=stored.media_type,
                            sha256=stored.sha256) if stored and visible else None,
            family=[FamilyMember(id=d.id, reference=d.reference, marking=d.marking,
                                 url=url_for("api.get_document", document_id=d.id)) for d in family],
        )


class MeetingSummary(Response):
    id: int
    body: Body
    title: str
    start_date: date
    end_date: date
    start_time: LocalTime | None
    end_time: LocalTime | None
    timezone: str
    place: str
    notice_reference: str
    url: ApiPath

    @staticmethod
    def fields_of(meeting: MeetingRow) -> dict:
        return dict(
            id=meeting.id, body=meeting.body, title=meeting.display_title, start_date=meeting.start_date,
            end_date=meeting.end_date, start_time=_hh_mm(meeting.start_time), end_time=_hh_mm(meeting.end_time),
            timezone=meeting.timezone, place=meeting.place, notice_reference=meeting.notice_reference,
            url=url_for("api.get_meeting", meeting_id=meeting.id),
        )

    @classmethod
    def of(cls, meeting: MeetingRow) -> MeetingSummary:
        return cls(**cls.fields_of(meeting))


class MeetingPage(Paged):
    items: list[MeetingSummary]


class AgendaItem(Response):
    id: int
    position: int
    title: str
    purpose: str
    outcome: Outcome | None
    note: str
    jco: JcoRef | None
    documents: list[DocumentSummary]

    @classmethod
    def of(cls, item: AgendaItemRow, user: Account) -> AgendaItem:
        return cls(id=item.id, position=item.position, title=item.title, purpose=item.purpose,
                   outcome=item.outcome, note=item.note, jco=JcoRef.of(item.jco) if item.jco else None,
                   documents=[DocumentSummary.of(d, user) for d in item.documents])


class MeetingDetail(MeetingSummary):
    items: list[AgendaItem]

    @classmethod
    def of(cls, meeting: MeetingRow, user: Account) -> MeetingDetail:  # type: ignore[override]
        return cls(**cls.fields_of(meeting), items=[AgendaItem.of(i, user) for i in meeting.items])


class RoleCounts(Response):
    organisation: Organisation
    # One field per jco.operations.models.Role; a new role fails validation until it is added here.
    lead: int = Field(ge=0)
    co_lead: int = Field(ge=0)
    participant: int = Field(ge=0)
    observer: int = Field(ge=0)
    total: int = Field(description="JCOs in which it takes part, in any role.")


class Participation(Response):
    jcos: int = Field(description="JCOs matching the filters.")
    items: list[RoleCounts]


class DeadlineOwner(Response):
    organisation_id: int | None = Field(description="None: the Secretariat.")
    name: str
    met_on: date | None


class MeetingLabel(Response):
    id: int
    label: str
    url: ApiPath


class Deadline(Response):
    key: str = Field(description="Stable: the same deadline keeps its key (e.g. round:12).")
    kind: Kind
    title: str
    due: date
    status: Status = Field(description="For a delegate: its delegation's share; for others: the deadline as a "
                                       "whole (met when every owner met it, overdue when one is late).")
    overdue: bool
    met_on: date | None
    owners: list[DeadlineOwner]
    jco: JcoRef | None
    meeting: MeetingLabel | None
    documents: list[DocumentRef]
    round_id: int | None = Field(description="For written comments: the round to send them to.")
    note: str

    @classmethod
    def of(cls, deadline: DeadlineRule, organisation_id: int | None, today: date) -> Deadline:
        """The deadline as a delegation owes it (``organisation_id``), or as a whole (None)."""
        status = deadline.status_for(organisation_id, today) if organisation_id else deadline.status(today)
        return cls(
            key=deadline.key, kind=deadline.kind, title=deadline.title, due=deadline.due, status=status,
            overdue=status is Status.OVERDUE,
            met_on=deadline.met_on_for(organisation_id) if organisation_id else deadline.met_on(),
            owners=[DeadlineOwner(organisation_id=o.organisation_id, name=o.name,
                                  met_on=deadline.met_on_for(o.organisation_id)) for o in deadline.owners],
            jco=JcoRef(id=deadline.jco_id, title=deadline.jco_title,
                       url=url_for("api.get_jco", jco_id=deadline.jco_id)) if deadline.jco_id else None,
            meeting=MeetingLabel(id=deadline.meeting_id, label=deadline.meeting_label,
                                 url=url_for("api.get_meeting", meeting_id=deadline.meeting_id))
            if deadline.meeting_id else None,
            # References only: a classified title must not leave through the API.
            documents=[DocumentRef.of(d) for d in deadline.documents],
            round_id=int(deadline.key.rsplit(":", 1)[1]) if deadline.kind is Kind.COMMENTS else None,
            note=deadline.note,
        )


class Deadlines(Response):
    from_: date = Field(alias="from")
    until: date | None
    items: list[Deadline]


class Comment(Response):
    id: int
    round_id: int
    organisation: Organisation
    body: str
    late: bool = Field(description="Sent after the round's deadline.")
    submitted_at: UtcDateTime
    updated_at: UtcDateTime
    version: int

    @classmethod
    def of(cls, comment: CommentRow, org: OrganisationRow) -> Comment:
        return cls(id=comment.id, round_id=comment.round_id, organisation=Organisation.of(org), body=comment.body,
                   late=comment.late, submitted_at=comment.submitted_at, updated_at=comment.updated_at,
                   version=comment.version)


class Result(Response):
    id: int
    jco_id: int
    document_id: int | None
    country: str | None
    commodity: str
    quantity: float
    unit: str
    year: int | None

    @classmethod
    def of(cls, result: ResultRow_, org: OrganisationRow | None, commodity_name: str) -> Result:
        return cls(id=result.id, jco_id=result.jco_id, document_id=result.document_id,
                   country=org.code if org else None, commodity=commodity_name, quantity=result.quantity,
                   unit=result.unit, year=result.year)


class Results(Response):
    items: list[Result]
