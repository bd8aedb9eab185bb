"""Everything My page shows, gathered in a fixed number of queries for the reading account.

Delegates: the next meeting and its agenda, what their delegation owes (each with the button that
meets it), their delegation's operations with their next step, and what changed on the operations
they watch. The Secretariat: meetings to prepare, what it owes, overdue duties by delegation.
Managers: the status board. Deadlines come from jco.deadlines.services; what a reader may see is
decided by jco.permissions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from jco import permissions
from jco.accounts.models import AccountRole
from jco.core.text import N_, _
from jco.dashboards import board
from jco.deadlines import services as deadline_services
from jco.deadlines.rules import Deadline, Status
from jco.meetings import requests as agenda_requests
from jco.meetings.models import AgendaItem, AgendaRequest, Meeting
from jco.mypage import nextstep, steps, watching
from jco.operations.lifecycle import OPEN_STATES
from jco.operations.models import Jco, Organisation, Participant, Role


@dataclass
class Owed:
    deadline: Deadline
    words: str
    css: str
    action: nextstep.Action | None


@dataclass
class MyOperation:
    jco: Jco
    role: str
    step: nextstep.NextStep


@dataclass
class MeetingToPrepare:
    meeting: Meeting
    reason: str  # marked for translation; the page translates it (``|t``)


@dataclass
class MyPage:
    view: str  # "delegate", "secretariat", "manager" or "none"
    next_meeting: Meeting | None = None
    owed: list[Owed] = field(default_factory=list)
    operations: list[MyOperation] = field(default_factory=list)
    changes: list[watching.Change] = field(default_factory=list)
    changes_since: datetime | None = None
    watched: int = 0
    to_prepare: list[MeetingToPrepare] = field(default_factory=list)
    requests_waiting: list[AgendaRequest] = field(default_factory=list)
    overdue_by_owner: list[tuple[str, list[tuple[Deadline, str]]]] = field(default_factory=list)
    board: list[board.BoardStage] = field(default_factory=list)


def _view(user) -> str:
    if permissions.is_secretariat(user):
        return "secretariat"
    if permissions.is_delegate(user):
        return "delegate"
    if user.role == AccountRole.MANAGER:
        return "manager"
    return "none"


def next_meeting(session: Session, today: date) -> Meeting | None:
    """The first meeting not yet over, with its agenda items and their documents."""
    return session.scalar(
        select(Meeting).where(Meeting.end_date >= today).order_by(Meeting.start_date, Meeting.id).limit(1)
        .options(selectinload(Meeting.items).selectinload(AgendaItem.documents),
                 selectinload(Meeting.items).selectinload(AgendaItem.jco))
    )


def delegation_operations(session: Session, organisation_id: int) -> list[tuple[Jco, str]]:
    """The open operations the delegation takes part in, with its role, by name."""
    rows = session.execute(
        select(Jco, Participant.role).join(Participant, Participant.jco_id == Jco.id)
        .where(Participant.organisation_id == organisation_id, Jco.state.in_([s.value for s in OPEN_STATES]))
        .options(selectinload(Jco.participants).selectinload(Participant.organisation))
        .order_by(Jco.name, Jco.edition)
    ).all()
    return [(jco, Role(role).label) for jco, role in rows]


def _owed(user, deadlines: list[Deadline], organisation_id: int | None, jcos: dict[int, Jco],
          today: date) -> list[Owed]:
    owed = []
    for d in deadline_services.owed_by(deadlines, organisation_id):
        if d.status_for(organisation_id, today) is Status.MET:
            continue
        owed.append(Owed(d, d.words_for(organisation_id, today), d.css_class_for(organisation_id, today),
                         steps.deadline_action(user, d, jcos.get(d.jco_id) if d.jco_id else None)))
    return owed


def meetings_to_prepare(session: Session, today: date) -> list[MeetingToPrepare]:
    """Meetings to come without an agenda notice, and meetings held with items still undecided."""
    found = [MeetingToPrepare(m, N_("The agenda has not been issued (no meeting notice recorded)."))
             for m in session.scalars(
                 select(Meeting).where(Meeting.start_date >= today, Meeting.notice_reference == "")
                 .order_by(Meeting.start_date, Meeting.id))]
    undecided = exists().where(AgendaItem.meeting_id == Meeting.id, AgendaItem.jco_id.is_not(None),
                               AgendaItem.outcome.is_(None))
    found += [MeetingToPrepare(m, N_("Outcomes are not recorded for every operation on its agenda."))
              for m in session.scalars(
                  select(Meeting).where(Meeting.end_date < today, undecided).order_by(Meeting.start_date, Meeting.id))]
    return found


def overdue_by_owner(session: Session, deadlines: list[Deadline],
                     today: date) -> list[tuple[str, list[tuple[Deadline, str]]]]:
    """Overdue deadlines under each delegation (or the Secretariat) that has not met them, by its
    name in the reader's language, each with its words ("Overdue by 3 days"). One query."""
    groups: dict[int | None, list[tuple[Deadline, str]]] = defaultdict(list)
    english: dict[int | None, str] = {}
    for deadline in deadlines:
        for owner in deadline.pending_owners():
            if deadline.status_for(owner.organisation_id, today) is Status.OVERDUE:
                groups[owner.organisation_id].append((deadline, deadline.words_for(owner.organisation_id, today)))
                english[owner.organisation_id] = owner.name
    ids = [i for i in groups if i is not None]
    local = {o.id: o.local_name for o in session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}
    named = [local.get(i) or _(english[i]) for i in groups]  # the Secretariat (None): its name translated
    return sorted(zip(named, groups.values(), strict=True), key=lambda group: group[0].casefold())


def my_page(session: Session, user, today: date, settings: deadline_services.Settings) -> MyPage:
    """The page of ``user``; records the visit (the caller commits)."""
    page = MyPage(view=_view(user))
    since = watching.visit(session, user)
    page.changes_since = since
    if page.view == "manager":
        page.board = board.cached_status_board(session, today, settings)
    if page.view == "none":
        return page
    deadlines = deadline_services.collect_cached(session, today, settings)
    page.next_meeting = next_meeting(session, today)
    if page.view == "delegate":
        mine = delegation_operations(session, user.organisation_id)
        jcos = {jco.id: jco for jco, _ in mine}
        found = steps.next_steps(session, user, [jco for jco, _ in mine], deadlines, today)
        page.operations = [MyOperation(jco, role, found[jco.id]) for jco, role in mine]  # type: ignore[index]  # a loaded row has an id (SQLModel types it Optional)
        page.owed = _owed(user, deadlines, user.organisation_id, jcos, today)
    else:
        page.owed = _owed(user, deadlines, None, {}, today)
        page.to_prepare = meetings_to_prepare(session, today)
        page.requests_waiting = agenda_requests.waiting(session, today)
        page.overdue_by_owner = overdue_by_owner(session, deadlines, today)
    ids = watching.watched_ids(session, user)
    page.watched = len(ids)
    if since is not None:
        page.changes = watching.changes(session, user, ids, since)
    return page


@dataclass
class JcoPageExtras:
    """What the operation's page adds for its reader: the next step and the watch button."""

    step: nextstep.NextStep
    watching: bool
    may_watch: bool
    agenda_requests: agenda_requests.JcoRequests | None = None


def jco_page_extras(session: Session, user, jco: Jco, today: date, deadlines: list[Deadline],
                    facts: steps.OperationFacts | None = None, version: int | None = None) -> JcoPageExtras:
    """From the operation's deadlines (and its facts, when the page has them already): one query,
    two when the reader is a delegate; the agenda requests the reader may see add up to three."""
    step = steps.next_steps(session, user, [jco], deadlines, today, facts)[jco.id]  # type: ignore[index]  # a loaded row has an id (SQLModel types it Optional)
    return JcoPageExtras(step, watching.is_watching(session, user, jco), permissions.can_watch(user, jco),
                         agenda_requests.for_jco_page(session, user, jco, today, version))
