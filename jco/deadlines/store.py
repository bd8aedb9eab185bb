"""Values kept per operation and brought up to date from what changed (jco.deadlines.stamps).

Every deadline of the register, and each operation's row on the status board, took a pass over
every open operation — about a second on years of data — after *any* change, though a change
touches one operation. A :class:`PerOperation` keeps one value per operation in the process and,
when the data version moves on, asks ``deadline_stamp`` which operations changed since it last
looked (one indexed query) and computes those again, and only those; when row 0 moved (a
meeting, an organisation, a deadline of no operation, a write around the session) or many
operations changed, it computes everything, as it does the first time, every
``JCO_CACHE_SECONDS`` (what bounds writes nobody counted) and each new day.

Exact by construction: a value is only ever replaced by a computation that started after the
change it reflects was committed, and ``tests/test_deadline_store.py`` compares what is kept with a
full computation after random sequences of writes, on both engines. Each value is computed in the
reader's language (the key holds it), and what is kept is only read.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable
from typing import Generic, TypeVar

from flask import current_app
from sqlalchemy import or_, select
from sqlmodel import Session

from jco.core import cache
from jco.core.i18n import current_language
from jco.deadlines.stamps import EVERYTHING, DeadlineStamp

V = TypeVar("V")
# Beyond this many changed operations, computing everything at once is cheaper.
PARTIAL_LIMIT = 300
# Stores a process keeps (per kind of value, day, settings and language); the least used go first.
MAX_STORES = 16


class PerOperation(Generic[V]):
    """One value per operation (key 0: what belongs to none), kept while the operation is unchanged.

    ``compute(session, ids)`` returns the values of those operations (``ids`` None: of every
    operation, and key 0), leaving out operations that have none.
    """

    def __init__(self, compute: Callable[[Session, Collection[int] | None], dict[int, V]], seconds: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.compute = compute
        self.seconds = seconds
        self.clock = clock
        self.values: dict[int, V] = {}
        self.generation: int | None = None  # row 0's stamp when everything was last computed
        self.seen = 0  # every change stamped up to here is reflected
        self.version: int | None = None  # the data version last checked
        self.built = 0.0
        self.changes = 0  # increases whenever a value changes: for what is derived from them all
        self.lock = threading.RLock()

    def refresh(self, session: Session, version: int | None) -> None:
        """Bring the values up to ``version`` (the data version the reader sees)."""
        with self.lock:
            if version is not None and version == self.version and self.clock() - self.built < self.seconds:
                return
            rows = session.execute(
                select(DeadlineStamp.jco_id, DeadlineStamp.stamp)
                .where(or_(DeadlineStamp.stamp > self.seen, DeadlineStamp.jco_id == EVERYTHING))
            ).all()
            stamps = dict(rows)
            generation = stamps.pop(EVERYTHING, None)
            if (generation is None or generation != self.generation or len(stamps) > PARTIAL_LIMIT
                    or self.clock() - self.built >= self.seconds):
                self._everything(session, generation)
            elif stamps:
                with cache.detached_reads(session) as own:
                    fresh = self.compute(own, stamps.keys())
                for jco_id in stamps:
                    self._replace(jco_id, fresh.get(jco_id))
                self.seen = max(self.seen, *stamps.values())
                self.changes += 1
            self.version = version

    def _everything(self, session: Session, generation: int | None) -> None:
        # What was stamped before the computation starts is in it; anything later is found next time.
        top = session.scalar(select(DeadlineStamp.stamp).order_by(DeadlineStamp.stamp.desc()).limit(1)) or 0
        with cache.detached_reads(session) as own:
            fresh = self.compute(own, None)
        for jco_id in set(self.values) | set(fresh):
            self._replace(jco_id, fresh.get(jco_id))
        self.generation = generation
        self.seen = top
        self.built = self.clock()
        self.changes += 1

    def _replace(self, jco_id: int, value: V | None) -> None:
        old = self.values.pop(jco_id, None)
        if value is not None:
            self.values[jco_id] = value
        self.replaced(jco_id, old, value)

    def replaced(self, jco_id: int, old: V | None, new: V | None) -> None:
        """For subclasses that keep a sum over every value up to date."""


S = TypeVar("S", bound=PerOperation)


def store(session: Session, key: Hashable, make: Callable[[int], S], version: int | None = None) -> S | None:
    """The process's store for ``key`` (with the reader's language), brought up to date; None when
    caching is off or the session holds changes not committed yet (it must compute its own)."""
    seconds = int(current_app.config.get("JCO_CACHE_SECONDS", 300) or 0)
    if seconds <= 0 or cache.changed_in(session):
        return None
    stores: OrderedDict = current_app.extensions.setdefault("jco_stores", OrderedDict())
    lock: threading.Lock = current_app.extensions.setdefault("jco_stores_lock", threading.Lock())
    full_key = (key, current_language())
    with lock:
        kept = stores.get(full_key)
        if kept is None:
            kept = stores[full_key] = make(seconds)
            # The cache's clock (jco.core.cache): one time-to-live for all that is kept.
            kept.clock = getattr(current_app.extensions.get("jco_cache", (None,))[0], "timer", time.monotonic)
            while len(stores) > MAX_STORES:
                stores.popitem(last=False)
        else:
            stores.move_to_end(full_key)
    if version is None:
        version = cache.current_version(session)
    kept.refresh(session, version)
    return kept
