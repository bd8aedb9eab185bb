"""Keeping search entries current: rebuilt in the flush that changes what they are made of.

A listener on every session's ``after_flush`` notes which operations, documents, meetings and
comments the flush touched (directly or through a participant, a subject code, an agenda item …)
and rewrites their entries on the same connection, so the index commits or rolls back with the
change. Writes that bypass the ORM (the synthetic generator's bulk copy) call :func:`rebuild`
or ``flask search reindex`` afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, event, insert, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlmodel import select

from jco.comments.models import Comment
from jco.core.dates import long_date
from jco.documents.models import Document, StoredFile, SubjectCode
from jco.meetings.models import AgendaItem, Meeting
from jco.operations.lifecycle import Body
from jco.operations.models import Commodity, Jco, JcoCommodity, Organisation, Participant, operation_title
from jco.search.extract import file_text
from jco.search.models import Kind, SearchEntry
from jco.search.text import edition_forms, terms

Keys = dict[Kind, set[int]]
_BATCH = 500


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = sorted(ids)
    for start in range(0, len(ids), _BATCH):
        yield ids[start:start + _BATCH]


# --- what each kind of entry says --------------------------------------------------------------

def _jco_entries(conn: Connection, ids: list[int]) -> list[dict]:
    people: dict[int, list[str]] = defaultdict(list)
    for jco_id, name, code, agency in conn.execute(
        select(Participant.jco_id, Organisation.name, Organisation.code, Participant.agency)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .where(Participant.jco_id.in_(ids))
        .order_by(Participant.jco_id, Participant.id)
    ):
        people[jco_id].append(f"{name} {code} {agency}".strip())
    goods: dict[int, list[str]] = defaultdict(list)
    for jco_id, name in conn.execute(
        select(JcoCommodity.jco_id, Commodity.name)
        .join(Commodity, Commodity.id == JcoCommodity.commodity_id)
        .where(JcoCommodity.jco_id.in_(ids))
        .order_by(Commodity.name)
    ):
        goods[jco_id].append(name)
    entries = []
    for jco_id, name, edition, description, others in conn.execute(
        select(Jco.id, Jco.name, Jco.edition, Jco.description, Jco.other_agencies).where(Jco.id.in_(ids))
    ):
        title = operation_title(name, edition)
        body = " · ".join(filter(None, [", ".join(goods[jco_id]), "; ".join(people[jco_id]), others, description]))
        entries.append({"kind": Kind.JCO, "ref_id": jco_id, "title": title, "body": body,
                        "terms": terms(name, edition_forms(edition), body)})
    return entries


def _document_entries(conn: Connection, ids: list[int]) -> list[dict]:
    codes: dict[int, list[str]] = defaultdict(list)
    for document_id, series, number in conn.execute(
        select(SubjectCode.document_id, SubjectCode.series, SubjectCode.number).where(SubjectCode.document_id.in_(ids))
    ):
        codes[document_id].append(f"{series} {number}")
    entries = []
    # A withheld file was never stored, so its text cannot be here (the outer join finds nothing).
    for document_id, reference, title, from_text, to_text, file_words in conn.execute(
        select(Document.id, Document.reference, Document.title, Document.from_text, Document.to_text,
               StoredFile.text)
        .outerjoin(StoredFile, StoredFile.id == Document.file_id)
        .where(Document.id.in_(ids))
    ):
        body = file_words or ""
        entries.append({"kind": Kind.DOCUMENT, "ref_id": document_id, "title": title, "body": body,
                        "terms": terms(reference, title, " ".join(codes[document_id]), from_text, to_text, body)})
    return entries


def _day_forms(day) -> str:
    """A date as people type it, in either language: 2015-10-20, 20/10/2015, 20 October 2015,
    October 2015, 20 octobre 2015."""
    spelled = " ".join(long_date(day, language) for language in ("en", "fr"))
    return f"{day.isoformat()} {day.day}/{day.month}/{day.year} {spelled}"


def _meeting_entries(conn: Connection, ids: list[int]) -> list[dict]:
    items: dict[int, list[str]] = defaultdict(list)
    for meeting_id, title, note in conn.execute(
        select(AgendaItem.meeting_id, AgendaItem.title, AgendaItem.note)
        .where(AgendaItem.meeting_id.in_(ids))
        .order_by(AgendaItem.meeting_id, AgendaItem.position)
    ):
        items[meeting_id].append(f"{title} {note}".strip())
    entries = []
    for meeting_id, body_code, title, start, end, place, notice in conn.execute(
        select(Meeting.id, Meeting.body, Meeting.title, Meeting.start_date, Meeting.end_date, Meeting.place,
               Meeting.notice_reference).where(Meeting.id.in_(ids))
    ):
        label = title or Body(body_code).label
        days = _day_forms(start) if start == end else f"{_day_forms(start)} {_day_forms(end)}"
        body = " · ".join(items[meeting_id])
        entries.append({"kind": Kind.MEETING, "ref_id": meeting_id, "title": label, "body": body,
                        "terms": terms(label, Body(body_code).label, place, notice, days, body)})
    return entries


def _comment_entries(conn: Connection, ids: list[int]) -> list[dict]:
    entries = []
    for comment_id, body, org_name, attachment in conn.execute(
        select(Comment.id, Comment.body, Organisation.name, StoredFile.text)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .outerjoin(StoredFile, StoredFile.id == Comment.file_id)
        .where(Comment.id.in_(ids))
    ):
        text = "\n".join(filter(None, [body, attachment]))
        entries.append({"kind": Kind.COMMENT, "ref_id": comment_id, "title": org_name, "body": text,
                        "terms": terms(org_name, text)})
    return entries


BUILDERS = {
    Kind.JCO: _jco_entries,
    Kind.DOCUMENT: _document_entries,
    Kind.MEETING: _meeting_entries,
    Kind.COMMENT: _comment_entries,
}


def refresh(conn: Connection, keys: Keys) -> None:
    """Rewrite the entries of these objects (deleting those whose object is gone)."""
    for kind, ids in keys.items():
        for chunk in _chunks(ids):
            conn.execute(delete(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.ref_id.in_(chunk)))
            rows = BUILDERS[kind](conn, chunk)
            if rows:
                conn.execute(insert(SearchEntry), rows)


def rebuild(conn: Connection) -> int:
    """Every entry anew, after reading the text of files stored before search existed."""
    for file_id, content, media_type in conn.execute(
        select(StoredFile.id, StoredFile.content, StoredFile.media_type).where(StoredFile.text == "")
    ).all():
        words = file_text(content, media_type)
        if words:
            conn.execute(StoredFile.__table__.update().where(StoredFile.id == file_id).values(text=words))
    conn.execute(delete(SearchEntry))
    keys: Keys = {
        Kind.JCO: set(conn.scalars(select(Jco.id))),
        Kind.DOCUMENT: set(conn.scalars(select(Document.id))),
        Kind.MEETING: set(conn.scalars(select(Meeting.id))),
        Kind.COMMENT: set(conn.scalars(select(Comment.id))),
    }
    refresh(conn, keys)
    return sum(len(ids) for ids in keys.values())


# --- what a flush touched ------------------------------------------------------------------------

def _value(obj, name: str):
    """An attribute as loaded or set, never loading it (a deleted row cannot be loaded)."""
    state = inspect(obj)
    if name in state.dict:
        return state.dict[name]
    return state.committed_state.get(name)


_DIRECT: dict[type, Kind] = {Jco: Kind.JCO, Document: Kind.DOCUMENT, Meeting: Kind.MEETING, Comment: Kind.COMMENT}
_THROUGH: dict[type, tuple[Kind, str]] = {Participant: (Kind.JCO, "jco_id"), SubjectCode: (Kind.DOCUMENT, "document_id"),
            AgendaItem: (Kind.MEETING, "meeting_id")}


def touched(conn: Connection, objects: Iterable) -> Keys:
    keys: Keys = defaultdict(set)
    renamed_orgs, renamed_goods = set(), set()
    for obj in objects:
        kind = _DIRECT.get(type(obj))
        if kind is not None:
            keys[kind].add(_value(obj, "id"))
        elif type(obj) in _THROUGH:
            kind, column = _THROUGH[type(obj)]
            keys[kind].add(_value(obj, column))
            # An agenda item moved to another meeting changes the old meeting's entry too.
            history = inspect(obj).attrs[column].history
            keys[kind].update(history.deleted or ())
        elif isinstance(obj, Organisation) and obj.id is not None:
            renamed_orgs.add(obj.id)
        elif isinstance(obj, Commodity) and obj.id is not None:
            renamed_goods.add(obj.id)
    if renamed_orgs:
        keys[Kind.JCO].update(conn.scalars(select(Participant.jco_id).where(Participant.organisation_id.in_(renamed_orgs))))
        keys[Kind.COMMENT].update(conn.scalars(select(Comment.id).where(Comment.organisation_id.in_(renamed_orgs))))
    if renamed_goods:
        keys[Kind.JCO].update(conn.scalars(select(JcoCommodity.jco_id).where(JcoCommodity.commodity_id.in_(renamed_goods))))
    return {kind: {i for i in ids if i is not None} for kind, ids in keys.items()}


_WATCHED = (*_DIRECT, *_THROUGH, Organisation, Commodity)


@event.listens_for(Session, "after_flush")
def _reindex(session: Session, _context) -> None:
    # After the flush new rows have ids, and new/dirty/deleted still list what it wrote.
    objects = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, _WATCHED)]
    if not objects:
        return
    conn = session.connection()
    keys = touched(conn, objects)
    if any(keys.values()):
        refresh(conn, keys)
