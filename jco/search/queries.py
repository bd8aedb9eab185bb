"""Search: what matches, ranked, grouped by kind, and only what the reader may see.

Access is never decided here: documents pass the SQL form of the clearance rule the results and
dashboards use (:func:`jco.permissions.markings_cleared_for`), comments the same and then
:func:`jco.permissions.can_see_comment` one by one. Counts are taken after those filters, so
something the reader may not see changes neither the results nor their number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import Boolean, Select, String, bindparam, column, func, literal_column, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.expression import ColumnElement
from sqlmodel import Session, select

from jco import permissions
from jco.comments.models import Comment, CommentRound
from jco.documents.models import Document
from jco.documents.references import DocumentReference, InvalidReference
from jco.meetings.models import Meeting
from jco.operations.models import Jco
from jco.search.models import FTS_TABLE, TSVECTOR_SQL, Kind, SearchEntry
from jco.search.text import fts5_query, highlight, query_words, snippet, tsquery

PER_KIND = 20
# Comments are checked one by one after the query; this bounds that work, whatever matches.
MAX_COMMENT_CANDIDATES = 500


class entry_matches(ColumnElement):  # noqa: N801 - used like a SQL function
    """True for the search entries that hold every word (each as a prefix), on either engine."""

    type = Boolean()
    inherit_cache = False  # the words are bound at compile time

    def __init__(self, words: list[str]):
        self.words = list(words)


@compiles(entry_matches, "sqlite")
def _sqlite_matches(element, compiler, **kw):
    q = compiler.process(bindparam(None, fts5_query(element.words), type_=String, unique=True), **kw)
    return f"search_entry.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH {q})"


@compiles(entry_matches, "postgresql")
def _postgres_matches(element, compiler, **kw):
    q = compiler.process(bindparam(None, tsquery(element.words), type_=String, unique=True), **kw)
    # Written as the GIN index's expression is, so the planner can use it.
    return f"{TSVECTOR_SQL.replace('terms', 'search_entry.terms')} @@ to_tsquery('simple', {q})"


def matching_ids(kind: Kind, query: str) -> Select:
    """The ids of this kind's objects that match ``query`` (the register's name filter uses it)."""
    words = query_words(query)
    if not words:
        return select(SearchEntry.ref_id).where(SearchEntry.kind == kind, literal_column("1") == 0)
    return select(SearchEntry.ref_id).where(SearchEntry.kind == kind, entry_matches(words))


def _ranked(session: Session, words: list[str]) -> tuple[Select, ColumnElement]:
    """A query over matching entries with a rank (higher is better) for each engine."""
    if session.get_bind().dialect.name == "postgresql":
        tsq = func.to_tsquery(literal_column("'simple'"), tsquery(words))
        rank: ColumnElement[float] = func.ts_rank(func.to_tsvector(literal_column("'simple'"), SearchEntry.terms), tsq)
        return select(SearchEntry).where(entry_matches(words)), rank
    fts = table(FTS_TABLE, column("rowid"))
    whole: ColumnElement[str] = literal_column(FTS_TABLE)  # FTS5 reads MATCH and bm25() on the table's own name
    query = (
        select(SearchEntry)
        .select_from(fts)
        .join(SearchEntry, SearchEntry.id == fts.c.rowid)
        .where(whole.op("MATCH")(fts5_query(words)))
    )
    rank = -func.bm25(whole)
    return query, rank


@dataclass
class Hit:
    kind: Kind
    ref_id: int
    title: Markup
    snippet: Markup = Markup("")
    detail: str = ""  # a reference, a date: what tells two hits apart at a glance
    link_id: int | None = None  # the page to open, when not the object's own (a comment's round)


@dataclass
class Group:
    kind: Kind
    hits: list[Hit] = field(default_factory=list)
    total: int = 0


@dataclass
class SearchResults:
    query: str
    words: list[str]
    groups: list[Group]

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


def _entries(session, words, kind: Kind, *, where=(), joins=(), limit=PER_KIND):
    query, rank = _ranked(session, words)
    query = query.where(SearchEntry.kind == kind)
    for target, on in joins:
        query = query.join(target, on)
    query = query.where(*where)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.add_columns(rank.label("rank")).order_by(literal_column("rank").desc(),
                                                                          SearchEntry.ref_id).limit(limit)).all()
    return [row[0] for row in rows], total


def _hit(entry: SearchEntry, words, detail="") -> Hit:
    return Hit(Kind(entry.kind), entry.ref_id, highlight(entry.title, words), snippet(entry.body, words), detail)


def _jcos(session, words) -> Group:
    entries, total = _entries(session, words, Kind.JCO)
    return Group(Kind.JCO, [_hit(e, words) for e in entries], total)


def _reference(query: str) -> DocumentReference | None:
    try:
        return DocumentReference.parse(query)
    except (InvalidReference, ValueError):
        return None


def _documents(session, user, query: str, words) -> Group:
    """By reference first (any reader sees that a document exists), then by title and file text,
    for documents whose marking the reader is cleared for."""
    cleared = permissions.markings_cleared_for(user)
    hits: list[Hit] = []
    found: list[int] = []
    ref = _reference(query)
    if ref is not None:
        family = session.scalars(
            select(Document).where(Document.prefix == ref.prefix, Document.number == ref.number,
                                   Document.year == ref.year)
        ).all()
        exact = str(ref)
        for doc in sorted(family, key=lambda d: (d.reference != exact, d.sort_key)):
            found.append(doc.id)
            hits.append(Hit(Kind.DOCUMENT, doc.id, Markup("%s") % permissions.document_title_for(user, doc),
                            detail=doc.reference))
    if not words:
        return Group(Kind.DOCUMENT, hits, len(hits))
    entries, total = _entries(
        session, words, Kind.DOCUMENT,
        joins=[(Document, Document.id == SearchEntry.ref_id)],
        where=[Document.marking.in_(cleared), Document.id.not_in(found)],
        limit=max(PER_KIND - len(hits), 0),
    )
    references = dict(session.execute(
        select(Document.id, Document.reference).where(Document.id.in_([e.ref_id for e in entries]))).all())
    hits += [_hit(e, words, references.get(e.ref_id, "")) for e in entries]
    return Group(Kind.DOCUMENT, hits, len(found) + total)


def _meetings(session, words) -> Group:
    entries, total = _entries(session, words, Kind.MEETING)
    meetings = {m.id: m for m in session.scalars(select(Meeting).where(Meeting.id.in_([e.ref_id for e in entries])))}
    hits = []
    for entry in entries:
        meeting = meetings[entry.ref_id]
        hit = _hit(entry, words, meeting.days_label)
        if not meeting.title:  # the entry keeps the body's English name; the reader gets it in their language
            hit.title = highlight(meeting.display_title, words)
        hits.append(hit)
    return Group(Kind.MEETING, hits, total)


def _comments(session, user, words) -> Group:
    cleared = permissions.markings_cleared_for(user)
    entries, _ = _entries(
        session, words, Kind.COMMENT,
        joins=[(Comment, Comment.id == SearchEntry.ref_id), (CommentRound, CommentRound.id == Comment.round_id),
               (Document, Document.id == CommentRound.document_id)],
        where=[Document.marking.in_(cleared)],
        limit=MAX_COMMENT_CANDIDATES,
    )
    comments = {
        c.id: c for c in session.scalars(
            select(Comment).where(Comment.id.in_([e.ref_id for e in entries])).options(selectinload(Comment.organisation)))
    }
    rounds = {
        r.id: r for r in session.scalars(
            select(CommentRound).where(CommentRound.id.in_({c.round_id for c in comments.values()})).options(
                selectinload(CommentRound.jco).selectinload(Jco.participants), selectinload(CommentRound.document)))
    }
    visible = [
        e for e in entries
        if permissions.can_see_comment(user, comments[e.ref_id], rounds[comments[e.ref_id].round_id])
    ]
    hits = []
    for entry in visible[:PER_KIND]:
        round_ = rounds[comments[entry.ref_id].round_id]
        hit = _hit(entry, words, f"{round_.jco.title}, {round_.document.reference}")
        hit.link_id = round_.id
        hits.append(hit)
    return Group(Kind.COMMENT, hits, len(visible))


def search(session: Session, user, query: str) -> SearchResults:
    """What ``user`` may see that matches ``query``, by kind. The caller has checked can_view."""
    query = " ".join((query or "").split())[:200]
    words = query_words(query)
    if not words:
        return SearchResults(query, words, [])
    groups = [
        _jcos(session, words),
        _documents(session, user, query, words),
        _meetings(session, words),
        _comments(session, user, words),
    ]
    return SearchResults(query, words, [g for g in groups if g.total])

