"""Synthetic operations for measuring the tracker at scale: ``flask --app jco demo synthetic``.

Generates many realistic JCOs — participants, Council documents with valid references, meetings
with agenda items, comment rounds and comments, life-cycle history and results — fast and
deterministically: the same seed gives the same data, and operation ``SYN-00042`` comes out the
same whatever the number of operations asked for (each operation draws from its own random
stream), which lets tests compare pages at two sizes.

Speed comes from writing rows with Core bulk inserts (``session.execute(insert(table), rows)``)
in batches, with ids allocated here so that no row needs a round trip for its key; on
PostgreSQL rows go through ``COPY … FROM STDIN`` instead, and the id sequences are moved past
the new rows at the end. Nothing goes through ORM objects or the services: the audit log gets
one entry for the whole run. Run it on a database of its own (no concurrent writers).
"""

from __future__ import annotations

import bisect
import random
import time as clock
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.schema import Table
from sqlmodel import Session, SQLModel, select

from jco.audit import services as audit
from jco.comments.models import Comment, CommentRound
from jco.core.cache import mark_changed
from jco.core.timeutil import today, utcnow
from jco.dashboards import totals
from jco.documents.models import DocType, Document, Marking
from jco.documents.references import DocumentReference
from jco.meetings.models import AgendaItem, AgendaItemDocument, Meeting, Outcome
from jco.operations.frameworks import DEFAULT_FRAMEWORK
from jco.operations.lifecycle import Body, State, Transition
from jco.operations.models import (
    Commodity,
    Jco,
    JcoCommodity,
    JcoEvent,
    JcoKind,
    JcoTransportMode,
    Organisation,
    OrgKind,
    Participant,
    Result,
    ResultSource,
    Role,
    TransportMode,
)
from jco.operations.reference_data import EU_MEMBERSHIP, ensure_reference_data, member_states_on
from jco.search import index as search_index

PREFIX = "SYN-"
# Business cases are numbered 100000 + n and final reports 500000 + n: far above real Council
# numbers of the period, and within the six digits a reference may have.
MAX_OPERATIONS = 399_999
BATCH = 20_000

WORDS = ("Amber", "Basalt", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Harbour", "Iris", "Juniper",
         "Kestrel", "Lagoon", "Meridian", "Nimbus", "Onyx", "Pilot", "Quartz", "Raven", "Sable", "Tundra",
         "Umber", "Vector", "Willow", "Xenon", "Yarrow", "Zephyr")
GOODS = {
    "cigarettes": "pieces", "tobacco products": "kg", "water pipe tobacco": "kg", "alcohol": "litres",
    "fuel": "litres", "cash": "EUR", "gold": "kg", "cocaine": "kg", "heroin": "kg", "synthetic drugs": "kg",
    "drug precursors": "kg", "counterfeit goods": "pieces", "counterfeit medicines": "pieces",
    "counterfeit car parts": "pieces", "cultural goods": "pieces", "waste": "kg", "pesticides": "kg",
    "ozone-depleting substances": "kg", "CITES specimens": "pieces", "weapons": "pieces",
    "textiles": "pieces", "footwear": "pieces", "electronics": "pieces", "toys": "pieces",
}
MODES = ("air", "sea", "road", "rail", "post", "courier", "inland waterway")
THIRD_COUNTRIES = ("NO", "CH", "UA", "MD", "RS", "TR", "MA", "CN", "US", "BY", "GE", "ME")
BODIES = ("OLAF", "EUROPOL", "FRONTEX", "WCO", "INTERPOL", "DG-TAXUD")

# The steps of the usual life cycle, in order; a synthetic operation stops at its target state.
HAPPY_PATH = [
    (Transition.PRESENT_BUSINESS_CASE, State.PRESENTED),
    (Transition.OPEN_COMMENTS, State.COMMENTS),
    (Transition.PRESENT_REVISION, State.REVISION),
    (Transition.ADOPT_BUSINESS_CASE, State.ADOPTED),
    (Transition.START_OPERATION, State.OPERATIONAL),
    (Transition.END_OPERATION, State.DEBRIEFING),
    (Transition.PRESENT_REPORT, State.REPORT_PRESENTED),
    (Transition.ADOPT_REPORT, State.REPORT_ADOPTED),
    (Transition.CLOSE, State.CLOSED),
]
_ORDER = [s for s in State if s is not State.WITHDRAWN]


class SyntheticRefused(RuntimeError):
    pass


@dataclass
class Summary:
    operations: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __str__(self) -> str:
        counts = ", ".join(f"{n:,} {name}" for name, n in self.rows.items())
        return f"{self.operations:,} synthetic operations in {self.seconds:.1f} s ({counts})"


def _weighted(rng: random.Random, table: list[tuple[State, int]]) -> State:
    states, weights = zip(*table, strict=True)
    return rng.choices(states, weights)[0]


def _target_state(rng: random.Random, year: int, now_year: int) -> State:
    if year <= now_year - 2:
        return _weighted(rng, [(State.CLOSED, 80), (State.REPORT_ADOPTED, 7), (State.REPORT_PRESENTED, 5),
                               (State.DEBRIEFING, 5), (State.WITHDRAWN, 3)])
    if year == now_year - 1:
        return _weighted(rng, [(State.CLOSED, 30), (State.REPORT_ADOPTED, 15), (State.REPORT_PRESENTED, 20),
                               (State.DEBRIEFING, 30), (State.WITHDRAWN, 5)])
    if year == now_year:
        return _weighted(rng, [(State.OPERATIONAL, 40), (State.ADOPTED, 25), (State.DEBRIEFING, 20),
                               (State.COMMENTS, 10), (State.WITHDRAWN, 5)])
    return _weighted(rng, [(State.PROPOSED, 25), (State.PRESENTED, 20), (State.COMMENTS, 25),
                           (State.REVISION, 10), (State.ADOPTED, 20)])


def _reached(state: State, target: State) -> bool:
    return _ORDER.index(state) <= _ORDER.index(target)


class _Writer:
    """Buffers rows per table and writes them in batches: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, session: Session, say: Callable[[str], None]):
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.say = say
        self.buffers: dict[str, list[tuple]] = {}
        self.tables: dict[str, Table] = {}
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        self.next_ids: dict[str, int] = {}
        self.pending = 0

    def first_id(self, model) -> int:
        table = model.__table__
        if table.name not in self.next_ids:
            self.next_ids[table.name] = (self.session.scalar(select(func.max(table.c.id))) or 0) + 1
        return self.next_ids[table.name]

    def new_id(self, model) -> int:
        value = self.first_id(model)
        self.next_ids[model.__table__.name] = value + 1
        return value

    def add(self, model, **values) -> None:
        table: Table = model.__table__
        name = table.name
        if name not in self.buffers:
            self.buffers[name], self.tables[name] = [], table
        # Every column is given explicitly: bulk paths skip Python-side defaults.
        self.buffers[name].append(tuple(values[c.name] for c in table.columns))
        self.pending += 1
        if self.pending >= BATCH:
            self.flush()

    def flush(self) -> None:
        # Parents before children (the metadata's dependency order), so foreign keys always hold.
        order = {t.name: i for i, t in enumerate(SQLModel.metadata.sorted_tables)}
        self.pending = 0
        for table_name in sorted(self.buffers, key=order.__getitem__):
            rows = self.buffers.get(table_name)
            if not rows:
                continue
            table = self.tables[table_name]
            started = clock.perf_counter()
            if self.postgres:
                self._copy(table, rows)
            else:
                columns = [c.name for c in table.columns]
                self.session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
            self.timings[table_name] = self.timings.get(table_name, 0.0) + clock.perf_counter() - started
            self.counts[table_name] = self.counts.get(table_name, 0) + len(rows)
            rows.clear()

    def skip_foreign_key_triggers(self) -> None:
        """On PostgreSQL, checking each row's foreign keys costs most of a bulk load (one trigger per
        key per row). The rows come from this generator with ids it allocated, so they are consistent
        by construction; like pg_restore --disable-triggers, skip the checks for this transaction
        only — where the account may (a superuser); elsewhere the load is just slower."""
        if not self.postgres:
            return
        try:
            with self.session.begin_nested():
                self.session.execute(text("SET LOCAL session_replication_role = replica"))
        except DBAPIError:
            self.say("  (foreign-key checks stay on: this account may not skip them)")

    def _copy(self, table: Table, rows: list[tuple]) -> None:
        columns = ", ".join(f'"{c.name}"' for c in table.columns)
        driver = self.session.connection().connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    def finish(self) -> None:
        self.flush()
        if self.postgres:
            self.session.execute(text("SET LOCAL session_replication_role = DEFAULT"))
            for name in self.counts:
                if "id" in self.tables[name].c:
                    self.session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f"(SELECT MAX(id) FROM \"{name}\"))"))
        for name, seconds in self.timings.items():
            self.say(f"  {name:<22} {self.counts[name]:>10,} rows  {seconds:6.1f} s")


def _ids(session: Session, model, names: Iterable[str]) -> dict[str, int]:
    wanted = list(names)
    column = model.code if model is Organisation else model.name
    return dict(session.execute(select(column, model.id).where(column.in_(wanted))).all())


def _vocabulary(session: Session, model, names: Iterable[str]) -> dict[str, int]:
    known = {n.lower(): i for n, i in session.execute(select(model.name, model.id))}
    missing = [n for n in names if n.lower() not in known]
    if missing:
        session.execute(insert(model.__table__), [{"name": n} for n in missing])
        known = {n.lower(): i for n, i in session.execute(select(model.name, model.id))}
    return {n: known[n.lower()] for n in names}


def _calendar(seed: int, first_year: int, last_year: int) -> list[tuple[date, str]]:
    """CCWP Experts about monthly (not in August) and the MAC twice a year, the same for every size."""
    rng = random.Random(f"{seed}-calendar")
    days = []
    for year in range(first_year, last_year + 1):
        for month in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12):
            days.append((date(year, month, rng.randint(8, 24)), Body.CCWP_EXPERTS.value))
        for month in (5, 11):
            days.append((date(year, month, rng.randint(3, 6)), Body.MAC.value))
    return sorted(days)


def generate(session: Session, *, operations: int, seed: int = 1, results_per_operation: int = 20,
             results_total: int | None = None, say: Callable[[str], None] = lambda _line: None) -> Summary:
    """Add ``operations`` synthetic JCOs with their history; flushes, the caller commits.

    Results belong to operations whose final report exists: each gets ``results_per_operation``
    rows, or ``results_total`` is shared out among them exactly.
    """
    if not 1 <= operations <= MAX_OPERATIONS:
        raise SyntheticRefused(f"--operations must be between 1 and {MAX_OPERATIONS:,}")
    if session.scalar(select(func.count()).select_from(Jco).where(Jco.name.like(f"{PREFIX}%"))):
        raise SyntheticRefused("the database already holds synthetic operations; generate into a fresh one")
    started = clock.perf_counter()
    ensure_reference_data(session)
    now = today()
    now_year = now.year
    writer = _Writer(session, say)
    writer.skip_foreign_key_triggers()
    mark_changed(session)  # COPY bypasses the session: count the change for the caches (jco.core.cache)

    countries = _ids(session, Organisation, EU_MEMBERSHIP)
    third = _ids(session, Organisation, THIRD_COUNTRIES)
    bodies = _ids(session, Organisation, BODIES)
    names = dict(session.execute(select(Organisation.code, Organisation.name)
                                 .where(Organisation.kind == OrgKind.COUNTRY)).all())
    goods = _vocabulary(session, Commodity, GOODS)
    modes = _vocabulary(session, TransportMode, MODES)
    created = utcnow()

    # --- the meeting calendar -----------------------------------------------------------------
    first_year, last_year = now_year - 17, now_year + 2
    meetings: list[tuple[date, int, str]] = []
    body: str | None  # a meeting's body here, a transition's (or none) below
    for day, body in _calendar(seed, first_year, last_year):
        meeting_id = writer.new_id(Meeting)
        writer.add(Meeting, id=meeting_id, body=body, title="", start_date=day,
                   end_date=day + timedelta(days=1) if body == Body.MAC else day, start_time=time(10, 0),
                   end_time=time(17, 30), timezone="Europe/Brussels", place="Brussels", notice_reference="",
                   agenda_marking=None, summary_marking=None,
                   version=1)
        meetings.append((day, meeting_id, body))
    experts = [m for m in meetings if m[2] == Body.CCWP_EXPERTS]
    experts_days = [m[0] for m in experts]
    positions: dict[int, int] = {}

    def meeting_on_or_after(day: date):
        index = bisect.bisect_left(experts_days, day)
        return experts[index] if index < len(experts) else None

    def agenda(meeting, jco_id: int, title: str, purpose: str, outcome: str | None, documents: list[int]):
        item_id = writer.new_id(AgendaItem)
        positions[meeting[1]] = positions.get(meeting[1], 0) + 1
        writer.add(AgendaItem, id=item_id, meeting_id=meeting[1], position=positions[meeting[1]], title=title,
                   jco_id=jco_id, purpose=purpose, outcome=outcome, note="")
        for document_id in documents:
            writer.add(AgendaItemDocument, agenda_item_id=item_id, document_id=document_id)

    def document(n: int, number: int, year: int, title: str, doc_type: str, marking: str, day: date,
                 jco_id: int, from_text: str, revision=None, addendum=None) -> int:
        document_id = writer.new_id(Document)
        reference = str(DocumentReference(number=number, year=year, revision=revision, addendum=addendum))
        writer.add(Document, id=document_id, reference=reference, prefix="", number=number, year=year,
                   revision=revision, addendum=addendum, corrigendum=None, corrects_revision=False, extract=None,
                   declassification=None, title=title, doc_type=doc_type,
                   doc_date=day, place="Brussels", original_language="en", marking=marking, made_public_on=None,
                   partially_public=False, from_text=from_text, to_text="Customs Cooperation Working Party (Experts)",
                   previous_reference="", jco_id=jco_id, file_id=None, file_withheld=False, uploaded_by_id=None,
                   created_at=created, version=1)
        return document_id

    # --- first pass: decide each operation, so results can be shared out exactly ---------------
    plans = []
    for n in range(1, operations + 1):
        rng = random.Random(f"{seed}-{n}")
        year = rng.randint(now_year - 15, now_year + 1)
        plans.append((n, rng, year, _target_state(rng, year, now_year)))
    reporting = [n for n, _, _, state in plans
                 if state is not State.WITHDRAWN and _reached(State.REPORT_PRESENTED, state)]
    if results_total is not None:
        share, extra = divmod(results_total, max(len(reporting), 1))
        per_operation = {n: share + (1 if i < extra else 0) for i, n in enumerate(reporting)}
    else:
        per_operation = dict.fromkeys(reporting, results_per_operation)

    say(f"Generating {operations:,} synthetic operations (seed {seed})…")
    for n, rng, year, target in plans:
        jco_id = writer.new_id(Jco)
        word = WORDS[(n - 1) % len(WORDS)]
        title = f"{PREFIX}{n:05d} {word}"
        withdrawn = target is State.WITHDRAWN
        # A withdrawn operation stopped somewhere before its operational phase ended.
        stop = rng.choice([State.PRESENTED, State.COMMENTS, State.ADOPTED, State.OPERATIONAL]) if withdrawn else target

        kind = rng.choices([JcoKind.REGIONAL, JcoKind.EU_WIDE, JcoKind.THIRD_COUNTRIES], [50, 35, 15])[0]
        whole_year = set(member_states_on(date(year, 12, 31)))
        member_codes = [c for c in member_states_on(date(year, 1, 1)) if c in whole_year]
        size = rng.randint(3, 8) if kind != JcoKind.EU_WIDE else rng.randint(15, len(member_codes))
        taking_part = rng.sample(member_codes, size)
        lead = taking_part[0]
        rows = [(countries[lead], Role.LEAD, f"{names[lead]} customs administration (synthetic)")]
        if rng.random() < 0.5:
            rows.append((bodies["OLAF"], Role.CO_LEAD, ""))
        elif len(taking_part) > 3:
            rows.append((countries[taking_part[1]], Role.CO_LEAD, ""))
        used = {r[0] for r in rows}
        rows += [(countries[c], Role.PARTICIPANT, "") for c in taking_part if countries[c] not in used]
        if kind == JcoKind.THIRD_COUNTRIES:
            rows += [(third[c], Role.PARTICIPANT, "") for c in rng.sample(sorted(third), rng.randint(1, 4))]
        for code in rng.sample([b for b in BODIES if b != "OLAF"], rng.randint(0, 2)):
            rows.append((bodies[code], Role.OBSERVER if rng.random() < 0.3 else Role.PARTICIPANT, ""))
        country_ids = [org for org, _, _ in rows if org in set(countries.values()) | set(third.values())]
        jco_goods = rng.sample(sorted(GOODS), rng.randint(1, 3))
        jco_modes = rng.sample(MODES, rng.randint(1, 3))

        planned_start = date(year, rng.randint(1, 11), rng.randint(1, 28))
        planned_end = planned_start + timedelta(days=rng.randint(7, 21))
        operational = not withdrawn and _reached(State.OPERATIONAL, stop) or (withdrawn and stop is State.OPERATIONAL)
        ended = not withdrawn and _reached(State.DEBRIEFING, stop)
        actual_start = planned_start if operational else None
        actual_end = planned_end if ended else None
        debriefing = planned_end + timedelta(days=rng.randint(30, 70)) if ended else None
        writer.add(
            Jco, id=jco_id, name=title, edition="", kind=kind.value, framework=DEFAULT_FRAMEWORK,
            description=f"Synthetic operation for load tests: {kind.label.lower()}, targeting {', '.join(jco_goods)}.",
            state=target.value, action_id=None, report_prior_body=None, planned_start=planned_start,
            planned_end=planned_end, actual_start=actual_start, actual_end=actual_end, debriefing_date=debriefing,
            debriefing_place=f"{names[lead]} (synthetic)" if debriefing else "", year=planned_start.year,
            withdrawn_reason="Withdrawn by the lead delegation (synthetic)." if withdrawn else "",
            postponed_reason="", cancelled_reason="", report_next_body=None,
            public_results="", sources="", source_notes="", other_agencies="", created_at=created, updated_at=created,
            version=1,
        )
        for org_id, role, agency in rows:
            writer.add(Participant, id=writer.new_id(Participant), jco_id=jco_id, organisation_id=org_id,
                       role=role.value, agency=agency)
        for name in jco_goods:
            writer.add(JcoCommodity, jco_id=jco_id, commodity_id=goods[name])
        for name in jco_modes:
            writer.add(JcoTransportMode, jco_id=jco_id, transport_mode_id=modes[name])

        # --- documents, meetings, comments and the history, step by step ---------------------
        bc_day = planned_start - timedelta(days=rng.randint(200, 320))
        bc_year = bc_day.year
        lead_text = f"{names[lead]} delegation (synthetic)"
        business_case = document(n, 100000 + n, bc_year, f"Business case for the synthetic JCO {title}",
                                 DocType.BUSINESS_CASE, Marking.LIMITE.value, bc_day, jco_id, lead_text)
        revision_id = None
        report_id = None
        state = State.PROPOSED
        history: list[tuple] = []
        first = meeting_on_or_after(bc_day + timedelta(days=10))
        wants_revision = rng.random() < 0.4
        for transition, goal in HAPPY_PATH:
            if stop is state or first is None:
                break
            if transition is Transition.PRESENT_REVISION and not (wants_revision or stop is State.REVISION):
                continue
            meeting, document_id, body, on = None, None, None, None
            if transition is Transition.PRESENT_BUSINESS_CASE:
                meeting, document_id, on = first, business_case, first[0]
                agenda(first, jco_id, f"{title}: business case", "business_case", Outcome.PRESENTED.value,
                       [business_case])
            elif transition is Transition.OPEN_COMMENTS:
                meeting, document_id, on = first, business_case, first[0]
                round_id = writer.new_id(CommentRound)
                deadline = first[0] + timedelta(days=14)
                writer.add(CommentRound, id=round_id, jco_id=jco_id, document_id=business_case, deadline=deadline,
                           opened_at=datetime.combine(first[0], time(16, 0), UTC), opened_by_id=None,
                           meeting_id=first[1])
                commenters = rng.sample(country_ids, min(len(country_ids), rng.randint(2, 6)))
                for org_id in commenters:
                    submitted = datetime.combine(deadline - timedelta(days=rng.randint(-2, 12)), time(11, 0), UTC)
                    writer.add(Comment, id=writer.new_id(Comment), round_id=round_id, organisation_id=org_id,
                               author_id=None, body=f"Synthetic comment on the business case of {title}.",
                               file_id=None, submitted_at=submitted, updated_at=submitted,
                               late=submitted.date() > deadline, version=1, refers_to="")
            elif transition is Transition.PRESENT_REVISION:
                meeting = meeting_on_or_after(first[0] + timedelta(days=30)) or first
                revision_id = document(n, 100000 + n, bc_year, f"Revised business case for the synthetic JCO {title}",
                                       DocType.BUSINESS_CASE, Marking.LIMITE.value, meeting[0], jco_id, lead_text,
                                       revision=1)
                document_id, on = revision_id, meeting[0]
                agenda(meeting, jco_id, f"{title}: revised business case", "revision", Outcome.PRESENTED.value,
                       [revision_id])
            elif transition is Transition.ADOPT_BUSINESS_CASE:
                meeting = meeting_on_or_after((history[-1][4] if history else first[0]) + timedelta(days=25)) or first
                document_id, body, on = revision_id or business_case, Body.CCWP_EXPERTS.value, meeting[0]
                agenda(meeting, jco_id, f"{title}: adoption of the business case",
                       "revision" if revision_id else "business_case", Outcome.ADOPTED.value, [document_id])
            elif transition is Transition.START_OPERATION:
                on = planned_start
            elif transition is Transition.END_OPERATION:
                on = planned_end
            elif transition is Transition.PRESENT_REPORT:
                report_day = (debriefing or planned_end) + timedelta(days=rng.randint(20, 90))
                meeting = meeting_on_or_after(report_day) or experts[-1]
                report_id = document(n, 500000 + n, report_day.year, f"Final report of the synthetic JCO {title}",
                                     DocType.FINAL_REPORT, Marking.LIMITE.value, report_day, jco_id, lead_text)
                documents = [report_id]
                if rng.random() < 0.3:
                    documents.append(document(n, 500000 + n, report_day.year,
                                              f"Final report of the synthetic JCO {title} — addendum 1",
                                              DocType.FINAL_REPORT, Marking.RESTREINT_UE.value, report_day, jco_id,
                                              lead_text, addendum=1))
                document_id, on = report_id, meeting[0]
                agenda(meeting, jco_id, f"{title}: final report", "final_report", Outcome.PRESENTED.value, documents)
            elif transition is Transition.ADOPT_REPORT:
                meeting = meeting_on_or_after(history[-1][4] + timedelta(days=25)) or experts[-1]
                assert report_id is not None  # the happy path presents the report before adopting it
                document_id, body, on = report_id, Body.CCWP_EXPERTS.value, meeting[0]
                agenda(meeting, jco_id, f"{title}: adoption of the final report", "final_report",
                       Outcome.ADOPTED.value, [report_id])
            elif transition is Transition.CLOSE:
                on = history[-1][4] + timedelta(days=14)
            history.append((transition, state, goal, meeting, on, document_id, body))
            state = goal
        if withdrawn:
            on = (history[-1][4] if history else bc_day) + timedelta(days=20)
            history.append((Transition.WITHDRAW, state, State.WITHDRAWN, None, on, None, None))
        for transition, source, goal, meeting, on, document_id, body in history:
            writer.add(JcoEvent, id=writer.new_id(JcoEvent), jco_id=jco_id,
                       at=datetime.combine(on, time(18, 0), UTC), on=on, actor_id=None,
                       transition=transition.value, from_state=source.value, to_state=goal.value, body=body,
                       meeting_id=meeting[1] if meeting else None, document_id=document_id,
                       note="Withdrawn by the lead delegation (synthetic)." if transition is Transition.WITHDRAW else "")

        # --- results of the final report -----------------------------------------------------
        count = per_operation.get(n, 0)
        if count and report_id:
            results_rng = random.Random(f"{seed}-{n}-results")
            goods_ids = [(goods[g], GOODS[g]) for g in jco_goods]
            for _ in range(count):
                commodity_id, unit = results_rng.choice(goods_ids)
                writer.add(Result, id=writer.new_id(Result), jco_id=jco_id, document_id=report_id,
                           organisation_id=results_rng.choice(country_ids), commodity_id=commodity_id,
                           quantity=round(results_rng.lognormvariate(5, 2), 1), unit=unit, year=planned_start.year,
                           source=ResultSource.REPORT.value)
    writer.finish()
    # The bulk copy bypassed the session, so the search index (jco.search) learns of it here.
    search_index.rebuild(session.connection())
    totals.rebuild(session.connection())  # and the dashboard's result totals
    audit.record(session, None, "demo.synthetic", object_type="jco",
                 summary=f"Generated {operations:,} synthetic operations (seed {seed})")
    session.flush()
    summary = Summary(operations=operations, rows=dict(writer.counts), seconds=clock.perf_counter() - started)
    return summary
