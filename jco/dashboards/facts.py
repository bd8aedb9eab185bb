"""The dashboard's counts of operations, kept per operation and summed as operations change.

Operations by stage, the timeline and who takes part where are counted over every CCWP operation
and its participants — tens of thousands of rows on years of data, counted again after each
change. :class:`OperationFacts` keeps, per operation, the few facts these charts read (its stage,
its dates, its participants and their roles) and the sums over all of them (operations per stage,
operations and leads per organisation), brought up to date from what changed
(jco.deadlines.store): after a comment or a result nothing is counted again; after a change to
one operation, one operation is. The unfiltered dashboard reads the sums; a filtered view asks the
database, as before. ``tests/test_deadline_store.py`` compares both after random writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from jco.deadlines.store import PerOperation, store
from jco.operations.models import Jco, Participant, Role
from jco.operations.queries import in_ccwp


@dataclass(frozen=True)
class Facts:
    """What the dashboard's counts read of one CCWP operation."""

    jco_id: int
    name: str
    edition: str
    state: str
    actual_start: date | None
    actual_end: date | None
    planned_start: date | None
    planned_end: date | None
    participants: tuple[tuple[int, str], ...]  # (organisation id, role)

    @property
    def start(self) -> date | None:
        return self.actual_start or self.planned_start


def facts_of(session: Session, jco_ids: Collection[int] | None) -> dict[int, Facts]:
    """The facts of every CCWP operation (or of these): two queries."""
    query = select(  # type: ignore[misc]  # mypy gives up on SQLAlchemy's overloads for eight columns
        Jco.id, Jco.name, Jco.edition, Jco.state, Jco.actual_start, Jco.actual_end, Jco.planned_start, Jco.planned_end,
    ).where(in_ccwp())
    people = select(Participant.jco_id, Participant.organisation_id, Participant.role).join(
        Jco, Jco.id == Participant.jco_id).where(in_ccwp()).order_by(Participant.jco_id, Participant.organisation_id)
    if jco_ids is not None:
        query = query.where(Jco.id.in_(jco_ids))
        people = people.where(Participant.jco_id.in_(jco_ids))
    taking_part: dict[int, list[tuple[int, str]]] = {}
    for jco_id, organisation_id, role in session.execute(people):
        taking_part.setdefault(jco_id, []).append((organisation_id, role))
    return {row.id: Facts(row.id, row.name, row.edition, row.state, row.actual_start, row.actual_end, row.planned_start,
                          row.planned_end, tuple(taking_part.get(row.id, ())))
            for row in session.execute(query)}


class OperationFacts(PerOperation[Facts]):
    """Every CCWP operation's facts, with operations per stage and, per organisation, the
    operations it takes part in and leads, kept up to date as operations change."""

    def __init__(self, seconds: int) -> None:
        super().__init__(facts_of, seconds)
        self.stages: Counter[str] = Counter()
        self.taking_part: Counter[int] = Counter()
        self.leading: Counter[int] = Counter()

    def replaced(self, jco_id: int, old: Facts | None, new: Facts | None) -> None:
        for facts, sign in ((old, -1), (new, 1)):
            if facts is None:
                continue
            self.stages[facts.state] += sign
            for organisation_id, role in facts.participants:
                self.taking_part[organisation_id] += sign
                if role == Role.LEAD:
                    self.leading[organisation_id] += sign

    def stage_counts(self) -> dict[str, int]:
        with self.lock:
            return {state: count for state, count in self.stages.items() if count}

    def participation(self) -> dict[int, tuple[int, int]]:
        """Per organisation: (operations it takes part in, operations it leads)."""
        with self.lock:
            return {org: (count, self.leading[org]) for org, count in self.taking_part.items() if count}

    def with_start(self) -> list[Facts]:
        with self.lock:
            return [facts for facts in self.values.values() if facts.start is not None]


def operation_facts(session: Session, version: int | None = None) -> OperationFacts | None:
    """The process's facts, up to date (None: caching is off, or the session holds changes)."""
    return store(session, ("operation_facts",), OperationFacts, version=version)
