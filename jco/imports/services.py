"""Planning an import against the register (the dry run) and applying it.

``plan_import`` reads nothing but the database and says, row by row, what the import would create
or change and every problem; ``apply_import`` carries out the plan of the rows without errors,
each in a savepoint of the caller's single transaction (services flush, the caller commits once).
The view, the CLI and the demo loader all plan and apply through these two functions, so the dry
run shows exactly what the import does.

What an import changes on an operation the register already holds (matched by name, ignoring
case, and edition, where ``""``, ``1`` and ``I`` are all the first edition):

- *Tracker-owned facts* — participants, target goods, transport modes, year, operational dates,
  kind — are only **filled** when the tracker has none: the register's own record wins, and the
  report says what the file would have added.
- *Source facts* — public results, sources, notes from the sources, other agencies — are kept as
  the file gives them (a non-blank cell replaces the previous value; a blank one changes nothing).
- *Documents* cited in ``council_docs`` are registered when unknown, and linked to the operation
  when only this operation cites them and no operation holds them yet.
- *State*: moved forward to the state the source implies (``parsing.historical_state``) only
  when the tracker has not followed the operation's life cycle itself — every step on record
  was recorded by an import — and never backwards.

Re-importing the same file therefore changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import force_locale
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from jco.audit import services as audit
from jco.core.dates import day_range
from jco.core.text import N_, _, ngettext
from jco.core.timeutil import today, utcnow
from jco.documents.models import DocType, Document, Marking
from jco.documents.services import DocumentDetails, DocumentError, register_document
from jco.imports.models import ImportStash
from jco.imports.parsing import (
    ParsedRow,
    ParticipantSpec,
    Problem,
    historical_state,
    match_key,
    parse_row,
    published_quantities,
)
from jco.imports.reading import Table
from jco.operations import services as ops
from jco.operations.frameworks import framework_label, is_ccwp
from jco.operations.lifecycle import STATE_SHORT, LifecycleError, State
from jco.operations.models import (
    Commodity,
    Jco,
    JcoEvent,
    JcoKind,
    Organisation,
    OrgKind,
    Participant,
    Result,
    ResultSource,
    Role,
    operation_title,
)

IMPORT_NOTE_PREFIX = "Recorded by import"
CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
ACTION_LABELS = {CREATE: N_("Create"), UPDATE: N_("Update"), UNCHANGED: N_("No change"), ERROR: N_("Not imported")}
# The order in which the life cycle moves forward; withdrawn is apart and never changed by an import.
_FORWARD = [s for s in State if s is not State.WITHDRAWN]
# What the report says when the file sets (first) or replaces (second) a source fact.
_SOURCE_FIELDS = {
    "public_results": (N_("results from public sources: set"), N_("results from public sources: updated")),
    "sources": (N_("sources: set"), N_("sources: updated")),
    "source_notes": (N_("notes from the sources: set"), N_("notes from the sources: updated")),
    "other_agencies": (N_("other agencies: set"), N_("other agencies: updated")),
}


@dataclass
class DocumentPlan:
    reference: str
    title: str
    doc_type: str
    marking: str
    partially_public: bool = False
    made_public_on: Any = None
    subject_codes: list[str] = field(default_factory=list)
    doc_date: Any = None
    link: bool = False


@dataclass
class RowPlan:
    parsed: ParsedRow
    action: str = UNCHANGED
    jco_id: int | None = None
    current_title: str = ""
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    commodities: list[str] | None = None
    transport_modes: list[str] | None = None
    participants: list[ParticipantSpec] | None = None
    register: list[DocumentPlan] = field(default_factory=list)
    link: list[int] = field(default_factory=list)
    state: State | None = None
    state_note: str = ""
    state_on: date | None = None

    @property
    def row(self) -> int:
        return self.parsed.row

    @property
    def title(self) -> str:
        return self.current_title or self.parsed.title

    @property
    def problems(self) -> list[Problem]:
        return self.parsed.problems

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.parsed.problems if p.error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.parsed.problems if not p.error]

    @property
    def action_label(self) -> str:
        """In English; the page translates it (``|t``)."""
        return ACTION_LABELS[self.action]


@dataclass
class ImportReport:
    filename: str
    sha256: str = ""
    problems: list[Problem] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def summary(self) -> str:
        created, updated = self.count(CREATE), self.count(UPDATE)
        unchanged, errors = self.count(UNCHANGED), self.count(ERROR)
        if self.applied:
            parts = [ngettext("%(num)d created", "%(num)d created", created),
                     ngettext("%(num)d updated", "%(num)d updated", updated),
                     ngettext("%(num)d unchanged", "%(num)d unchanged", unchanged),
                     ngettext("%(num)d with errors (not imported)", "%(num)d with errors (not imported)", errors)]
        else:
            parts = [ngettext("%(num)d to create", "%(num)d to create", created),
                     ngettext("%(num)d to update", "%(num)d to update", updated),
                     ngettext("%(num)d unchanged", "%(num)d unchanged", unchanged),
                     ngettext("%(num)d with errors", "%(num)d with errors", errors)]
        return ", ".join(parts)

    @property
    def has_changes(self) -> bool:
        return any(r.action in (CREATE, UPDATE) for r in self.rows)


# --- planning -----------------------------------------------------------------------------------

def _codes_text(specs: list[ParticipantSpec]) -> str:
    by_role: dict[str, list[str]] = defaultdict(list)
    for spec in specs:
        by_role[spec.role].append(spec.code + (f" ({spec.agency})" if spec.agency else ""))
    parts = []
    for role, label in ((Role.LEAD, N_("lead: %(codes)s")), (Role.CO_LEAD, N_("co-lead: %(codes)s")),
                        (Role.PARTICIPANT, N_("taking part: %(codes)s"))):
        if by_role.get(role):
            parts.append(_(label, codes=", ".join(by_role[role])))
    return "; ".join(parts)


def _doc_type(reference: str, description: str) -> str:
    text = description.lower()
    if reference.startswith("CM "):
        return DocType.AGENDA
    if "business case" in text:
        return DocType.BUSINESS_CASE
    if "final report" in text:
        return DocType.FINAL_REPORT
    if "summary" in text or "note" in text:
        return DocType.NOTE
    return DocType.OTHER


def _state_reason(parsed: ParsedRow, state: State, dated: str = "") -> str:
    start, end = parsed.year_start or parsed.year_end, parsed.year_end or parsed.year_start
    if parsed.state is not None:
        reason = _("the file gives this state")
    elif state is State.CLOSED and end is None:
        reason = _("its results were published, so the operation is over (the source gives no year)")
    elif state is State.CLOSED:
        reason = _("the operational phase ended in %(year)s and its results were published", year=end)
    elif state is State.DEBRIEFING:
        reason = _("the operational phase ended in %(year)s; no final report is on record", year=end)
    elif state is State.OPERATIONAL:
        reason = _("the operational phase runs in %(start)s–%(end)s", start=start, end=end) if start != end else (
            _("the operational phase runs in %(year)s", year=start))
    else:
        reason = _("the operation is planned for %(year)s", year=start)
    if dated:
        reason = _("%(reason)s; %(dated)s", reason=reason, dated=dated)
    if parsed.sources:
        return _("%(reason)s. Source: %(source)s", reason=reason, source=parsed.sources[0])
    return _("%(reason)s.", reason=reason)


def _followed_in_tracker(jco: Jco, event_notes: list[str]) -> bool:
    """True when someone (or something other than an import) has moved this operation on."""
    if not event_notes:
        return jco.state != State.PROPOSED
    return any(not note.startswith(IMPORT_NOTE_PREFIX) for note in event_notes)


def plan_import(session: Session, table: Table, *, filename: str, sha256: str = "",
                this_year: int | None = None) -> ImportReport:
    """What importing ``table`` would do, row by row. Reads the database, changes nothing."""
    this_year = this_year or today().year
    report = ImportReport(filename=filename, sha256=sha256, problems=list(table.problems))
    parsed_rows = [parse_row(values, number, this_year) for number, values in table.rows]

    organisations: dict[str, str] = {}
    bodies_by_name: dict[str, str] = {}
    for code, kind, name in session.execute(select(Organisation.code, Organisation.kind, Organisation.name)):
        organisations[code] = kind
        if kind == OrgKind.BODY:
            bodies_by_name.setdefault(name.casefold(), code)
            bodies_by_name.setdefault(code.casefold(), code)
    new_bodies: dict[str, str] = {}  # name (casefolded) → the code the import gives it
    existing: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for jco_id, name, edition in session.execute(select(Jco.id, Jco.name, Jco.edition).order_by(Jco.id)):
        existing[match_key(name, edition)].append((jco_id, operation_title(name, edition)))

    first_row: dict[tuple[str, str], int] = {}
    matched_ids: set[int] = set()
    for parsed in parsed_rows:
        for spec in parsed.participants:
            if spec.name:
                _find_body(parsed, spec, bodies_by_name, new_bodies, organisations)
            elif spec.code not in organisations:  # reference data not loaded yet
                parsed.error("participants", _("'%(code)s' is not in this register's organisations; "
                                               "run flask --app jco db upgrade", code=spec.code))
        parsed.participants = _one_per_organisation(parsed.participants)
        if not parsed.name:
            continue
        if parsed.key in first_row:
            parsed.error("name", _("the same operation as row %(row)s (%(title)s)", row=first_row[parsed.key],
                                   title=parsed.title))
            continue
        first_row[parsed.key] = parsed.row
        candidates = existing.get(parsed.key, [])
        if len(candidates) > 1:
            parsed.error("name", _("matches several operations of the register (%(titles)s); merge them first",
                                   titles=", ".join(title for __, title in candidates)))
        elif candidates:
            matched_ids.add(candidates[0][0])

    jcos = {
        j.id: j for j in session.scalars(
            select(Jco).where(Jco.id.in_(matched_ids)).options(
                selectinload(Jco.participants).selectinload(Participant.organisation),
                selectinload(Jco.commodities), selectinload(Jco.transport_modes),
            )
        )
    } if matched_ids else {}
    event_notes: dict[int, list[str]] = defaultdict(list)
    if matched_ids:
        for jco_id, note in session.execute(
            select(JcoEvent.jco_id, JcoEvent.note).where(JcoEvent.jco_id.in_(matched_ids))
        ):
            event_notes[jco_id].append(note or "")

    valid_rows = [p for p in parsed_rows if p.valid]
    citations: Counter[str] = Counter()
    for parsed in valid_rows:
        for cited in parsed.documents:
            citations[str(cited.reference)] += 1
    documents = {
        d.reference: d for d in session.scalars(select(Document).where(Document.reference.in_(list(citations))))
    } if citations else {}
    descriptions: dict[str, str] = {}
    for parsed in valid_rows:
        for cited in parsed.documents:
            if cited.description:
                descriptions.setdefault(str(cited.reference), cited.description)
    claimed: set[str] = set()

    for parsed in parsed_rows:
        plan = RowPlan(parsed=parsed)
        report.rows.append(plan)
        if not parsed.valid:
            plan.action = ERROR
            continue
        candidates = existing.get(parsed.key, [])
        jco = jcos.get(candidates[0][0]) if candidates else None
        if jco is None:
            _plan_new(plan, this_year)
        else:
            _plan_update(plan, jco, event_notes.get(jco.id, []), this_year)
        _plan_documents(plan, parsed, jco, documents, citations, descriptions, claimed)
        plan.action = CREATE if jco is None else (UPDATE if plan.changes else UNCHANGED)
    return report


def _new_body_code(name: str, taken) -> str:
    base = re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")[:16].strip("-") or "BODY"
    if len(base) < 3:  # two letters would read as a country code
        base = f"{base}-BODY"
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base[:16 - len(str(n)) - 1]}-{n}"
    return code


def _find_body(parsed: ParsedRow, spec: ParticipantSpec, bodies_by_name: dict[str, str],
               new_bodies: dict[str, str], organisations: dict[str, str]) -> None:
    """A body named by the file: one of the register's, or a new one (said as a warning)."""
    key = spec.name.casefold()
    if key in bodies_by_name:
        spec.code = bodies_by_name[key]
        return
    if key not in new_bodies:
        new_bodies[key] = _new_body_code(spec.name, set(organisations) | set(new_bodies.values()))
    spec.code, spec.new = new_bodies[key], True


def _one_per_organisation(specs: list[ParticipantSpec]) -> list[ParticipantSpec]:
    """Two names the file gives may be one body here (its code and its name): one participant."""
    rank = [Role.LEAD, Role.CO_LEAD, Role.PARTICIPANT, Role.OBSERVER]
    kept: dict[str, ParticipantSpec] = {}
    for spec in specs:
        first = kept.setdefault(spec.code, spec) if spec.code else spec
        if first is spec:
            continue
        if rank.index(Role(spec.role)) < rank.index(Role(first.role)):
            first.role = spec.role
        first.agencies += [a for a in spec.agencies if a.casefold() not in {b.casefold() for b in first.agencies}]
    return list(kept.values()) + [s for s in specs if not s.code]


def _warn_new_bodies(parsed: ParsedRow, specs: list[ParticipantSpec]) -> None:
    for spec in specs:
        if spec.new:
            column = {Role.LEAD: "lead", Role.CO_LEAD: "co_leads"}.get(Role(spec.role), "agencies")
            parsed.warn(column, _("'%(name)s' is not a body known here: it will be added as a new body "
                                  "(%(code)s)", name=spec.name, code=spec.code))


def _plan_new(plan: RowPlan, this_year: int) -> None:
    parsed = plan.parsed
    label = _(JcoKind(parsed.kind).label)
    if parsed.year_start:
        plan.changes.append(_("new operation %(title)s (%(kind)s, %(year)s)", title=parsed.title, kind=label,
                              year=parsed.year_start))
    else:
        plan.changes.append(_("new operation %(title)s (%(kind)s)", title=parsed.title, kind=label))
    plan.participants = parsed.participants
    if parsed.participants:
        plan.changes.append(_("participants — %(who)s", who=_codes_text(parsed.participants)))
        _warn_new_bodies(parsed, parsed.participants)
    if not any(p.role == Role.LEAD for p in parsed.participants):
        parsed.warn("lead", _("no lead given: the operation will have no lead on record"))
    if parsed.commodities:
        plan.commodities = parsed.commodities
        plan.changes.append(_("target goods: %(goods)s", goods=", ".join(parsed.commodities)))
    if parsed.transport_modes:
        plan.transport_modes = parsed.transport_modes
        plan.changes.append(_("transport modes: %(modes)s", modes=", ".join(parsed.transport_modes)))
    if parsed.year_start:
        plan.fields["year"] = parsed.year_start
    if parsed.operational:
        start, end = parsed.operational
        plan.fields.update(actual_start=start, actual_end=end, year=start.year)
        plan.changes.append(_("operational phase: %(days)s", days=day_range(start, end)))
    for name, value in _source_values(parsed).items():
        if value:
            plan.fields[name] = value
            plan.changes.append(_(_SOURCE_FIELDS[name][0]))
    plan.fields["framework"] = parsed.framework
    if not is_ccwp(parsed.framework):
        plan.changes.append(_("related operation: %(framework)s (%(code)s); it does not follow the CCWP life cycle",
                              framework=_(framework_label(parsed.framework)), code=parsed.framework))
        return
    state = parsed.state or historical_state(parsed.year_start, parsed.year_end, bool(parsed.public_results),
                                             this_year)
    if state is State.PROPOSED:
        if parsed.state is None:
            parsed.warn("year_start", _("no year given: the operation stays at Proposed"))
    else:
        reason = _plan_state(plan, state)
        plan.changes.append(_("state: %(state)s (%(reason)s)", state=_(STATE_SHORT[state]), reason=reason))


def _plan_state(plan: RowPlan, state: State) -> str:
    """Plan the move to ``state``; returns why, in the reader's language. The note kept with the
    operation's history (``plan.state_note``) is in English, whoever runs the import."""
    plan.state = state
    plan.state_on, dated = _state_day(plan.parsed, state)
    with force_locale("en"):
        plan.state_note = _state_reason(plan.parsed, state, _state_day(plan.parsed, state)[1])
    return _state_reason(plan.parsed, state, dated)


def _state_day(parsed: ParsedRow, state: State) -> tuple[date | None, str]:
    """The day the operation reached ``state``, as near as the file tells, and how it was found.

    The history shows this day, not the day of the import; an approximate day says so.
    """
    documents = sorted(d.doc_date for d in parsed.documents if d.doc_date)
    start, end = parsed.year_start or parsed.year_end, parsed.year_end or parsed.year_start
    if state is State.OPERATIONAL:
        if parsed.operational:
            return parsed.operational[0], ""
        if start:
            return date(start, 1, 1), _("dated 1 January %(year)s: the source gives the year only", year=start)
    elif state in (State.DEBRIEFING, State.CLOSED):
        known = [parsed.operational[1]] if parsed.operational else []
        if state is State.CLOSED:
            known += documents[-1:]
        if known:
            if known[-1] in documents:
                return max(known), _("dated by the latest Council document cited")
            return max(known), _("dated by the operational phase's end")
        if end:
            return date(end, 12, 31), _("dated 31 December %(year)s: the source gives the year only", year=end)
    elif documents:
        return documents[-1], _("dated by the latest Council document cited")
    return None, _("the source gives no date")


def _source_values(parsed: ParsedRow) -> dict[str, str]:
    return {
        "public_results": parsed.public_results,
        "sources": "\n".join(parsed.sources),
        "source_notes": parsed.source_notes,
        "other_agencies": "; ".join(parsed.other_agencies),
    }


def _plan_update(plan: RowPlan, jco: Jco, notes: list[str], this_year: int) -> None:
    parsed = plan.parsed
    plan.jco_id, plan.current_title = jco.id, jco.title
    # Tracker-owned facts: filled only when the tracker has none.
    if parsed.participants:
        if not jco.participants:
            plan.participants = parsed.participants
            plan.changes.append(_("participants — %(who)s", who=_codes_text(parsed.participants)))
            _warn_new_bodies(parsed, parsed.participants)
        else:
            known = {p.organisation.code for p in jco.participants}
            extra = [s.name or s.code for s in parsed.participants if s.code not in known]
            if extra:
                plan.notes.append(_("participants kept as the register has them; the file also names %(names)s",
                                    names=", ".join(extra)))
    current: list[str] | State  # the register's goods or modes below, then its state
    for attribute, values, added, kept in (
            ("commodities", parsed.commodities, N_("target goods: %(goods)s"),
             N_("target goods kept as the register has them; the file also names %(goods)s")),
            ("transport_modes", parsed.transport_modes, N_("transport modes: %(modes)s"),
             N_("transport modes kept as the register has them; the file also names %(modes)s"))):
        if not values:
            continue
        key = "goods" if attribute == "commodities" else "modes"
        current = [item.name for item in getattr(jco, attribute)]
        if not current:
            setattr(plan, attribute, values)
            plan.changes.append(_(added, **{key: ", ".join(values)}))
        else:
            extra = [v for v in values if v.casefold() not in {c.casefold() for c in current}]
            if extra:
                plan.notes.append(_(kept, **{key: ", ".join(extra)}))
    if parsed.operational and not (jco.actual_start or jco.actual_end):
        start, end = parsed.operational
        plan.fields.update(actual_start=start, actual_end=end)
        plan.changes.append(_("operational phase: %(days)s", days=day_range(start, end)))
        if jco.year != start.year:  # the year follows the actual start, as everywhere in the tracker
            plan.fields["year"] = start.year
    elif parsed.year_start and jco.year is None and not (jco.actual_start or jco.planned_start):
        plan.fields["year"] = parsed.year_start
        plan.changes.append(_("year: %(year)s", year=parsed.year_start))
    elif parsed.year_start and jco.year and jco.year != parsed.year_start:
        plan.notes.append(_("year kept at %(year)s; the file says %(given)s", year=jco.year, given=parsed.year_start))
    # Source facts: the file's non-blank value is the current one.
    for name, value in _source_values(parsed).items():
        if value and value != getattr(jco, name):
            plan.fields[name] = value
            plan.changes.append(_(_SOURCE_FIELDS[name][1 if getattr(jco, name) else 0]))
    if "other_agencies" not in plan.fields:
        # Already kept on the operation by an earlier import: nothing to warn about again.
        parsed.problems = [p for p in parsed.problems if p.error or p.column != "agencies"]
    if parsed.framework_given and parsed.framework != jco.framework:
        if _followed_in_tracker(jco, notes):
            plan.notes.append(_("framework kept at %(code)s: the register follows this operation's life cycle",
                                code=jco.framework))
        else:
            plan.fields["framework"] = parsed.framework
            plan.changes.append(_("framework: %(before)s → %(after)s", before=jco.framework, after=parsed.framework))
    if not is_ccwp(plan.fields.get("framework", jco.framework)):
        return  # a related operation has no life cycle
    # State: forward only, and only when no one follows the operation in the tracker.
    target = parsed.state or historical_state(parsed.year_start, parsed.year_end, bool(parsed.public_results),
                                              this_year)
    current = State(jco.state)
    if target is current or target is State.PROPOSED:
        return
    if _followed_in_tracker(jco, notes):
        plan.notes.append(_("state kept at %(state)s: the register follows this operation's life cycle",
                            state=_(STATE_SHORT[current])))
    elif current is State.WITHDRAWN or _FORWARD.index(target) < _FORWARD.index(current):
        plan.notes.append(_("state kept at %(state)s: an import never moves an operation back",
                            state=_(STATE_SHORT[current])))
    else:
        reason = _plan_state(plan, target)
        plan.changes.append(_("state: %(before)s → %(after)s (%(reason)s)", before=_(STATE_SHORT[current]),
                              after=_(STATE_SHORT[target]), reason=reason))


def _plan_documents(plan: RowPlan, parsed: ParsedRow, jco: Jco | None, documents: dict[str, Document],
                    citations: Counter, descriptions: dict[str, str], claimed: set[str]) -> None:
    classification = parsed.classification
    unchecked = False
    for cited in parsed.documents:
        reference = str(cited.reference)
        only_here = citations[reference] == 1
        document = documents.get(reference)
        if document is None:
            if reference in claimed:
                continue  # an earlier row registers it
            claimed.add(reference)
            if classification is None or classification.marking is None:
                marking, unchecked = Marking.LIMITE, True
            else:
                marking = classification.marking
            description = descriptions.get(reference, "")
            title = (description[:1].upper() + description[1:]) if description else (
                f"Council document {reference}, cited for JCO {plan.title}" if only_here
                else f"Council document {reference}, cited for {citations[reference]} operations")
            plan.register.append(DocumentPlan(
                reference=reference, title=title[:300], doc_type=_doc_type(reference, description), marking=marking,
                partially_public=bool(classification and classification.partially_public),
                made_public_on=classification.made_public_on if classification else None,
                subject_codes=list(cited.subject_codes), doc_date=cited.doc_date, link=only_here,
            ))
            shown = f"{reference} ({marking.value})" if marking.value else reference
            plan.changes.append(_("register document %(document)s and link it", document=shown) if only_here else
                                _("register document %(document)s — cited by several operations: not linked",
                                  document=shown))
        elif jco is not None and document.jco_id == jco.id:
            continue
        elif only_here and document.jco_id is None:
            plan.link.append(document.id)
            plan.changes.append(_("link document %(reference)s", reference=reference))
        elif only_here:
            parsed.warn("council_docs", _("%(reference)s belongs to another operation; it stays there",
                                          reference=reference))
    if unchecked:
        parsed.warn("classification", _("the file does not give the marking of the cited Council documents; "
                                        "those registered by this import are marked LIMITE until someone checks them"))


# --- applying -----------------------------------------------------------------------------------

def apply_import(session: Session, report: ImportReport, actor=None) -> ImportReport:
    """Carry out the plan of every row without errors. Flushes; the caller commits once.

    Each row runs in a savepoint, so a row that fails here (say, someone registered one of its
    documents a moment ago) becomes an error row and the others still go in.
    """
    def organisation_ids() -> dict[str, int]:
        return dict(session.execute(select(Organisation.code, Organisation.id)).all())

    org_ids = organisation_ids()
    for plan in report.rows:
        if plan.action not in (CREATE, UPDATE):
            continue
        try:
            with session.begin_nested():
                _apply_row(session, plan, org_ids, report.filename, actor)
        except (DocumentError, LifecycleError, ValueError) as error:
            plan.parsed.error("", _("could not be imported: %(problem)s", problem=error))
            plan.action = ERROR
        except (IntegrityError, StaleDataError):
            plan.parsed.error("", _("could not be imported: someone changed the same operation or document at "
                                    "the same moment; run the import again"))
            plan.action = ERROR
        if plan.action == ERROR:
            org_ids = organisation_ids()  # a body added by the failed row went with it
    report.applied = True
    return report


def _apply_row(session: Session, plan: RowPlan, org_ids: dict[str, int], filename: str, actor) -> None:
    parsed = plan.parsed
    if plan.action == CREATE:
        jco = ops.create_jco(session, ops.JcoDetails(
            name=parsed.name, edition=parsed.edition, kind=parsed.kind,
            commodities=plan.commodities, transport_modes=plan.transport_modes,
        ), actor)
        before: dict = {}
    else:
        found = session.get(Jco, plan.jco_id)
        assert found is not None  # the plan was made from this operation
        jco = found
        before = audit.snapshot(jco, list(plan.fields))
        if plan.commodities is not None:
            jco.commodities = ops.commodities(session, plan.commodities)
        if plan.transport_modes is not None:
            jco.transport_modes = ops.transport_modes(session, plan.transport_modes)
    for name, value in plan.fields.items():
        setattr(jco, name, value)
    if plan.participants:
        for spec in plan.participants:
            if spec.code not in org_ids:
                org_ids[spec.code] = _add_body(session, spec, filename, actor)
            # jco_id: set by the relationship.
            jco.participants.append(Participant(organisation_id=org_ids[spec.code], role=spec.role,  # type: ignore[call-arg]
                                                agency=spec.agency))
    jco.updated_at = utcnow()
    session.add(jco)
    session.flush()
    after = audit.snapshot(jco, list(plan.fields))
    if plan.participants:
        after["participants"] = [(s.code, s.role, s.agency) for s in plan.participants]
    audit.record(session, actor, "jco.import", jco, jco_id=jco.id,
                 summary=f"Imported {jco.title} from {filename} (row {parsed.row})", before=before or None,
                 after=after)
    for doc in plan.register:
        register_document(session, DocumentDetails(
            reference=doc.reference, title=doc.title, doc_type=doc.doc_type, marking=doc.marking,
            partially_public=doc.partially_public, made_public_on=doc.made_public_on, doc_date=doc.doc_date,
            subject_codes=doc.subject_codes, jco_id=jco.id if doc.link else None, from_text="", to_text="",
            place="",
        ), actor)
    for document_id in plan.link:
        document = session.get(Document, document_id)
        document.jco_id = jco.id
        session.add(document)
        audit.record(session, actor, "document.link", document, jco_id=jco.id,
                     summary=f"Linked {document.reference} to {jco.title} (import of {filename})")
    if plan.state is not None:
        ops.record_known_state(session, jco, plan.state, actor, on=plan.state_on,
                               note=f"{IMPORT_NOTE_PREFIX} from {filename}, row {parsed.row}: {plan.state_note}")
    sync_public_results(session, jco)
    session.flush()


def sync_public_results(session: Session, jco: Jco) -> None:
    """Result rows ``from public sources`` for the quantities ``jco.public_results`` states plainly
    (:func:`published_quantities`): CCWP operations only (the others hold no results), kept apart
    from a final report's rows by their source, and replaced only when the text says something else,
    so importing the same file again changes nothing. Flushes, so the dashboard's totals follow."""
    wanted = sorted(published_quantities(jco.public_results)) if jco.is_ccwp else []
    stored = session.execute(
        select(Commodity.name, Result.quantity, Result.unit).join(Commodity, Commodity.id == Result.commodity_id)
        .where(Result.jco_id == jco.id, Result.source == ResultSource.PUBLIC.value)
    ).all()
    if sorted((name.lower(), quantity, unit) for name, quantity, unit in stored) == wanted:
        return
    session.execute(delete(Result).where(Result.jco_id == jco.id, Result.source == ResultSource.PUBLIC.value))
    if wanted:
        by_name = {c.name.lower(): c for c in ops.commodities(session, [goods for goods, _quantity, _unit in wanted])}
        session.flush()  # new commodities need their ids
        session.add_all(Result(jco_id=jco.id, commodity_id=by_name[goods].id, quantity=quantity, unit=unit,
                               year=jco.year, source=ResultSource.PUBLIC.value) for goods, quantity, unit in wanted)
    session.flush()


def _add_body(session: Session, spec: ParticipantSpec, filename: str, actor) -> int:
    body = Organisation(code=spec.code, name=spec.name, kind=OrgKind.BODY)
    session.add(body)
    session.flush()
    assert body.id is not None  # the flush gave it one
    audit.record(session, actor, "organisation.create", body,
                 summary=f"Added the body {body.name} ({body.code}), named by the import of {filename}",
                 after=audit.snapshot(body))
    return body.id


def import_table(session: Session, table: Table, *, filename: str, sha256: str = "", actor=None,
                 dry_run: bool = False) -> ImportReport:
    """Plan, and unless ``dry_run`` apply, in the caller's transaction."""
    report = plan_import(session, table, filename=filename, sha256=sha256)
    if not dry_run:
        apply_import(session, report, actor)
    return report


# --- the upload kept between the dry run and the import --------------------------------------

STASH_HOURS = 24


def stash_upload(session: Session, content: bytes, filename: str, actor=None) -> str:
    """Keep the uploaded bytes under their SHA-256 (the same file twice is kept once); returns the digest.

    Stashes older than a day are dropped here, so an unconfirmed dry run leaves nothing for long.
    """
    digest = hashlib.sha256(content).hexdigest()
    session.execute(delete(ImportStash).where(ImportStash.created_at < utcnow() - timedelta(hours=STASH_HOURS)))
    stash = session.scalar(select(ImportStash).where(ImportStash.sha256 == digest))
    if stash is None:
        session.add(ImportStash(sha256=digest, filename=filename[:255], content=content,
                                created_by_id=getattr(actor, "id", None)))
    else:
        stash.filename, stash.created_at = filename[:255], utcnow()
        session.add(stash)
    session.flush()
    return digest


def load_stash(session: Session, digest: str) -> ImportStash | None:
    return session.scalar(select(ImportStash).where(ImportStash.sha256 == digest))
