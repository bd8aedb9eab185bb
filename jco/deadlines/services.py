"""Deadlines from the database: the derived ones computed in a fixed number of queries, and the
only code that creates or changes a deadline set by hand (each change audited).

Who owes what (decided here, documented in the README):
- a comment round (on a business case or a final report): the delegation of every member state
  on the round's deadline, except the lead's and co-leads' (they wrote the document and read the
  comments) — whoever takes part (jco.comments.services.delegations_asked). A delegation has met
  it once it has sent its comment on that round.
- a revised business case due for a meeting (an agenda item "revision" on a meeting still to
  come): the lead, JCO_REVISION_DUE_DAYS before the meeting; met once a business-case revision
  newer than the one discussed so far (in comment rounds or at earlier meetings) is registered.
- the final report: the lead, JCO_REPORT_DUE_DAYS after the operational phase ended or the
  debriefing, whichever is later; met once a final-report document is registered.
- the adoption of a presented (or partly adopted) final report: the Secretariat, at the first
  meeting of the adopting body after the report reached that stage, or JCO_ADOPTION_DUE_DAYS
  after it when no such meeting is scheduled. It disappears when the report is adopted.
- deadlines set by hand: their owners; met when the Secretariat records completion.
Derived deadlines of closed, withdrawn, cancelled or postponed operations are not listed: nothing is
owed any more, or not until the operation resumes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from jco import permissions
from jco.audit import services as audit
from jco.comments import services as comment_services
from jco.comments.models import Comment, CommentRound
from jco.core.dates import long_date
from jco.core.timeutil import utcnow
from jco.deadlines.models import ManualDeadline
from jco.deadlines.rules import (
    SECRETARIAT,
    Deadline,
    Kind,
    Owner,
    Status,
    deadline_key,
    first_meeting_after,
    meeting_led_up_to,
    report_due,
    revision_due,
)
from jco.deadlines.store import PerOperation, store
from jco.documents.models import DocType, Document
from jco.meetings.models import AgendaItem, AgendaItemDocument, Meeting
from jco.operations import lifecycle
from jco.operations.lifecycle import ADOPTING_BODIES, OPEN_STATES, Body, State
from jco.operations.models import Jco, JcoEvent, Organisation, Participant, Role
from jco.operations.queries import in_ccwp
from jco.operations.services import check_version


@dataclass(frozen=True)
class Settings:
    revision_due_days: int = 10
    report_due_days: int = 90
    adoption_due_days: int = 60

    @classmethod
    def from_config(cls, config) -> Settings:
        return cls(
            revision_due_days=int(config.get("JCO_REVISION_DUE_DAYS", 10)),
            report_due_days=int(config.get("JCO_REPORT_DUE_DAYS", 90)),
            adoption_due_days=int(config.get("JCO_ADOPTION_DUE_DAYS", 60)),
        )


ADOPTION_STATES = tuple(sorted(lifecycle.REPORT_STATES | {State.REPORT_PARTLY_ADOPTED}))
REPORT_STATES = (State.OPERATIONAL, State.DEBRIEFING, *ADOPTION_STATES, State.REPORT_ADOPTED)
# A postponed operation owes nothing until it resumes (its deadlines come back then).
_OPEN = [s.value for s in OPEN_STATES if s is not State.POSTPONED]


def _day(moment) -> date:
    return moment.date() if hasattr(moment, "date") else moment


def _registered(document: Document) -> date:
    """When a document met a deadline: its own date if known, else the day it was registered."""
    return document.doc_date or _day(document.created_at)


def _meeting_label(meeting: Meeting) -> str:
    return f"{meeting.display_title}, {meeting.days_label}"


def collect(session: Session, today: date, settings: Settings, *, jco_id: int | None = None,
            jco_ids: Collection[int] | None = None) -> list[Deadline]:
    """Every deadline (of one operation, ``jco_id``, or of some, ``jco_ids``), soonest first.

    The number of queries is fixed, whatever the number of operations, rounds or deadlines.
    """
    wanted = (jco_id,) if jco_id is not None else jco_ids

    def only_jco(query, column):
        if wanted is None:
            return query
        return query.where(column == next(iter(wanted))) if len(wanted) == 1 else query.where(column.in_(wanted))

    # 1. comment rounds of open operations, with their operation and document
    rounds = session.execute(only_jco(
        select(CommentRound, Jco, Document)
        .join(Jco, Jco.id == CommentRound.jco_id)
        .join(Document, Document.id == CommentRound.document_id)
        .where(Jco.state.in_(_OPEN), in_ccwp()), CommentRound.jco_id,
    )).all()
    # 2. revision items on meetings still to come
    revisions = session.execute(only_jco(
        select(AgendaItem, Meeting, Jco)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Jco, Jco.id == AgendaItem.jco_id)
        .where(AgendaItem.purpose == "revision", Meeting.start_date >= today, Jco.state.in_(_OPEN), in_ccwp()),
        AgendaItem.jco_id,
    )).all()
    # 3. operations that owe a final report, or whose report awaits adoption
    report_jcos = session.scalars(only_jco(
        select(Jco).where(
            Jco.state.in_([s.value for s in REPORT_STATES]), in_ccwp(),
            or_(Jco.actual_end.is_not(None), Jco.debriefing_date.is_not(None), Jco.state.in_(ADOPTION_STATES)),
        ), Jco.id,
    )).all()

    jco_ids = {j.id for _, j, _ in rounds} | {j.id for _, _, j in revisions} | {j.id for j in report_jcos}
    round_ids = [r.id for r, _, _ in rounds]
    revision_jco_ids = {j.id for _, _, j in revisions}
    adoption_jcos = [j for j in report_jcos if j.state in ADOPTION_STATES]

    # 4. who takes part, 5. who has commented (and, when there are rounds, 5b. the member states)
    # Plain rows, not ORM objects: thousands of them on a large register.
    participants: dict[int, list[tuple[str, Owner]]] = defaultdict(list)
    if jco_ids:
        names: dict[int, str] = {}  # each organisation's name in the reader's language, worked out once
        for participant_jco, role, organisation_id, name, kind, code in session.execute(
            select(Participant.jco_id, Participant.role, Organisation.id, Organisation.name, Organisation.kind,
                   Organisation.code)
            .join(Organisation, Organisation.id == Participant.organisation_id)
            .where(Participant.jco_id.in_(jco_ids))
            .order_by(Organisation.name)
        ):
            if organisation_id not in names:
                names[organisation_id] = Organisation(code=code, name=name, kind=kind).local_name
            participants[participant_jco].append((role, Owner(organisation_id, names[organisation_id])))
    commented: dict[int, dict[int, date]] = defaultdict(dict)
    if round_ids:
        for round_id, organisation_id, submitted_at in session.execute(
            select(Comment.round_id, Comment.organisation_id, Comment.submitted_at).where(Comment.round_id.in_(round_ids))
        ):
            commented[round_id][organisation_id] = _day(submitted_at)

    # 6. the business cases and final reports of those operations
    documents: dict[int, list[Document]] = defaultdict(list)
    doc_jco_ids = revision_jco_ids | {j.id for j in report_jcos}
    if doc_jco_ids:
        for document in session.scalars(
            select(Document).where(
                Document.jco_id.in_(doc_jco_ids),
                Document.doc_type.in_([DocType.BUSINESS_CASE.value, DocType.FINAL_REPORT.value]),
            )
        ):
            documents[document.jco_id].append(document)  # type: ignore[index]  # only these operations' documents
    # 7. which business-case revision was before the working party so far (rounds, earlier meetings)
    discussed: dict[int, list[tuple[date | None, int]]] = defaultdict(list)
    if revision_jco_ids:
        for jco, day, revision in session.execute(
            select(AgendaItem.jco_id, Meeting.start_date, Document.revision)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .join(AgendaItemDocument, AgendaItemDocument.agenda_item_id == AgendaItem.id)
            .join(Document, Document.id == AgendaItemDocument.document_id)
            .where(AgendaItem.jco_id.in_(revision_jco_ids), Document.doc_type == DocType.BUSINESS_CASE.value)
        ):
            discussed[jco].append((day, revision or 0))
        for round_, _jco, document in rounds:
            if round_.jco_id in revision_jco_ids:
                discussed[round_.jco_id].append((None, document.revision or 0))
    # 8. when each report reached its stage, 9. the meetings that may adopt it
    entered: dict[int, date] = {}
    meetings: list[Meeting] = []
    if adoption_jcos:
        for event in session.scalars(
            select(JcoEvent).join(Jco, Jco.id == JcoEvent.jco_id)
            .where(JcoEvent.jco_id.in_([j.id for j in adoption_jcos]), JcoEvent.to_state == Jco.state)
            .order_by(JcoEvent.at)
        ):
            entered[event.jco_id] = event.on or _day(event.at)
        earliest = min(entered.values(), default=today)
        meetings = list(session.scalars(
            select(Meeting).where(Meeting.start_date > earliest).order_by(Meeting.start_date, Meeting.id)
        ))
    # 10. deadlines set by hand (and 11. their owners)
    manual = session.execute(only_jco(
        select(ManualDeadline, Jco, Meeting)
        .outerjoin(Jco, Jco.id == ManualDeadline.jco_id)
        .outerjoin(Meeting, Meeting.id == ManualDeadline.meeting_id)
        .options(selectinload(ManualDeadline.owners)), ManualDeadline.jco_id,
    )).all()

    deadlines: list[Deadline] = []

    def owners_with(jco: Jco, roles: tuple[str, ...]) -> list[Owner]:
        return [owner for role, owner in participants[jco.id] if role in roles]  # type: ignore[index]  # a loaded row

    countries = comment_services.member_state_delegations(session) if rounds else []
    country_owners = {o.id: Owner(o.id, o.local_name) for o in countries}  # each name worked out once
    for round_, jco, document in rounds:
        authors = {o.organisation_id for o in owners_with(jco, comment_services.AUTHOR_ROLES)}
        owners = [country_owners[o.id]
                  for o in comment_services.delegations_asked(countries, round_.deadline, authors)]
        deadlines.append(Deadline(
            key=deadline_key(Kind.COMMENTS, round_.id), kind=Kind.COMMENTS,
            title=_("Written comments on %(reference)s (JCO %(title)s)", reference=document.reference, title=jco.title),
            due=round_.deadline, owners=owners,
            met_by={o.organisation_id: commented[round_.id][o.organisation_id]
                    for o in owners if o.organisation_id in commented[round_.id]},
            jco_id=jco.id, jco_title=jco.title, documents=[document],
        ))

    for item, meeting, jco in revisions:
        baseline = max((rev for day, rev in discussed[jco.id] if day is None or day < meeting.start_date), default=0)
        newer = [d for d in documents[jco.id] if d.doc_type == DocType.BUSINESS_CASE and d.addendum is None
                 and d.corrigendum is None and (d.revision or 0) > baseline]
        owners = owners_with(jco, (Role.LEAD,))
        met_on = min((_registered(d) for d in newer), default=None)
        deadlines.append(Deadline(
            key=deadline_key(Kind.REVISION, item.id), kind=Kind.REVISION,
            title=_("Revised business case of JCO %(title)s for %(meeting)s", title=jco.title,
                    meeting=_meeting_label(meeting)),
            due=revision_due(meeting.start_date, settings.revision_due_days), owners=owners,
            met_by={o.organisation_id: met_on for o in owners} if met_on else {},
            jco_id=jco.id, jco_title=jco.title, meeting_id=meeting.id, meeting_label=_meeting_label(meeting),
            documents=sorted(newer, key=lambda d: d.sort_key),
        ))

    for jco in report_jcos:
        reports = sorted((d for d in documents[jco.id] if d.doc_type == DocType.FINAL_REPORT), key=lambda d: d.sort_key)
        due = report_due(jco.actual_end, jco.debriefing_date, settings.report_due_days)
        if due is not None:
            owners = owners_with(jco, (Role.LEAD,))
            met_on = min((_registered(d) for d in reports), default=None)
            deadlines.append(Deadline(
                key=deadline_key(Kind.REPORT, jco.id), kind=Kind.REPORT,
                title=_("Final report of JCO %(title)s", title=jco.title),
                due=due, owners=owners, met_by={o.organisation_id: met_on for o in owners} if met_on else {},
                jco_id=jco.id, jco_title=jco.title, documents=reports,
            ))
        if jco.state in ADOPTION_STATES:
            since = entered.get(jco.id, _day(jco.updated_at))
            if jco.state == State.REPORT_PARTLY_ADOPTED and jco.report_next_body:
                bodies: tuple[str, ...] = (Body(jco.report_next_body).value,)
            elif jco.state != State.REPORT_PARTLY_ADOPTED and jco.report_prior_body:
                # Either order is allowed; the deadline follows the order planned.
                bodies = (Body(jco.report_prior_body).value,)
            else:
                bodies = tuple(b.value for b in ADOPTING_BODIES)
            meeting = first_meeting_after(since, meetings, bodies)
            body_label = _(Body(bodies[0]).label)
            if meeting is not None:
                due, meeting_id, label = meeting.start_date, meeting.id, _meeting_label(meeting)
            else:
                due, meeting_id, label = since + timedelta(days=settings.adoption_due_days), None, ""
            deadlines.append(Deadline(
                key=deadline_key(Kind.ADOPTION, jco.id), kind=Kind.ADOPTION,
                title=_("Adoption of the final report of JCO %(title)s by the %(body)s", title=jco.title,
                        body=body_label),
                due=due, owners=[SECRETARIAT], jco_id=jco.id, jco_title=jco.title, meeting_id=meeting_id,
                meeting_label=label, documents=reports,
                note="" if meeting else ngettext(
                    "No meeting of the %(body)s is scheduled: due %(num)d day after %(day)s.",
                    "No meeting of the %(body)s is scheduled: due %(num)d days after %(day)s.",
                    settings.adoption_due_days, body=body_label, day=long_date(since)),
            ))

    for row, jco, meeting in manual:
        owners = [Owner(o.id, o.local_name) for o in row.owners]
        if row.owed_by_secretariat:
            owners.append(SECRETARIAT)
        deadlines.append(Deadline(
            key=deadline_key(Kind.MANUAL, row.id), kind=Kind.MANUAL, title=row.title, due=row.due_date,
            owners=owners, met_by={o.organisation_id: row.met_on for o in owners} if row.met_on else {},
            jco_id=jco.id if jco else None, jco_title=jco.title if jco else "",
            meeting_id=meeting.id if meeting else None, meeting_label=_meeting_label(meeting) if meeting else "",
            note=row.note,
        ))

    deadlines.sort(key=lambda d: (d.due, d.key))
    return deadlines


def owed_counts(deadlines: Iterable[Deadline], today: date) -> dict[int, tuple[int, int]]:
    """Per delegation (or body), how many of these deadlines it has not met: (overdue, upcoming).
    The Secretariat's are not a delegation's."""
    counts: dict[int, list[int]] = {}
    for deadline in deadlines:
        for owner in deadline.owners:
            if owner.organisation_id is None:
                continue
            status = deadline.status_for(owner.organisation_id, today)
            if status is Status.MET:
                continue
            pair = counts.setdefault(owner.organisation_id, [0, 0])
            pair[0 if status is Status.OVERDUE else 1] += 1
    return {organisation: (pair[0], pair[1]) for organisation, pair in counts.items()}


@dataclass(frozen=True)
class OperationDeadlines:
    """One operation's deadlines (key 0 of the store: those of no operation), soonest first, with
    what the dashboard sums: each delegation's unmet ones, and the earliest not met."""

    deadlines: list[Deadline]
    owed: dict[int, tuple[int, int]]
    unmet: list[Deadline]  # not met as a whole

    @property
    def next_due(self) -> Deadline | None:
        return self.unmet[0] if self.unmet else None

    @classmethod
    def of(cls, deadlines: list[Deadline], today: date) -> OperationDeadlines:
        return cls(deadlines, owed_counts(deadlines, today), [d for d in deadlines if d.status(today) is not Status.MET])


class DeadlineStore(PerOperation[OperationDeadlines]):
    """Every deadline, kept per operation (jco.deadlines.store), with the sum of every delegation's
    unmet deadlines kept up to date as operations change."""

    def __init__(self, today: date, settings: Settings, seconds: int) -> None:
        super().__init__(self._compute, seconds)
        self.today, self.settings = today, settings
        self.owed: dict[int, tuple[int, int]] = {}
        self._merged: dict[str, tuple[int, list[Deadline]]] = {}  # per list: (changes when merged, the list)

    def _compute(self, session: Session, jco_ids: Collection[int] | None) -> dict[int, OperationDeadlines]:
        grouped: dict[int, list[Deadline]] = defaultdict(list)
        for deadline in collect(session, self.today, self.settings, jco_ids=jco_ids):
            grouped[deadline.jco_id or 0].append(deadline)
        return {jco_id: OperationDeadlines.of(items, self.today) for jco_id, items in grouped.items()}

    def replaced(self, jco_id: int, old: OperationDeadlines | None, new: OperationDeadlines | None) -> None:
        for value, sign in ((old, -1), (new, 1)):
            for organisation, (overdue, upcoming) in (value.owed if value else {}).items():
                was = self.owed.get(organisation, (0, 0))
                now = (was[0] + sign * overdue, was[1] + sign * upcoming)
                if now == (0, 0):
                    self.owed.pop(organisation, None)
                else:
                    self.owed[organisation] = now

    def all(self) -> list[Deadline]:
        """Every deadline, soonest first (merged again only after a change)."""
        return self._merged_list("deadlines")

    def unmet(self) -> list[Deadline]:
        """Every deadline not met as a whole, soonest first (merged again only after a change)."""
        return self._merged_list("unmet")

    def _merged_list(self, name: str) -> list[Deadline]:
        with self.lock:
            changes, merged = self._merged.get(name, (-1, []))
            if changes != self.changes:
                merged = sorted((d for value in self.values.values() for d in getattr(value, name)),
                                key=lambda d: (d.due, d.key))
                self._merged[name] = (self.changes, merged)
            return merged

    def owed_sum(self, jco_ids: Collection[int] | None = None) -> dict[int, tuple[int, int]]:
        """Each delegation's unmet deadlines, of every operation or of these."""
        with self.lock:
            if jco_ids is None:
                return dict(self.owed)
            counts: dict[int, tuple[int, int]] = {}
            for jco_id in jco_ids:
                value = self.values.get(jco_id)
                for organisation, (overdue, upcoming) in (value.owed if value else {}).items():
                    was = counts.get(organisation, (0, 0))
                    counts[organisation] = (was[0] + overdue, was[1] + upcoming)
            return counts


def deadline_store(session: Session, today: date, settings: Settings, version: int | None = None) -> DeadlineStore | None:
    """The process's deadlines, up to date (None: caching is off, or the session holds changes)."""
    return store(session, ("deadlines", today, settings), lambda seconds: DeadlineStore(today, settings, seconds),
                 version=version)


def unmet_cached(session: Session, today: date, settings: Settings, version: int | None = None) -> list[Deadline]:
    """Every deadline not met as a whole, soonest first: what the Secretariat's list shows."""
    kept = deadline_store(session, today, settings, version)
    if kept is not None:
        return kept.unmet()
    return [d for d in collect(session, today, settings) if d.status(today) is not Status.MET]


def collect_cached(session: Session, today: date, settings: Settings, version: int | None = None) -> list[Deadline]:
    """Every deadline, kept per operation and brought up to date from what changed
    (:class:`DeadlineStore`), shared by the pages, feeds and charts that list them all. Callers
    filter, never change, the list."""
    kept = deadline_store(session, today, settings, version)
    return kept.all() if kept is not None else collect(session, today, settings)


@dataclass
class Scope:
    """Which deadlines an account follows: ``view`` "all" (each deadline whole), "delegation" (those
    its delegation owes, its own share of each, ``organisation_id``) or "none"."""

    view: str
    organisation_id: int | None
    deadlines: list[Deadline]


def scope_for(account, deadlines: list[Deadline]) -> Scope:
    """The one rule for "My deadlines", the calendar feeds and the API: the Secretariat and managers
    follow every deadline; a delegate those its delegation owes; any other account none."""
    if permissions.can_view_all_deadlines(account):
        return Scope("all", None, deadlines)
    if permissions.is_delegate(account):
        return Scope("delegation", account.organisation_id, owed_by(deadlines, account.organisation_id))
    return Scope("none", None, [])


def owed_by(deadlines: list[Deadline], organisation_id: int | None) -> list[Deadline]:
    return [d for d in deadlines if d.owes(organisation_id)]


def for_meeting(deadlines: list[Deadline], meeting_id: int) -> list[Deadline]:
    return [d for d in deadlines if d.meeting_id == meeting_id]


def group_by_meeting(session: Session, deadlines: list[Deadline]) -> list[tuple[Meeting | None, list[Deadline]]]:
    """Deadlines under the meeting they lead up to: their own meeting, else the first meeting on or
    after their day if it follows soon (jco.deadlines.rules.meeting_led_up_to); those tied to no
    meeting come last. One query."""
    if not deadlines:
        return []
    earliest = min(d.due for d in deadlines)
    meetings = list(session.scalars(
        select(Meeting).where(Meeting.end_date >= earliest).order_by(Meeting.start_date, Meeting.id)
    ))
    by_id = {m.id: m for m in meetings}
    groups: dict[int | None, list[Deadline]] = defaultdict(list)
    for deadline in deadlines:
        meeting = by_id.get(deadline.meeting_id) if deadline.meeting_id else meeting_led_up_to(deadline.due, meetings)
        groups[meeting.id if meeting else None].append(deadline)
    ordered: list[tuple[Meeting | None, list[Deadline]]] = [(by_id[mid], items) for mid, items in groups.items() if mid is not None]
    ordered.sort(key=lambda pair: (pair[0].start_date, pair[0].id))
    if None in groups:
        ordered.append((None, groups[None]))
    return ordered


# --- deadlines set by hand -----------------------------------------------------------------------

class DeadlineError(ValueError):
    """A deadline that cannot be saved as given; the message is meant for the user."""


@dataclass
class ManualDetails:
    title: str
    due_date: date
    owner_ids: list[int]
    owed_by_secretariat: bool = False
    jco_id: int | None = None
    meeting_id: int | None = None
    note: str = ""


def _apply(session: Session, row: ManualDeadline, details: ManualDetails) -> None:
    title = " ".join(details.title.split())
    if not title:
        raise DeadlineError(_("Give the deadline a title."))
    owner_ids = sorted(set(details.owner_ids))
    if not owner_ids and not details.owed_by_secretariat:
        raise DeadlineError(_("Say who owes it: one or more delegations, the Secretariat, or both."))
    owners = list(session.scalars(select(Organisation).where(Organisation.id.in_(owner_ids)))) if owner_ids else []
    if len(owners) != len(owner_ids):
        raise DeadlineError(_("One of the chosen delegations does not exist."))
    if details.jco_id is not None and session.get(Jco, details.jco_id) is None:
        raise DeadlineError(_("The chosen operation does not exist."))
    if details.meeting_id is not None and session.get(Meeting, details.meeting_id) is None:
        raise DeadlineError(_("The chosen meeting does not exist."))
    row.title = title
    row.due_date = details.due_date
    row.owners = owners
    row.owed_by_secretariat = bool(details.owed_by_secretariat)
    row.jco_id = details.jco_id
    row.meeting_id = details.meeting_id
    row.note = details.note.strip()


def _snapshot(row: ManualDeadline) -> dict:
    data = audit.snapshot(row, ["title", "due_date", "jco_id", "meeting_id", "owed_by_secretariat", "note", "met_on"])
    data["owners"] = sorted(o.code for o in row.owners)
    return data


def create_manual_deadline(session: Session, details: ManualDetails, actor=None) -> ManualDeadline:
    # version: SQLAlchemy's version counter sets it.
    row = ManualDeadline(title="", due_date=details.due_date, created_by_id=getattr(actor, "id", None))  # type: ignore[call-arg]
    _apply(session, row, details)
    session.add(row)
    session.flush()
    audit.record(session, actor, "deadline.create", row, jco_id=row.jco_id,
                 summary=f"Set the deadline “{row.title}” for {long_date(row.due_date, 'en')}", after=_snapshot(row))
    session.flush()
    return row


def update_manual_deadline(
    session: Session, row: ManualDeadline, details: ManualDetails, actor=None, *, version: int | str | None = None,
) -> ManualDeadline:
    check_version(row, version, _("This deadline"))
    before = _snapshot(row)
    _apply(session, row, details)
    row.updated_at = utcnow()
    session.add(row)
    b, a = audit.diff(before, _snapshot(row))
    audit.record(session, actor, "deadline.update", row, jco_id=row.jco_id, summary=f"Changed the deadline “{row.title}”",
                 before=b, after=a)
    session.flush()
    return row


def record_met(session: Session, row: ManualDeadline, actor, on: date) -> ManualDeadline:
    """Record that a deadline set by hand has been met: the only way its status becomes "met"."""
    if row.met_on is not None:
        raise DeadlineError(_("This deadline was already recorded as met on %(day)s.", day=long_date(row.met_on)))
    row.met_on = on
    row.met_recorded_by_id = getattr(actor, "id", None)
    row.updated_at = utcnow()
    session.add(row)
    audit.record(session, actor, "deadline.met", row, jco_id=row.jco_id,
                 summary=f"Recorded the deadline “{row.title}” as met on {long_date(on, 'en')}",
                 before={"met_on": None}, after={"met_on": on})
    session.flush()
    return row


def reopen(session: Session, row: ManualDeadline, actor) -> ManualDeadline:
    if row.met_on is None:
        raise DeadlineError(_("This deadline is not recorded as met."))
    before = row.met_on
    row.met_on = None
    row.met_recorded_by_id = None
    row.updated_at = utcnow()
    session.add(row)
    audit.record(session, actor, "deadline.reopen", row, jco_id=row.jco_id,
                 summary=f"Reopened the deadline “{row.title}”", before={"met_on": before}, after={"met_on": None})
    session.flush()
    return row


def delete_manual_deadline(session: Session, row: ManualDeadline, actor) -> None:
    audit.record(session, actor, "deadline.delete", row, jco_id=row.jco_id,
                 summary=f"Deleted the deadline “{row.title}”", before=_snapshot(row))
    session.delete(row)
    session.flush()
