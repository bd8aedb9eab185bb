"""Remembering what is costly to compute until the data changes.

The dashboard aggregates every operation, deadline and result of the register: on years of data
that takes seconds, while the data it is computed from changes a few times an hour. So results
are kept in a small per-process cache, keyed by what was asked *and* by the database's data
version: a counter in the one-row table ``data_version`` that every transaction which changes
domain data increases as its last statement before committing (the session events below;
bookkeeping tables, :data:`UNCOUNTED_TABLES`, do not count). A reader that sees version *n*
therefore sees every change counted in *n*; an entry computed at *n* is never served once *n* + 1
is committed, by any process on any host. Nothing is shared between processes, so several
stateless app servers stay correct without a cache server.

Writes that bypass the ORM session (the synthetic data generator's bulk copy, hand-written SQL)
call :func:`mark_changed` (or :func:`bump`) themselves; a time-to-live (``JCO_CACHE_SECONDS``,
default 300 s, 0 turns the cache off) bounds how stale anything else could get. Keys must hold
everything that changes the answer for the viewer, their clearance included; the reader's language
is added to every key here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from cachetools import TTLCache
from flask import Flask, current_app
from sqlalchemy import BigInteger, Column, event, update
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, select
from sqlmodel import Session as ModelSession

from jco.core.i18n import current_language

T = TypeVar("T")
_CHANGED = "jco_data_changed"
_EVERYTHING = "jco_everything_changed"
# Called with (session, new data version, everything) right after a transaction's change is
# counted, before it commits: what is kept per part of the data (jco.deadlines.store) marks the
# parts the transaction changed, under the same lock. ``everything`` is true when the transaction
# wrote around the session (mark_changed), so what changed is not known.
_ON_COUNT: list[Callable[[Session, int, bool], None]] = []


def on_count(hook: Callable[[Session, int, bool], None]) -> Callable[[Session, int, bool], None]:
    _ON_COUNT.append(hook)
    return hook


# Called with (connection, new data version) when a change made around the session is counted by
# hand (:func:`bump`): nothing tells what it touched.
_ON_BUMP: list[Callable[[Any, int], None]] = []


def on_bump(hook: Callable[[Any, int], None]) -> Callable[[Any, int], None]:
    _ON_BUMP.append(hook)
    return hook


class DataVersion(SQLModel, table=True):
    """One row (id 1): a counter that every committed change increases by one.

    It starts at the time of its creation in microseconds, not at 0: a database emptied and set up
    again (a test, a reinstall) must never show a running process a version it has cached
    figures for.
    """

    __tablename__ = "data_version"
    id: int = Field(default=1, primary_key=True)
    version: int = Field(default_factory=lambda: first_version(), sa_column=Column(BigInteger, nullable=False))


def first_version() -> int:
    return time.time_ns() // 1000


# Tables whose rows no cached value is computed from: bookkeeping that changes on every log-in,
# API call or calendar poll, which would otherwise empty every cache many times an hour. (Accounts
# are here because what a cached value shows a reader depends only on the reader's clearance,
# organisation and role, which are part of the keys; audit entries always come with the change
# they describe.)
UNCOUNTED_TABLES = frozenset(
    {"account", "api_token", "audit_entry", "calendar_sequence", "data_version", "import_stash", "reminder_sent",
     # My page's bookkeeping: a look at the page, a watch, the digest (jco.mypage).
     "page_visit", "watch", "digest_setting", "digest_sent",
     # What changed, per operation (jco.deadlines.store): written with the count itself.
     "deadline_stamp"}
)


def _counts(objects) -> bool:
    return any(obj.__table__.name not in UNCOUNTED_TABLES for obj in objects)


def _pending(session: Session) -> bool:
    return _counts(session.new) or _counts(session.dirty) or _counts(session.deleted)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context) -> None:
    if _pending(session):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        mapper = state.bind_mapper
        if mapper is None or mapper.local_table.name not in UNCOUNTED_TABLES:
            state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _count_the_change(session: Session) -> None:
    # Runs before commit() flushes what is still pending: count that too. (The bump's own
    # statement autoflushes it first, so the counter is the transaction's last write.)
    if session.info.pop(_CHANGED, False) or _pending(session):
        _increment(session)
        session.info.pop(_CHANGED, None)
        everything = bool(session.info.pop(_EVERYTHING, False))
        if _ON_COUNT:
            version = current_version(session)
            for hook in _ON_COUNT:
                hook(session, version or 0, everything)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_EVERYTHING, None)


def changed_in(session: Session) -> bool:
    """True when this session holds changes not committed yet: what it reads differs from the
    committed data version's, so it must neither read nor fill the cache."""
    return bool(session.info.get(_CHANGED)) or _pending(session)


def mark_changed(session: Session) -> None:
    """For writes the session cannot see (a raw COPY): count a change when the session commits, as a
    change of everything (nothing tells what it touched)."""
    session.info[_CHANGED] = True
    session.info[_EVERYTHING] = True


def _increment(session_or_connection) -> None:
    # The transaction's last statement (but for what is recorded with it), so its row lock is brief.
    session_or_connection.execute(update(DataVersion).values(version=DataVersion.version + 1))


def bump(session_or_connection) -> None:
    """Count a change made around the session (hand-written SQL, a bulk copy), in its transaction:
    as a change of everything, since nothing tells what it touched."""
    _increment(session_or_connection)
    if _ON_BUMP:
        connection = (session_or_connection.connection() if isinstance(session_or_connection, Session)
                      else session_or_connection)
        version = connection.scalar(select(DataVersion.version).where(DataVersion.id == 1))
        for hook in _ON_BUMP:
            hook(connection, version or 0)


def ensure_row(session: Session) -> None:
    if session.get(DataVersion, 1) is None:
        session.add(DataVersion(id=1, version=first_version()))
        session.flush()


def current_version(session: Session) -> int | None:
    return session.scalar(select(DataVersion.version).where(DataVersion.id == 1))


# What one process may hold, roughly: calendar feeds count their bytes, anything else (a figure, a
# page of the register) as ENTRY_BYTES. The least recently used entries go first.
MAX_BYTES = 64 * 1024 * 1024
ENTRY_BYTES = 64 * 1024


def _size(value: object) -> int:
    return len(value) if isinstance(value, bytes | str) else ENTRY_BYTES


def init_app(app: Flask) -> None:
    seconds = int(app.config.get("JCO_CACHE_SECONDS", 300) or 0)
    app.extensions["jco_cache"] = (
        (TTLCache(maxsize=MAX_BYTES, ttl=seconds, getsizeof=_size), threading.Lock()) if seconds > 0 else None
    )


def cached(session: Session, key: Hashable, compute: Callable[[], T], *, version: int | None = None) -> T:
    """``compute()``, or what it returned for ``key`` at the current data version.

    Pass ``version`` when several values are looked up for one request (one query, not one each).
    """
    store = current_app.extensions.get("jco_cache")
    if store is None:
        return compute()
    if version is None:
        version = current_version(session)
    if version is None:  # no version row (a database emptied by hand): never cache
        return compute()
    cache, lock = store
    # What is kept may hold words (chart labels, deadline words, calendar text): one entry per language.
    full_key: Any = (key, version, current_language())
    with lock:
        hit = cache.get(full_key, _MISSING)
    if hit is not _MISSING:
        return hit
    value = compute()
    with lock:
        try:
            cache[full_key] = value
        except ValueError:  # larger than the whole cache: served, not kept
            pass
    return value


_MISSING = object()


@contextmanager
def detached_reads(session: Session) -> Iterator[ModelSession]:
    """A session of its own on ``session``'s connection (the same transaction, so the same data) for
    loading ORM objects that a cached value keeps: closed on leaving, so they are detached and the
    request session's rollback at its end never expires them under later readers, who only read
    what was loaded."""
    own = ModelSession(bind=session.connection())
    try:
        yield own
    finally:
        own.close()
