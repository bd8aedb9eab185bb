"""The API's reads: a fixed number of queries per request, whatever the amount of data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, func
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from jco.comments.models import Comment, CommentRound
from jco.core.paging import count_rows, window
from jco.documents.models import Document, StoredFile
from jco.documents.queries import document_order
from jco.documents.references import DocumentReference
from jco.meetings.models import AgendaItem, Meeting
from jco.operations import queries as register
from jco.operations.models import Commodity, Jco, Organisation, Participant, Result, Role

# Newest document first; within a document, the order of references.DocumentReference.sort_key:
# the document, then its addenda, then its corrigenda (each by number), every part by revision.
# The one document order (jco.documents.references), newest families first.
DOCUMENT_ORDER = (*document_order(newest_families_first=True), Document.id)
MEETING_ORDER = (Meeting.start_date, Meeting.id)
REGISTER_ROWS = (selectinload(Jco.participants).selectinload(Participant.organisation), selectinload(Jco.commodities))


def page(session: Session, query: Select, order_by, number: int, per_page: int, options=()) -> tuple[list, int]:
    """One page of ``query``'s rows, and how many rows there are on all pages."""
    total = count_rows(session, query)
    items = list(session.scalars(window(query.order_by(*order_by).options(*options), number, per_page)))
    return items, total


def comment_rounds(session: Session, jco_id: int) -> list[tuple[CommentRound, Document]]:
    return [tuple(row) for row in session.execute(
        select(CommentRound, Document).join(Document, Document.id == CommentRound.document_id)
        .where(CommentRound.jco_id == jco_id).order_by(CommentRound.deadline, CommentRound.id)
    )]


def result_labels(session: Session, results: list[Result]) -> tuple[dict[int, Organisation], dict[int, str]]:
    """The organisations (by id) and commodity names (by id) that ``results`` refer to."""
    organisations: dict[int, Organisation] = {o.id: o for o in session.scalars(select(Organisation).where(  # type: ignore[misc]  # loaded rows have ids
        Organisation.id.in_({r.organisation_id for r in results if r.organisation_id})))}
    commodities: dict[int, str] = dict(session.execute(
        select(Commodity.id, Commodity.name).where(Commodity.id.in_({r.commodity_id for r in results}))).all())
    return organisations, commodities


def documents(*, jco_id: int | None, reference: DocumentReference | None, doc_type: str | None) -> Select:
    query = select(Document)
    if jco_id:
        query = query.where(Document.jco_id == jco_id)
    if reference is not None:
        # The stored reference is the parser's canonical text: one spelling per document and version.
        query = query.where(Document.reference == reference.format())
    if doc_type:
        query = query.where(Document.doc_type == doc_type)
    return query


def load_document(session: Session, document_id: int) -> Document | None:
    return session.scalar(
        select(Document).where(Document.id == document_id)
        .options(selectinload(Document.subject_codes), selectinload(Document.jco))
    )


def family(session: Session, document: Document) -> list[Document]:
    """The document's family (base, revisions, addenda, corrigenda) in the references' order."""
    return sorted(session.scalars(select(Document).where(
        Document.prefix == document.prefix, Document.number == document.number, Document.year == document.year)),
        key=lambda d: d.sort_key)


def file_metadata(session: Session, file_id: int):
    """filename, size, media_type and sha256 — not the bytes, which stay put until someone downloads them."""
    return session.execute(
        select(StoredFile.filename, StoredFile.size, StoredFile.media_type, StoredFile.sha256)
        .where(StoredFile.id == file_id)
    ).one()


def stored_file(session: Session, file_id: int) -> StoredFile | None:
    return session.get(StoredFile, file_id)


def meetings(*, body: str | None, from_: date | None, until: date | None) -> Select:
    query = select(Meeting)
    if body:
        query = query.where(Meeting.body == body)
    if from_:
        query = query.where(Meeting.end_date >= from_)
    if until:
        query = query.where(Meeting.start_date <= until)
    return query


def load_meeting(session: Session, meeting_id: int) -> Meeting | None:
    return session.scalar(
        select(Meeting).where(Meeting.id == meeting_id).options(
            selectinload(Meeting.items).selectinload(AgendaItem.jco),
            selectinload(Meeting.items).selectinload(AgendaItem.documents),
        )
    )


def participation(session: Session, filters: register.RegisterFilters) -> tuple[int, list[dict]]:
    """How many JCOs match ``filters``, and per organisation taking part in them: its JCOs by role."""
    jco_ids = register.filtered(filters).with_only_columns(Jco.id)
    rows = session.execute(
        select(Organisation, Participant.role, func.count())
        .join(Participant, Participant.organisation_id == Organisation.id)
        .where(Participant.jco_id.in_(jco_ids))
        .group_by(Organisation.id, Participant.role)
    ).all()
    counts: dict[int, dict] = {}
    for org, role, count in rows:
        entry = counts.setdefault(org.id, {"organisation": org, **{r.value: 0 for r in Role}, "total": 0})
        if role in entry:
            entry[role] += count
        # A JCO lists an organisation once (one role), so the roles add up to its JCOs.
        entry["total"] += count
    total = session.scalar(select(func.count()).select_from(jco_ids.subquery())) or 0
    return total, sorted(counts.values(), key=lambda e: (-e["total"], e["organisation"].name))


def comment_id(session: Session, round_id: int, organisation_id: int | None) -> int | None:
    """The id of the delegation's comment on the round, if it has sent one."""
    return session.scalar(select(Comment.id).where(
        Comment.round_id == round_id, Comment.organisation_id == organisation_id))
