"""The only code that changes a JCO: each change checks the life cycle and is logged.

Services flush but never commit; the caller (a view, the CLI, the API) commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import exists
from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from jco.audit import services as audit
from jco.core.timeutil import utcnow
from jco.documents.models import DocType, Document
from jco.meetings.models import Meeting
from jco.operations import lifecycle
from jco.operations.lifecycle import Body, Facts, LifecycleError, State, Transition
from jco.operations.models import (
    ActionPlanAction,
    Commodity,
    FundedProject,
    Jco,
    JcoEvent,
    Organisation,
    Participant,
    Role,
    TransportMode,
    operation_title,
)
from jco.permissions import Refused


class StaleEdit(RuntimeError):
    """The page was out of date: someone else changed the record since it was loaded."""

    def __init__(self, what: str | None = None):
        super().__init__(_(
            "%(what)s was changed by someone else after you opened the page. "
            "Reload it to see the latest version, then make your change again.", what=what or _("This record")))


def check_version(obj, submitted: int | str | None, what: str) -> None:
    if submitted in (None, ""):
        return  # the server's own changes (import, CLI); every page form requires it (jco.web.forms)
    try:
        submitted = int(submitted)
    except (TypeError, ValueError):
        raise Refused(_("The version must be a whole number: the one the page or the API showed."),
                      status=422, field="version") from None
    if submitted != obj.version:
        raise StaleEdit(what)


def gather_facts(session: Session, jco: Jco) -> Facts:
    def has(doc_type: DocType) -> bool:
        return bool(session.scalar(
            select(exists().where(Document.jco_id == jco.id, Document.doc_type == doc_type))
        ))

    # Adoptions count since the report was last not adopted; a postponed operation resumes where
    # its last postponement found it.
    adopted_by: set[Body] = set()
    postponed_from = None
    for transition, body, from_state in session.execute(
        select(JcoEvent.transition, JcoEvent.body, JcoEvent.from_state).where(
            JcoEvent.jco_id == jco.id,
            JcoEvent.transition.in_([Transition.ADOPT_REPORT, Transition.NOT_ADOPTED, Transition.POSTPONE]),
        ).order_by(JcoEvent.id)
    ):
        if transition == Transition.ADOPT_REPORT and body:
            adopted_by.add(Body(body))
        elif transition == Transition.NOT_ADOPTED:
            adopted_by.clear()
        elif transition == Transition.POSTPONE:
            postponed_from = State(from_state)
    return Facts(
        has_business_case=has(DocType.BUSINESS_CASE),
        has_final_report=has(DocType.FINAL_REPORT),
        report_prior_body=Body(jco.report_prior_body) if jco.report_prior_body else None,
        report_adopted_by=frozenset(adopted_by),
        report_next_body=Body(jco.report_next_body) if jco.report_next_body else None,
        postponed_from=postponed_from,
    )


def _keep_reason_and_next_body(jco: Jco, transition: Transition, target: State, facts: Facts,
                               body: Body | None, then_by: Body | None, note: str) -> None:
    """What the operation's page shows about its current state, beside the history."""
    if transition is Transition.WITHDRAW:
        jco.withdrawn_reason = note.strip()
    elif transition is Transition.POSTPONE:
        jco.postponed_reason = note.strip()
    elif transition is Transition.RESUME:
        jco.postponed_reason = ""
    elif transition is Transition.CANCEL:
        jco.cancelled_reason = note.strip()
    if transition is Transition.ADOPT_REPORT and target is State.REPORT_PARTLY_ADOPTED:
        jco.report_next_body = lifecycle.second_body(body, facts, then_by).value
    elif transition in (Transition.ADOPT_REPORT, Transition.NOT_ADOPTED):
        jco.report_next_body = None


def apply_transition(
    session: Session,
    jco: Jco,
    transition: Transition | str,
    actor=None,
    *,
    body: Body | str | None = None,
    then_by: Body | str | None = None,
    meeting: Meeting | None = None,
    document: Document | None = None,
    note: str = "",
    on: date | None = None,
) -> JcoEvent:
    """Move ``jco`` by ``transition`` or raise LifecycleError, changing nothing.

    ``then_by``: when a first body adopts the final report, the body that must adopt it next.
    """
    transition = Transition(transition)
    if not jco.is_ccwp:
        raise LifecycleError(_("%(jco)s is a %(framework)s, not a CCWP operation: it does not go through the "
                               "working party's life cycle.", jco=jco.title, framework=_(jco.framework_label)))
    if body is None and meeting is not None:
        body = meeting.body
    body = Body(body) if body else None
    then_by = Body(then_by) if then_by else None
    facts = gather_facts(session, jco)
    target = lifecycle.next_state(jco.state, transition, facts, body=body, then_by=then_by, reason=note)
    before = jco.state
    jco.state = target
    jco.updated_at = utcnow()
    _keep_reason_and_next_body(jco, transition, target, facts, body, then_by, note)
    event = JcoEvent(
        jco_id=jco.id,
        on=on or (meeting.start_date if meeting else None),
        actor_id=getattr(actor, "id", None),
        transition=transition,
        from_state=before,
        to_state=target,
        body=body.value if body else None,
        meeting_id=meeting.id if meeting else None,
        document_id=document.id if document else None,
        note=note.strip(),
    )
    session.add(jco)
    session.add(event)
    after: dict[str, str] = {"state": target}
    if jco.report_next_body:
        after["report_next_body"] = jco.report_next_body
    audit.record(
        session, actor, f"jco.{transition.value}", jco, jco_id=jco.id,
        summary=f"{jco.title}: {State(before).label} → {State(target).label}",
        before={"state": before}, after=after,
    )
    session.flush()
    return event


# --- creating and editing ---------------------------------------------------------------------

@dataclass
class JcoDetails:
    name: str
    edition: str = ""
    kind: str = "regional"
    description: str = ""
    action_id: int | None = None
    report_prior_body: str | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    commodities: list[str] | None = None
    transport_modes: list[str] | None = None
    project_ids: list[int] | None = None


def _vocabulary(session: Session, model, names: list[str]) -> list:
    """Rows for ``names``, adding those the vocabulary does not know yet (it grows)."""
    cleaned: list[str] = []
    for name in names:
        name = " ".join(name.split())
        if name and name.lower() not in {c.lower() for c in cleaned}:
            cleaned.append(name)
    if not cleaned:
        return []
    existing = {r.name.lower(): r for r in session.scalars(select(model))}
    rows = []
    for name in cleaned:
        row = existing.get(name.lower())
        if row is None:
            row = model(name=name)
            session.add(row)
            existing[name.lower()] = row
        rows.append(row)
    return rows


def commodities(session: Session, names: list[str]) -> list[Commodity]:
    return _vocabulary(session, Commodity, names)


def transport_modes(session: Session, names: list[str]) -> list[TransportMode]:
    return _vocabulary(session, TransportMode, names)


def _year(jco: Jco) -> int | None:
    day = jco.actual_start or jco.planned_start
    # Without dates, keep the year a source gave (imported operations often know only the year).
    return day.year if day else jco.year


def _apply_details(session: Session, jco: Jco, details: JcoDetails) -> None:
    jco.name = details.name.strip()
    jco.edition = details.edition.strip()
    jco.kind = details.kind
    jco.description = details.description.strip()
    jco.action_id = details.action_id
    jco.report_prior_body = details.report_prior_body or None
    jco.planned_start = details.planned_start
    jco.planned_end = details.planned_end
    jco.year = _year(jco)
    if details.commodities is not None:
        jco.commodities = commodities(session, details.commodities)
    if details.transport_modes is not None:
        jco.transport_modes = transport_modes(session, details.transport_modes)
    if details.project_ids is not None:
        jco.projects = list(session.scalars(select(FundedProject).where(FundedProject.id.in_(details.project_ids))))


def _details_snapshot(jco: Jco) -> dict:
    data = audit.snapshot(jco, ["name", "edition", "kind", "description", "report_prior_body",
                                "planned_start", "planned_end"])
    # The log shows the action's code, which people recognise, rather than a row id.
    session = object_session(jco)
    action = session.get(ActionPlanAction, jco.action_id) if session is not None and jco.action_id else None
    data["action"] = action.code if action else None
    data["commodities"] = sorted(c.name for c in jco.commodities)
    data["transport_modes"] = sorted(t.name for t in jco.transport_modes)
    data["projects"] = sorted(p.acronym for p in jco.projects)
    return data


def create_jco(
    session: Session,
    details: JcoDetails,
    actor=None,
    *,
    lead: Organisation | None = None,
    lead_agency: str = "",
) -> Jco:
    duplicate = session.scalar(
        select(Jco.id).where(Jco.name == details.name.strip(), Jco.edition == details.edition.strip())
    )
    if duplicate:
        raise ValueError(_("There is already an operation called “%(jco)s”.",
                           jco=operation_title(details.name, details.edition)))
    jco = Jco(name=details.name.strip(), state=State.PROPOSED)  # type: ignore[call-arg]  # version: set by SQLAlchemy
    _apply_details(session, jco, details)
    session.add(jco)
    session.flush()
    if lead is not None:
        session.add(Participant(jco_id=jco.id, organisation_id=lead.id, role=Role.LEAD, agency=lead_agency))
    audit.record(session, actor, "jco.create", jco, jco_id=jco.id, summary=f"Created {jco.title}",
                 after=_details_snapshot(jco))
    session.flush()
    return jco


def update_jco(session: Session, jco: Jco, details: JcoDetails, actor=None, *, version: int | None = None) -> Jco:
    check_version(jco, version, _("This operation"))
    before = _details_snapshot(jco)
    _apply_details(session, jco, details)
    jco.updated_at = utcnow()
    after = _details_snapshot(jco)
    b, a = audit.diff(before, after)
    audit.record(session, actor, "jco.update", jco, jco_id=jco.id, summary=f"Edited {jco.title}", before=b, after=a)
    session.flush()
    return jco


def record_operation(
    session: Session,
    jco: Jco,
    actor=None,
    *,
    actual_start: date | None,
    actual_end: date | None,
    debriefing_date: date | None,
    debriefing_place: str,
    version: int | None = None,
) -> Jco:
    check_version(jco, version, _("This operation"))
    if actual_start and actual_end and actual_end < actual_start:
        raise ValueError(_("The operational phase cannot end before it starts."))
    fields = ["actual_start", "actual_end", "debriefing_date", "debriefing_place"]
    before = audit.snapshot(jco, fields)
    jco.actual_start, jco.actual_end = actual_start, actual_end
    jco.debriefing_date, jco.debriefing_place = debriefing_date, debriefing_place.strip()
    jco.year = _year(jco)
    jco.updated_at = utcnow()
    b, a = audit.diff(before, audit.snapshot(jco, fields))
    audit.record(session, actor, "jco.operation", jco, jco_id=jco.id, summary=f"Recorded the operation of {jco.title}",
                 before=b, after=a)
    session.flush()
    return jco


# Every country of the world and the bodies fit; more is a mistake or an attack. The page's list has
# four fields a row, which stays under Flask's thousand form fields.
MAX_PARTICIPANTS = 200


@dataclass
class ParticipantRow:
    organisation_id: int
    role: str
    agency: str = ""


def set_participants(
    session: Session, jco: Jco, rows: list[ParticipantRow], actor=None, *, version: int | None = None
) -> Jco:
    check_version(jco, version, _("This operation"))
    if len(rows) > MAX_PARTICIPANTS:
        raise Refused(_("%(count)s participants is more than the %(most)s an operation may list; nothing was saved.",
                        count=format_number(len(rows)), most=format_number(MAX_PARTICIPANTS)),
                      status=422, field="rows")
    seen: set[int] = set()
    for row in rows:
        if row.organisation_id in seen:
            raise ValueError(_("Each organisation can take part only once; remove the duplicate row."))
        seen.add(row.organisation_id)
        Role(row.role)
    if not any(r.role == Role.LEAD for r in rows):
        raise ValueError(_("An operation needs a lead."))
    before = [(p.organisation_id, p.role, p.agency) for p in jco.participants]
    current = {p.organisation_id: p for p in jco.participants}
    participant: Participant | None
    for org_id, participant in list(current.items()):
        if org_id not in seen:
            jco.participants.remove(participant)
    for row in rows:
        participant = current.get(row.organisation_id)
        if participant is None:
            # jco_id: set by the relationship.
            jco.participants.append(Participant(organisation_id=row.organisation_id, role=row.role, agency=row.agency))  # type: ignore[call-arg]
        else:
            participant.role, participant.agency = row.role, row.agency
    jco.updated_at = utcnow()  # bumps the version, so concurrent participant edits collide
    session.add(jco)
    after = [(r.organisation_id, r.role, r.agency) for r in rows]
    audit.record(session, actor, "jco.participants", jco, jco_id=jco.id,
                 summary=f"Changed the participants of {jco.title}",
                 before={"participants": _participant_lines(session, before)},
                 after={"participants": _participant_lines(session, after)})
    session.flush()
    return jco


def _participant_lines(session: Session, rows: list[tuple[int, str, str]]) -> list[str]:
    """Participants as people read them in the log ("PL lead, Polish Customs Administration")."""
    ids = {org_id for org_id, _, _ in rows}
    codes: dict[int, str] = dict(session.execute(select(Organisation.id, Organisation.code).where(Organisation.id.in_(ids))).all()) \
        if ids else {}
    lines = []
    for org_id, role, agency in rows:
        line = f"{codes.get(org_id, org_id)} {Role(role).label.lower()}"
        lines.append(f"{line}, {agency}" if agency else line)
    return sorted(lines)


def action_by_code(session: Session, code: str) -> ActionPlanAction | None:
    return session.scalar(select(ActionPlanAction).where(ActionPlanAction.code == code))


__all__ = [
    "JcoDetails", "LifecycleError", "ParticipantRow", "StaleEdit", "apply_transition", "check_version",
    "create_jco", "gather_facts", "record_operation", "set_participants", "update_jco",
]


RECORD_STATE = "record_state"


def record_known_state(
    session: Session, jco: Jco, state: State | str, actor=None, *, on: date | None = None, note: str,
) -> JcoEvent:
    """Set the state that a source reports, when the steps before it are not on record.

    Used by the importer and the demo for operations that predate the system. It is logged as its
    own kind of event, so the history never pretends that an undocumented step was taken here.
    """
    state = State(state)
    if not note.strip():
        raise ValueError(_("Say where the recorded state comes from."))
    before = jco.state
    jco.state = state
    jco.updated_at = utcnow()
    event = JcoEvent(jco_id=jco.id, on=on, actor_id=getattr(actor, "id", None), transition=RECORD_STATE,
                     from_state=before, to_state=state, note=note.strip())
    session.add_all([jco, event])
    audit.record(session, actor, "jco.record_state", jco, jco_id=jco.id,
                 summary=f"{jco.title}: recorded as {state.label}", before={"state": before}, after={"state": state})
    session.flush()
    return event
