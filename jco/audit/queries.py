"""What the change-log pages read: one page of entries, the choices of the filters, the things the entries name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from jco.accounts.models import Account
from jco.audit.models import AuditEntry
from jco.comments.models import Comment, CommentResponse, CommentRound
from jco.core.paging import Page, count_rows, in_range, window
from jco.deadlines.models import ManualDeadline
from jco.documents.models import Document
from jco.meetings.models import AgendaItem, Meeting
from jco.operations.models import Jco, Organisation


@dataclass(frozen=True)
class LogFilters:
    """What the global log is narrowed to; empty values narrow nothing."""

    operation: str = ""  # part of an operation's name and edition, any case
    account_id: int | None = None
    kind: str = ""  # an audit action, e.g. "agenda.outcome"
    date_from: date | None = None  # days in UTC, both included
    date_to: date | None = None


def actions(session: Session) -> list[str]:
    """The kinds of entry the log holds."""
    return list(session.scalars(select(AuditEntry.action).distinct()))


def actors(session: Session) -> list[Account]:
    """The accounts that made at least one entry, by name."""
    ids = select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()
    return list(session.scalars(select(Account).where(Account.id.in_(ids)).order_by(Account.name, Account.email)))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def entries_page(session: Session, page: int, per_page: int, *, jco_id: int | None = None,
                 filters: LogFilters | None = None) -> tuple[list[AuditEntry], Page]:
    """Newest first; ``page`` is clamped to the pages there are."""
    query = select(AuditEntry)
    if jco_id is not None:
        query = query.where(AuditEntry.jco_id == jco_id)
    f = filters or LogFilters()
    if f.operation:
        title = func.lower(Jco.name + " " + Jco.edition)
        query = query.where(AuditEntry.jco_id.in_(
            select(Jco.id).where(title.contains(f.operation.lower(), autoescape=True))))
    if f.account_id is not None:
        query = query.where(AuditEntry.actor_id == f.account_id)
    if f.kind:
        query = query.where(AuditEntry.action == f.kind)
    if f.date_from:
        query = query.where(AuditEntry.at >= _midnight(f.date_from))
    if f.date_to:
        query = query.where(AuditEntry.at < _midnight(f.date_to + timedelta(days=1)))
    total = count_rows(session, query)
    page = in_range(page, total, per_page)
    entries = session.scalars(window(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), page, per_page)).all()
    return list(entries), Page(items=[], total=total, page=page, per_page=per_page)


@dataclass
class Named:
    """The rows a page of entries names, read in a fixed number of queries whatever the page holds."""

    jcos: dict[int | None, Jco] = field(default_factory=dict)
    documents: dict[int | None, Document] = field(default_factory=dict)
    meetings: dict[int | None, Meeting] = field(default_factory=dict)
    agenda_items: dict[int | None, AgendaItem] = field(default_factory=dict)
    accounts: dict[int | None, Account] = field(default_factory=dict)
    # comment id -> (the delegation, the document's id)
    comments: dict[int, tuple[Organisation, int]] = field(default_factory=dict)
    responses: dict[int, int] = field(default_factory=dict)  # the lead's response id -> comment id
    rounds: dict[int, int] = field(default_factory=dict)  # comment round id -> document id
    deadlines: dict[int, str] = field(default_factory=dict)  # deadline id -> its title


def _ids(entries: list[AuditEntry], object_type: str) -> set[int]:
    return {e.object_id for e in entries if e.object_type == object_type and e.object_id}


def named(session: Session, entries: list[AuditEntry]) -> Named:
    found = Named()
    if not entries:
        return found
    if ids := _ids(entries, "comment_response"):
        found.responses = dict(session.execute(
            select(CommentResponse.id, CommentResponse.comment_id).where(CommentResponse.id.in_(ids))).all())
    if ids := _ids(entries, "comment") | set(found.responses.values()):
        for comment_id, organisation, document_id in session.execute(
            select(Comment.id, Organisation, CommentRound.document_id)
            .join(Organisation, Organisation.id == Comment.organisation_id)
            .join(CommentRound, CommentRound.id == Comment.round_id).where(Comment.id.in_(ids))
        ):
            found.comments[comment_id] = (organisation, document_id)
    if ids := _ids(entries, "comment_round"):
        found.rounds = dict(session.execute(
            select(CommentRound.id, CommentRound.document_id).where(CommentRound.id.in_(ids))).all())
    if ids := _ids(entries, "document") | {d for _, d in found.comments.values()} | set(found.rounds.values()):
        found.documents = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(ids)))}
    if ids := _ids(entries, "manual_deadline"):
        found.deadlines = dict(session.execute(
            select(ManualDeadline.id, ManualDeadline.title).where(ManualDeadline.id.in_(ids))).all())
    if ids := _ids(entries, "agenda_item"):
        found.agenda_items = {i.id: i for i in session.scalars(select(AgendaItem).where(AgendaItem.id.in_(ids)))}
    if ids := _ids(entries, "meeting") | {i.meeting_id for i in found.agenda_items.values()}:
        found.meetings = {m.id: m for m in session.scalars(select(Meeting).where(Meeting.id.in_(ids)))}
    if ids := {e.jco_id for e in entries if e.jco_id} | _ids(entries, "jco"):
        found.jcos = {j.id: j for j in session.scalars(select(Jco).where(Jco.id.in_(ids)))}
    if ids := {e.actor_id for e in entries if e.actor_id} | _ids(entries, "account"):
        found.accounts = {a.id: a for a in session.scalars(select(Account).where(Account.id.in_(ids)))}
    return found
