"""Aggregates behind the dashboard: one GROUP BY query per chart, whatever the amount of data.

Nothing here loads rows one by one: the results table may hold millions of rows, so every number
is counted or summed by the database and only the aggregates (a few hundred rows at most) come
back. Filters are the register's (:class:`jco.operations.queries.RegisterFilters`), so a view of
the dashboard is a bookmarkable URL.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace
from datetime import date

from flask import current_app
from sqlalchemy import Select, case, func, or_
from sqlmodel import Session, select

from jco.core.timeutil import today as today_
from jco.dashboards.facts import OperationFacts, operation_facts
from jco.dashboards.totals import ResultTotal
from jco.deadlines import services as deadline_services
from jco.deadlines.rules import Deadline
from jco.documents.models import Document
from jco.operations.frameworks import CCWP_CHOICE, CCWP_FRAMEWORKS
from jco.operations.models import (
    Commodity,
    Jco,
    Organisation,
    OrgKind,
    Participant,
    Result,
    ResultSource,
    Role,
    operation_title,
)
from jco.operations.queries import RegisterFilters, filtered

TIMELINE_LIMIT = 60


@dataclass(frozen=True)
class Scope:
    """What one viewer asked for: the register's filters, and what their clearance hides."""

    filters: RegisterFilters
    # Results reported in documents with these markings are left out (see permissions).
    withheld_markings: tuple[str, ...] = ()
    # The timeline over every year drawn (?timeline=all), rather than zoomed on the open operations.
    wide_timeline: bool = False
    # The data version the request read (jco.core.cache), when it did: saves asking again.
    version: int | None = field(default=None, compare=False)


def _ccwp(filters: RegisterFilters) -> RegisterFilters:
    """The dashboard shows the CCWP life cycle: related operations (other frameworks) never count,
    whatever the register's Framework filter says; one CCWP framework may still be chosen."""
    return filters if filters.framework in CCWP_FRAMEWORKS else replace(filters, framework=CCWP_CHOICE)


def _filtered(filters: RegisterFilters) -> Select:
    return filtered(_ccwp(filters))


def _has_filters(filters: RegisterFilters) -> bool:
    return bool(filters.state or filters.year or filters.kind or filters.q or filters.lead or filters.goods
                or filters.framework in CCWP_FRAMEWORKS)


def _jco_ids(filters: RegisterFilters) -> Select:
    """The filtered CCWP JCOs' ids, as a subquery."""
    return _filtered(filters).with_only_columns(Jco.id)


# --- life cycle ---------------------------------------------------------------------------------

def pipeline_counts(session: Session, scope: Scope) -> dict[str, int]:
    """Number of JCOs in each life-cycle state (states without any are absent)."""
    kept = _facts(session, scope)
    if kept is not None:
        return kept.stage_counts()
    query = _filtered(scope.filters).with_only_columns(Jco.state, func.count()).group_by(Jco.state)
    return {state: count for state, count in session.execute(query)}


def _facts(session: Session, scope: Scope) -> OperationFacts | None:
    """What is kept of every operation (jco.dashboards.facts), for a view without filters."""
    return None if _has_filters(scope.filters) else operation_facts(session, scope.version)


@dataclass(frozen=True)
class TimelineRow:
    jco_id: int
    title: str
    state: str
    start: date
    end: date
    actual: bool  # actual dates (else planned)
    under_way: bool  # started, no actual end yet: the planned end (or today) stands in


def _timeline_row(r, today: date) -> TimelineRow:
    if r.actual_start:
        end = r.actual_end or r.planned_end or today
        begin, actual, under_way = r.actual_start, True, r.actual_end is None
    else:
        begin, end, actual, under_way = r.planned_start, r.planned_end or r.planned_start, False, False
    return TimelineRow(r.jco_id, operation_title(r.name, r.edition), r.state, begin, max(begin, end), actual, under_way)


def timeline_rows(session: Session, scope: Scope, today: date | None = None,
                  limit: int = TIMELINE_LIMIT) -> tuple[list[TimelineRow], int]:
    """The operational phases of the ``limit`` most recent JCOs (by start), and how many have one."""
    today = today or today_()
    kept = _facts(session, scope)
    if kept is not None:
        started = kept.with_start()
        latest = heapq.nlargest(limit, started, key=lambda f: (f.start, f.jco_id))
        rows = [_timeline_row(f, today) for f in latest]
        total = len(started)
    else:
        start = func.coalesce(Jco.actual_start, Jco.planned_start)
        query = (
            _filtered(scope.filters)
            .with_only_columns(
                Jco.id.label("jco_id"), Jco.name, Jco.edition, Jco.state, Jco.actual_start, Jco.actual_end,
                Jco.planned_start, Jco.planned_end, func.count().over().label("total"),
            )
            .where(start.is_not(None))
            .order_by(start.desc(), Jco.id.desc())
            .limit(limit)
        )
        rows, total = [], 0
        for r in session.execute(query):
            total = r.total
            rows.append(_timeline_row(r, today))
    rows.sort(key=lambda row: (row.start, row.title))
    return rows, total


# --- participation ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ParticipationRow:
    code: str
    name: str
    kind: str
    iso3: str | None
    operations: int
    led: int


def participation_counts(session: Session, scope: Scope) -> list[ParticipationRow]:
    """For every country and body: in how many of the filtered JCOs it takes part, and leads."""
    kept = _facts(session, scope)
    if kept is not None:
        counts = kept.participation()
        rows = [ParticipationRow(o.code, o.name, o.kind, o.iso3, *counts[o.id]) for o in session.execute(
            select(Organisation.id, Organisation.code, Organisation.name, Organisation.kind, Organisation.iso3)
            .where(Organisation.id.in_(counts)))]
    else:
        query = (
            select(
                Organisation.code, Organisation.name, Organisation.kind, Organisation.iso3,
                func.count().label("operations"),
                func.sum(case((Participant.role == Role.LEAD, 1), else_=0)).label("led"),
            )
            .join(Participant, Participant.organisation_id == Organisation.id)
            .group_by(Organisation.id, Organisation.code, Organisation.name, Organisation.kind, Organisation.iso3)
        )
        query = query.where(Participant.jco_id.in_(_jco_ids(scope.filters)))
        rows = [ParticipationRow(r.code, r.name, r.kind, r.iso3, r.operations, int(r.led or 0))
                for r in session.execute(query)]
    # Most operations first, then by name (in Python, so that both engines agree whatever their collation).
    return sorted(rows, key=lambda r: (-r.operations, r.name, r.code))


# --- deadlines ----------------------------------------------------------------------------------

def plain_deadlines(session: Session, today: date, settings: deadline_services.Settings,
                    version: int | None = None) -> list[Deadline]:
    """Every deadline, from what My deadlines and the calendar feeds share (``collect_cached``:
    kept per operation, computed again only for the operations a change touched). A session with
    uncommitted changes computes its own."""
    return deadline_services.collect_cached(session, today, settings, version=version)


@dataclass(frozen=True)
class DeadlineRow:
    code: str
    name: str
    overdue: int
    upcoming: int
    kind: str = OrgKind.COUNTRY


def deadline_counts(session: Session, filters: RegisterFilters, today: date | None = None,
                    settings: deadline_services.Settings | None = None, version: int | None = None) -> list[DeadlineRow]:
    """Deadlines each owing delegation (or body) has not met yet: overdue vs upcoming.

    Every deadline the deadlines service computes (comments, revisions, final reports, set by
    hand) that belongs to one of the filtered JCOs; those of the Secretariat are not a
    delegation's. The sums are kept per operation with the deadlines (``DeadlineStore``): without
    filters they are read as they are. A fixed number of queries: the service's, the filtered ids,
    the owners' codes.
    """
    today = today or today_()
    settings = settings or deadline_services.Settings.from_config(current_app.config)
    wanted = set(session.scalars(_jco_ids(filters))) if _has_filters(filters) else None
    kept = deadline_services.deadline_store(session, today, settings, version)
    if kept is not None:
        counts = kept.owed_sum(wanted)
    else:  # CCWP operations only
        deadlines = deadline_services.collect(session, today, settings)
        counts = deadline_services.owed_counts(
            deadlines if wanted is None else [d for d in deadlines if d.jco_id in wanted], today)
    # Asked even when nothing is owed, so that the page's count of queries does not depend on the data.
    organisations = session.execute(
        select(Organisation.id, Organisation.code, Organisation.name, Organisation.kind)
        .where(Organisation.id.in_(counts))
    ).all()
    rows = [DeadlineRow(o.code, o.name, counts[o.id][0], counts[o.id][1], o.kind) for o in organisations]
    return sorted(rows, key=lambda r: (-r.overdue, -r.upcoming, r.name))


# --- results ------------------------------------------------------------------------------------

def _results_where(query: Select, scope: Scope) -> Select:
    filters = scope.filters
    # Only CCWP operations hold results (jco.operations.results.accepts_results): without other
    # filters no IN clause is needed, and the covering index on results serves the whole chart.
    if _has_filters(filters):
        query = query.where(Result.jco_id.in_(_jco_ids(filters)))
    if filters.year:
        # Redundant with the JCO filter (results copy their JCO's year) but lets the database
        # use the (year, commodity) index on a large results table.
        query = query.where(Result.year == filters.year)
    if filters.goods:
        query = query.where(Result.commodity_id == filters.goods)
    if scope.withheld_markings:
        withheld = select(Document.id).where(Document.marking.in_(scope.withheld_markings))
        query = query.where(or_(Result.document_id.is_(None), Result.document_id.not_in(withheld)))
    return query


@dataclass(frozen=True)
class CommodityYearRow:
    year: int | None
    commodity: str
    unit: str
    seizures: int
    quantity: float
    source: str = ResultSource.REPORT.value


def _visible_totals(scope: Scope):
    """The kept totals (jco.dashboards.totals) this viewer may count, or None when the scope's
    filters need the operations themselves (then the results are summed from their table)."""
    if _has_filters(scope.filters):
        return None
    table = ResultTotal.__table__
    query = select(table).where(table.c.rows > 0)
    if scope.withheld_markings:
        query = query.where(table.c.marking.not_in(scope.withheld_markings))
    return query.subquery()


def results_by_commodity_year(session: Session, scope: Scope) -> list[CommodityYearRow]:
    """Result rows and quantities seized, by year, commodity, unit and source (final reports, or
    public sources read by the import). Unfiltered, from the kept totals; filtered, from the results."""
    kept = _visible_totals(scope)
    if kept is not None:
        totals = (
            select(kept.c.year, kept.c.commodity_id, kept.c.unit, kept.c.source,
                   func.sum(kept.c.rows).label("seizures"), func.sum(kept.c.quantity).label("quantity"))
            .group_by(kept.c.year, kept.c.commodity_id, kept.c.unit, kept.c.source)
        ).subquery()
    else:
        totals = _results_where(
            select(
                Result.year, Result.commodity_id, Result.unit, Result.source,
                func.count().label("seizures"), func.sum(Result.quantity).label("quantity"),
            ).group_by(Result.year, Result.commodity_id, Result.unit, Result.source),
            scope,
        ).subquery()
    query = (
        select(totals.c.year, Commodity.name, totals.c.unit, totals.c.seizures, totals.c.quantity, totals.c.source)
        .join(Commodity, Commodity.id == totals.c.commodity_id)
        .order_by(totals.c.year.desc().nulls_last(), Commodity.name, totals.c.unit, totals.c.source)
    )
    return [CommodityYearRow(r.year, r.name, r.unit, r.seizures, float(r.quantity or 0), r.source)
            for r in session.execute(query)]


@dataclass(frozen=True)
class CountryResultRow:
    code: str | None  # None: results not attributed to a country or body
    name: str | None
    kind: str | None
    iso3: str | None
    seizures: int
    # Of which from public sources (the import's reading of an operation's published results).
    public: int = 0


def results_by_country(session: Session, scope: Scope) -> list[CountryResultRow]:
    """Result rows reported for each country or body (and how many of them come from public sources)."""
    is_public = case((Result.source == ResultSource.PUBLIC.value, 1), else_=0)
    kept = _visible_totals(scope)
    if kept is not None:
        kept_public = case((kept.c.source == ResultSource.PUBLIC.value, kept.c.rows), else_=0)
        totals = (
            select(kept.c.organisation_id, func.sum(kept.c.rows).label("seizures"),
                   func.sum(kept_public).label("public"))
            .group_by(kept.c.organisation_id)
        ).subquery()
    else:
        totals = _results_where(
            select(Result.organisation_id, func.count().label("seizures"), func.sum(is_public).label("public"))
            .group_by(Result.organisation_id), scope
        ).subquery()
    query = (
        select(Organisation.code, Organisation.name, Organisation.kind, Organisation.iso3, totals.c.seizures,
               totals.c.public)
        .select_from(totals)
        .outerjoin(Organisation, Organisation.id == totals.c.organisation_id)
        .order_by(totals.c.seizures.desc(), Organisation.name)
    )
    return [CountryResultRow(r.code, r.name, r.kind, r.iso3, int(r.seizures), int(r.public or 0))
            for r in session.execute(query)]
