"""Result totals kept by the write that changes them: the dashboard's sums without reading results.

The dashboard charts results by year, commodity and unit, and by country, leaving out rows of
documents above the viewer's clearance and saying which rows come from public sources. On a
register of a million result rows, summing them anew after every change takes seconds. So
``result_total`` holds one row per (year, commodity, unit, country or body, marking of the cited
document, source) with the number of result rows and their summed quantity, and every flush that
adds, changes or deletes a result — or changes the marking of a document that results cite —
applies the difference on the same connection, so the totals commit or roll back with the change
(as :mod:`jco.search.index` keeps the search index).

- ORM writes (``session.add``, ``session.delete``, attribute changes) are seen in ``before_flush``
  with their old values.
- ORM bulk deletes (``session.execute(delete(Result).where(…))``, used to replace results) are
  seen in ``do_orm_execute``: the rows they are about to delete are summed first and taken away.
  A bulk UPDATE of results is refused: it would change totals that cannot be followed cheaply.
- Writes around the ORM (the synthetic generator's COPY, hand-written SQL, a migration) call
  :func:`rebuild`.

Two transactions may each insert the row of a new key at once; readers sum rows by key, so a
duplicate row is harmless, and a row whose count reaches zero is removed.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    Column,
    Float,
    Integer,
    String,
    and_,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, select

from jco.documents.models import Document
from jco.operations.models import Result, ResultSource


class ResultTotal(SQLModel, table=True):
    """The number and summed quantity of result rows sharing one key (see the module's docstring)."""

    __tablename__ = "result_total"
    id: int | None = Field(default=None, primary_key=True)
    year: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    commodity_id: int = Field(sa_column=Column(Integer, nullable=False))
    unit: str = Field(sa_column=Column(String(30), nullable=False))
    organisation_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    # The marking of the document the results cite; "" when they cite none.
    marking: str = Field(default="", sa_column=Column(String(30), nullable=False))
    source: str = Field(default=ResultSource.REPORT.value, sa_column=Column(String(10), nullable=False))
    rows: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    quantity: float = Field(default=0.0, sa_column=Column(Float, nullable=False))


KEY_COLUMNS = ("year", "commodity_id", "unit", "organisation_id", "marking", "source")
Key = tuple  # (year, commodity_id, unit, organisation_id, marking, source)
Deltas = dict[Key, list[float]]  # key -> [rows, quantity]


def _grouped(conn: Connection, where) -> Iterable[tuple]:
    """(key…, rows, quantity) of the results matching ``where``, from the base tables."""
    marking = func.coalesce(Document.marking, literal(""))
    return conn.execute(
        select(Result.year, Result.commodity_id, Result.unit, Result.organisation_id, marking.label("marking"),
               Result.source, func.count(), func.coalesce(func.sum(Result.quantity), 0.0))
        .select_from(Result).outerjoin(Document, Document.id == Result.document_id)
        .where(where)
        .group_by(Result.year, Result.commodity_id, Result.unit, Result.organisation_id, marking, Result.source)
    ).all()


def _key_clause(key: Key):
    clauses = []
    for name, value in zip(KEY_COLUMNS, key, strict=True):
        column = ResultTotal.__table__.c[name]
        clauses.append(column.is_(None) if value is None else column == value)
    return and_(*clauses)


def apply(conn: Connection, deltas: Deltas) -> None:
    """Add each key's (rows, quantity) difference to its total; totals that reach zero rows go."""
    table = ResultTotal.__table__
    for key, (rows, quantity) in sorted(deltas.items(), key=lambda item: repr(item[0])):
        if not rows and not quantity:
            continue
        changed = conn.execute(
            update(table).where(_key_clause(key))
            .values(rows=table.c.rows + int(rows), quantity=table.c.quantity + quantity)
        ).rowcount
        if not changed:
            conn.execute(insert(table).values(**dict(zip(KEY_COLUMNS, key, strict=True)), rows=int(rows),
                                              quantity=quantity))
        if rows < 0:
            conn.execute(delete(table).where(_key_clause(key), table.c.rows <= 0))


def _add(deltas: Deltas, rows: Iterable[tuple], sign: int) -> None:
    for *key, count, quantity in rows:
        pair = deltas.setdefault(tuple(key), [0, 0.0])
        pair[0] += sign * count
        pair[1] += sign * float(quantity or 0)


def rebuild(conn: Connection) -> int:
    """Every total anew from the results (after writes around the ORM); returns the number of keys."""
    conn.execute(delete(ResultTotal))
    rows = [dict(zip((*KEY_COLUMNS, "rows", "quantity"), row, strict=True)) for row in _grouped(conn, literal(True))]
    if rows:
        conn.execute(insert(ResultTotal), rows)
    return len(rows)


def recomputed(conn: Connection) -> dict[Key, tuple[int, float]]:
    """The totals as the results give them now (tests compare these with the kept ones)."""
    return {tuple(key): (count, float(quantity)) for *key, count, quantity in _grouped(conn, literal(True))}


def kept(conn: Connection) -> dict[Key, tuple[int, float]]:
    """The kept totals, summed by key."""
    table = ResultTotal.__table__
    columns = [table.c[name] for name in KEY_COLUMNS]
    return {tuple(key): (count, float(quantity)) for *key, count, quantity in conn.execute(
        select(*columns, func.sum(table.c.rows), func.sum(table.c.quantity)).group_by(*columns)
    ) if count}


# --- following the writes -----------------------------------------------------------------------

def _marking_now(conn: Connection, session: Session, document_id: int | None) -> str:
    """The marking a document will have once this flush is written (its object's, if loaded)."""
    if document_id is None:
        return ""
    document = session.identity_map.get(inspect(Document).identity_key_from_primary_key((document_id,)))
    if document is not None and "marking" in inspect(document).dict:
        return document.marking or ""
    return conn.scalar(select(Document.marking).where(Document.id == document_id)) or ""


@event.listens_for(Session, "before_flush")
def _follow_flush(session: Session, _context, _instances) -> None:
    added = [o for o in session.new if isinstance(o, Result)]
    changed = [o for o in session.dirty if isinstance(o, Result) and session.is_modified(o)]
    stored = [o.id for o in (*changed, *(o for o in session.deleted if isinstance(o, Result))) if o.id is not None]
    documents = [o for o in session.dirty if isinstance(o, Document) and o.id is not None
                 and inspect(o).attrs["marking"].history.deleted]
    if not (added or changed or stored or documents):
        return
    conn = session.connection()
    deltas: Deltas = {}
    # Rows as stored (the flush has not written yet): taken away, then added back as they will be.
    if stored:
        _add(deltas, _grouped(conn, Result.id.in_(stored)), -1)
    untouched = Result.id.not_in(stored) if stored else literal(True)
    for document in documents:  # its stored results move to the new marking
        for *stored_key, count, quantity in _grouped(conn, and_(Result.document_id == document.id, untouched)):
            _add(deltas, [(*stored_key, count, quantity)], -1)
            _add(deltas, [(*stored_key[:4], document.marking or "", stored_key[5], count, quantity)], +1)
    for result in (*changed, *added):
        key: Key = (result.year, result.commodity_id, result.unit, result.organisation_id,
               _marking_now(conn, session, result.document_id), result.source or ResultSource.REPORT.value)
        _add(deltas, [(*key, 1, result.quantity)], +1)
    apply(conn, deltas)


@event.listens_for(Session, "do_orm_execute")
def _follow_bulk(state) -> None:
    if not (state.is_delete or state.is_update):
        return
    mapper = state.bind_mapper
    if mapper is None or mapper.class_ is not Result:
        return
    if state.is_update:
        raise NotImplementedError("Change results through the ORM or delete and add them: a bulk UPDATE of "
                                  "results would leave the dashboard's totals behind (jco.dashboards.totals).")
    where = state.statement.whereclause
    conn = state.session.connection()
    deltas: Deltas = {}
    _add(deltas, _grouped(conn, where if where is not None else literal(True)), -1)
    apply(conn, deltas)
