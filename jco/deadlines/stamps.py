"""Which operations a transaction changed, recorded with the change itself.

The data version (:mod:`jco.core.cache`) says *that* something changed; what is costly to compute
per operation — every deadline, the status board's rows — must know *which* operations changed, so
that after a comment on one operation the others are not computed again. Each transaction that
changes what those computations read writes, right after counting its change and under the same
lock, one row per operation it touched into ``deadline_stamp``: the operation's id and the new data
version. Row 0 stands for everything else those computations read (meetings, organisations,
deadlines of no operation): when it moves, everything is computed again. It is also the register's
birth mark: a database emptied and set up again writes a new row 0, so no process keeps what it
computed from the old one.

Stamps are data versions, and the lock on the version row orders the commits: a reader that has
taken into account every stamp up to *n* finds every later change with ``stamp > n``.

How each table reaches those computations is declared below, table by table; a test checks that
every table of the schema is declared, so a new table cannot be forgotten. Anything unsure counts as
"everything" — too much is computed again, never too little.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import BigInteger, Column, Integer, event, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from jco.core import cache
from jco.core.cache import first_version

EVERYTHING = 0


class DeadlineStamp(SQLModel, table=True):
    """The data version of the last change to an operation (``jco_id``), or to everything else (0)."""

    __tablename__ = "deadline_stamp"
    jco_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    stamp: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))


# --- what each table's rows change -----------------------------------------------------------------

# Rows that name their operation in ``jco_id``.
BY_OPERATION = frozenset({"participant", "document", "comment_round", "agenda_item", "jco_event", "manual_deadline"})
# Rows that reach an operation through another row: (column, table whose row names the operation).
THROUGH = {"comment": ("round_id", "comment_round"), "agenda_item_document": ("agenda_item_id", "agenda_item")}
# Rows read for every operation alike.
GLOBAL = frozenset({"meeting", "organisation", "manual_deadline_owner"})
# Rows neither the deadlines nor the status board read.
NOT_READ = frozenset({
    "account", "action_plan_action", "agenda_request", "api_token", "audit_entry", "calendar_sequence",
    "comment_response", "commodity", "data_version", "deadline_stamp", "digest_sent", "digest_setting",
    "funded_project", "import_stash", "jco_commodity", "jco_project", "jco_transport_mode", "login_throttle",
    "page_visit", "reminder_sent", "result", "result_total", "search_entry", "stored_file", "subject_code",
    "subject_file", "transport_mode", "watch", "web_session",
})

_TOUCHED = "jco_stamps_touched"  # set of operation ids (EVERYTHING for all)
_THROUGH = "jco_stamps_through"  # {table: set of ids} to look up at commit


def _touched(session: Session) -> set[int]:
    return session.info.setdefault(_TOUCHED, set())


def _values(session: Session, obj, column: str) -> set[int | None]:
    """The column's value now (loaded if it had expired) and, for a changed row, before."""
    with session.no_autoflush:
        values = {getattr(obj, column)}
    values.update(inspect(obj).attrs[column].history.deleted or ())
    return values


def _note(session: Session, obj, *, new: bool) -> None:
    table = obj.__table__.name
    if table in NOT_READ:
        return
    touched = _touched(session)
    if table == "jco":
        touched.add(obj.id)
    elif table in BY_OPERATION:
        ids = _values(session, obj, "jco_id")
        if table == "manual_deadline" and None in ids:
            touched.add(EVERYTHING)  # a deadline of no operation, or one moved from or to none
        touched.update(i for i in ids if i is not None)
        if table == "document" and not new:
            _note_citing_documents(session, [obj.id])
    elif table in THROUGH:
        column, _ = THROUGH[table]
        session.info.setdefault(_THROUGH, {}).setdefault(table, set()).update(
            i for i in _values(session, obj, column) if i is not None)
    elif table in GLOBAL:
        if new or obj in session.deleted or session.is_modified(obj, include_collections=False):
            touched.add(EVERYTHING)
    else:  # a table nobody declared: assume the worst
        touched.add(EVERYTHING)


def _note_citing_documents(session: Session, document_ids: list[int]) -> None:
    """A document's reference or revision shows in the deadlines of the operations whose rounds and
    agenda items cite it, which may not be its own: looked up before the flush changes them."""
    from jco.comments.models import CommentRound
    from jco.meetings.models import AgendaItem, AgendaItemDocument

    with session.no_autoflush:
        touched = _touched(session)
        touched.update(session.scalars(select(CommentRound.jco_id).where(CommentRound.document_id.in_(document_ids))))
        touched.update(i for i in session.scalars(
            select(AgendaItem.jco_id).join(AgendaItemDocument, AgendaItemDocument.agenda_item_id == AgendaItem.id)
            .where(AgendaItemDocument.document_id.in_(document_ids))
        ) if i is not None)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context, instances) -> None:
    # Changed and deleted rows, while their old rows (and what cites them) are still there.
    for obj in list(session.dirty) + list(session.deleted):
        if hasattr(obj, "__table__"):
            _note(session, obj, new=False)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    # New rows, now that they have their ids.
    for obj in session.new:
        if hasattr(obj, "__table__"):
            _note(session, obj, new=True)


@event.listens_for(Session, "do_orm_execute")
def _bulk(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        mapper = state.bind_mapper
        if mapper is None or mapper.local_table.name not in NOT_READ:
            _touched(state.session).add(EVERYTHING)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_THROUGH, None)


@cache.on_count
def _write_stamps(session: Session, version: int, everything: bool) -> None:
    touched = session.info.pop(_TOUCHED, set())
    through = session.info.pop(_THROUGH, {})
    if everything:
        touched.add(EVERYTHING)
    if EVERYTHING not in touched:
        from jco.comments.models import CommentRound
        from jco.meetings.models import AgendaItem

        parents = {"comment_round": CommentRound, "agenda_item": AgendaItem}
        for table, ids in through.items():
            model = parents[THROUGH[table][1]]
            touched.update(i for i in session.scalars(select(model.jco_id).where(model.id.in_(ids))) if i is not None)
    if touched:
        write(session.connection(), touched, version)


@cache.on_bump
def _everything(connection, version: int) -> None:
    write(connection, [EVERYTHING], version)


def write(connection, jco_ids: Iterable[int], stamp: int) -> None:
    """Stamp these operations (EVERYTHING for all) with ``stamp``: one statement."""
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(DeadlineStamp.__table__).values([{"jco_id": i, "stamp": stamp} for i in sorted(set(jco_ids))])
    connection.execute(statement.on_conflict_do_update(index_elements=["jco_id"], set_={"stamp": statement.excluded.stamp}))


def ensure_row(connection) -> None:
    """Row 0, the register's birth mark (see the module's docstring), if it is missing."""
    if connection.scalar(select(DeadlineStamp.stamp).where(DeadlineStamp.jco_id == EVERYTHING)) is None:
        write(connection, [EVERYTHING], first_version())
