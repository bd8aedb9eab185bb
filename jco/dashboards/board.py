"""The status board: the open operations by stage, each with its lead, next deadline and next
meeting. Closed and withdrawn operations only when asked for.

Two queries of its own plus the deadlines service's fixed handful, whatever the number of
operations. It shows what every account may read already: names, stages, dates and meeting titles.
Each operation's entry is kept while the operation is unchanged (:class:`BoardStore`), beside its
deadlines (jco.deadlines.services.DeadlineStore): after a change only what changed is computed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from flask import get_template_attribute, render_template
from markupsafe import Markup
from sqlalchemy import func
from sqlmodel import Session, select

from jco.core.text import _
from jco.deadlines import services as deadline_services
from jco.deadlines.rules import Deadline, Status
from jco.deadlines.store import PerOperation, store
from jco.meetings.models import AgendaItem, Meeting
from jco.operations.lifecycle import OPEN_STATES, STATE_SHORT, State
from jco.operations.models import Jco, Organisation, Participant, Role, local_org_name, operation_title


@dataclass(frozen=True)
class BoardMeeting:
    id: int
    label: str
    day: date


@dataclass
class BoardRow:
    jco_id: int
    title: str
    leads: list[str] = field(default_factory=list)
    # The earliest deadline not yet met: its day and its kind ("Written comments", in the reader's language).
    next_due: date | None = None
    next_due_kind: str = ""
    next_meeting: BoardMeeting | None = None


@dataclass
class BoardStage:
    state: State
    rows: list[BoardRow]

    @property
    def label(self) -> str:
        return _(STATE_SHORT[self.state])

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class BoardEntry:
    """An operation's place on the board, without its next deadline (kept with the deadlines)."""

    state: str
    order: tuple[str, str, int]
    row: BoardRow


def board_entries(session: Session, today: date, jco_ids: Collection[int] | None = None) -> dict[int, BoardEntry]:
    """Every operation's entry (or these operations'), whatever its state: two queries."""
    query = (
        select(Jco.id, Jco.name, Jco.edition, Jco.state, Organisation.name, Organisation.code, Organisation.kind)
        .outerjoin(Participant, (Participant.jco_id == Jco.id) & (Participant.role == Role.LEAD.value))
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .order_by(Jco.id, Organisation.name)
    )
    if jco_ids is not None:
        query = query.where(Jco.id.in_(jco_ids))
    entries: dict[int, BoardEntry] = {}
    for jco_id, name, edition, state, lead, lead_code, lead_kind in session.execute(query):
        entry = entries.get(jco_id)
        if entry is None:
            entry = entries[jco_id] = BoardEntry(state, (name, edition, jco_id),
                                                 BoardRow(jco_id, operation_title(name, edition)))
        if lead:
            entry.row.leads.append(local_org_name(lead_code, lead_kind, lead))
    if entries:
        # The soonest meeting still to come (the last one written wins).
        meetings = select(AgendaItem.jco_id, Meeting).join(Meeting, Meeting.id == AgendaItem.meeting_id).where(
            Meeting.end_date >= today).order_by(Meeting.start_date.desc(), Meeting.id.desc())
        if jco_ids is not None:
            meetings = meetings.where(AgendaItem.jco_id.in_(jco_ids))
        for jco_id, meeting in session.execute(meetings):
            if jco_id in entries:
                entries[jco_id].row.next_meeting = BoardMeeting(
                    meeting.id, f"{meeting.display_title}, {meeting.days_label}", meeting.start_date)
    return entries


def _states(include_closed: bool) -> list[State]:
    return [s for s in State if include_closed or s in OPEN_STATES]


def _stages(entries: Iterable[BoardEntry], next_due: Callable[[int], Deadline | None],
            include_closed: bool) -> list[BoardStage]:
    """Stages in life-cycle order (only those that hold an operation), operations by name."""
    by_state: dict[str, list[BoardRow]] = defaultdict(list)
    kinds: dict[object, str] = {}  # each kind's words, translated once
    for entry in sorted(entries, key=lambda e: e.order):
        deadline = next_due(entry.row.jco_id)
        by_state[entry.state].append(_with_deadline(entry.row, deadline, kinds))
    return [BoardStage(s, by_state[s.value]) for s in _states(include_closed) if by_state.get(s.value)]


def _with_deadline(row: BoardRow, deadline: Deadline | None, kinds: dict[object, str]) -> BoardRow:
    if deadline is None:
        return row
    if deadline.kind not in kinds:
        kinds[deadline.kind] = _(deadline.kind.label)
    return replace(row, next_due=deadline.due, next_due_kind=kinds[deadline.kind])


@dataclass(frozen=True)
class StageHtml:
    """A stage of the board with its rows' HTML joined (BoardStore.stages_html)."""

    state: State
    count: int
    html: Markup

    @property
    def label(self) -> str:
        return _(STATE_SHORT[self.state])


def status_board(session: Session, deadlines: list[Deadline], today: date, *,
                 include_closed: bool = False) -> list[BoardStage]:
    """The board computed from scratch: stages in life-cycle order (only those that hold an
    operation), operations by name, each with its earliest deadline not met yet."""
    states = {s.value for s in _states(include_closed)}
    first: dict[int | None, Deadline] = {}
    for deadline in deadlines:  # soonest first
        if deadline.jco_id not in first and deadline.status(today) is not Status.MET:
            first[deadline.jco_id] = deadline
    entries = [e for e in board_entries(session, today).values() if e.state in states]
    return _stages(entries, first.get, include_closed)


class BoardStore(PerOperation[BoardEntry]):
    """Each operation's board entry, kept while the operation is unchanged (jco.deadlines.store),
    with each row's HTML once rendered."""

    def __init__(self, today: date, seconds: int) -> None:
        super().__init__(lambda session, ids: board_entries(session, today, ids), seconds)
        self.html: dict[int, tuple[BoardEntry, Deadline | None, str]] = {}
        self._order: tuple[int, list[BoardEntry]] = (-1, [])

    def replaced(self, jco_id: int, old: BoardEntry | None, new: BoardEntry | None) -> None:
        self.html.pop(jco_id, None)

    def _sorted(self) -> list[BoardEntry]:
        if self._order[0] != self.changes:
            self._order = (self.changes, sorted(self.values.values(), key=lambda e: e.order))
        return self._order[1]

    def stages(self, deadlines: deadline_services.DeadlineStore, include_closed: bool) -> list[BoardStage]:
        states = {s.value for s in _states(include_closed)}
        with self.lock:
            entries = [e for e in self._sorted() if e.state in states]
        return _stages(entries, lambda jco_id: _next_due(deadlines, jco_id), include_closed)

    def stages_html(self, deadlines: deadline_services.DeadlineStore, include_closed: bool,
                    render: Callable[[BoardRow], str]) -> list[StageHtml]:
        """Each stage's rows as HTML: a row is rendered again only when its operation or its next
        deadline changed; the rest is joined."""
        states = {s.value for s in _states(include_closed)}
        by_state: dict[str, list[str]] = defaultdict(list)
        kinds: dict[object, str] = {}
        with self.lock:
            for entry in self._sorted():
                if entry.state not in states:
                    continue
                deadline = _next_due(deadlines, entry.row.jco_id)
                kept = self.html.get(entry.row.jco_id)
                if kept is None or kept[0] is not entry or kept[1] is not deadline:
                    html = str(render(_with_deadline(entry.row, deadline, kinds)))
                    kept = self.html[entry.row.jco_id] = (entry, deadline, html)
                by_state[entry.state].append(kept[2])
        return [StageHtml(s, len(by_state[s.value]), Markup("\n".join(by_state[s.value])))
                for s in _states(include_closed) if by_state.get(s.value)]


def _next_due(deadlines: deadline_services.DeadlineStore, jco_id: int) -> Deadline | None:
    value = deadlines.values.get(jco_id)
    return value.next_due if value else None


def cached_status_board(session: Session, today: date, settings: deadline_services.Settings, *,
                        include_closed: bool = False, version: int | None = None) -> list[BoardStage]:
    """The board, from what is kept per operation while it is unchanged (it holds plain values only)."""
    deadlines = deadline_services.deadline_store(session, today, settings, version)
    entries = store(session, ("status_board", today), lambda seconds: BoardStore(today, seconds), version=version)
    if deadlines is None or entries is None:
        return status_board(session, deadline_services.collect(session, today, settings), today,
                            include_closed=include_closed)
    return entries.stages(deadlines, include_closed)


def board_html(session: Session, today: date, settings: deadline_services.Settings, *,
               include_closed: bool = False, version: int | None = None) -> Markup:
    """The board as HTML. On years of data it lists thousands of open operations, the same for
    every reader: each row's HTML is kept with the operation's entry and rendered again only when
    the operation or its next deadline changed, so after a change the board is joined, not
    rendered."""
    deadlines = deadline_services.deadline_store(session, today, settings, version)
    entries = store(session, ("status_board", today), lambda seconds: BoardStore(today, seconds), version=version)
    if deadlines is None or entries is None:
        board = status_board(session, deadline_services.collect(session, today, settings), today,
                             include_closed=include_closed)
        return Markup(render_template("dashboards/_board.html", board=board, board_all=include_closed))
    stages = entries.stages_html(deadlines, include_closed,
                                 get_template_attribute("dashboards/_board.html", "board_row"))
    return Markup(render_template("dashboards/_board.html", board=stages, board_all=include_closed))


def hidden_count(session: Session) -> int:
    """How many operations the board leaves out when closed and withdrawn ones are not asked for."""
    return session.scalar(select(func.count()).select_from(Jco).where(Jco.state.not_in([s.value for s in OPEN_STATES]))) or 0
