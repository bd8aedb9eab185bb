"""The status board: the open operations by stage, each with its lead, next deadline and next
meeting. Closed and withdrawn operations only when asked for.

Two queries of its own plus the deadlines service's fixed handful, whatever the number of
operations. It shows what every account may read already: names, stages, dates and meeting titles.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import render_template
from markupsafe import Markup
from sqlalchemy import func
from sqlmodel import Session, select

from jco.core import cache
from jco.core.text import _
from jco.dashboards.queries import plain_deadlines
from jco.deadlines import services as deadline_services
from jco.deadlines.rules import Deadline, Status
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


def status_board(session: Session, deadlines: list[Deadline], today: date, *,
                 include_closed: bool = False) -> list[BoardStage]:
    """Stages in life-cycle order (only those that hold an operation), operations by name."""
    states = [s for s in State if include_closed or s in OPEN_STATES]
    rows: dict[int, BoardRow] = {}
    by_state: dict[str, list[BoardRow]] = defaultdict(list)
    for jco_id, name, edition, state, lead, lead_code, lead_kind in session.execute(
        select(Jco.id, Jco.name, Jco.edition, Jco.state, Organisation.name, Organisation.code, Organisation.kind)
        .outerjoin(Participant, (Participant.jco_id == Jco.id) & (Participant.role == Role.LEAD.value))
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .where(Jco.state.in_([s.value for s in states]))
        .order_by(Jco.name, Jco.edition, Organisation.name)
    ):
        row = rows.get(jco_id)
        if row is None:
            row = rows[jco_id] = BoardRow(jco_id, operation_title(name, edition))
            by_state[state].append(row)
        if lead:
            row.leads.append(local_org_name(lead_code, lead_kind, lead))
    if rows:
        for jco_id, meeting in session.execute(
            select(AgendaItem.jco_id, Meeting).join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.jco_id.in_(rows), Meeting.end_date >= today)
            .order_by(Meeting.start_date.desc(), Meeting.id.desc())
        ):
            rows[jco_id].next_meeting = BoardMeeting(meeting.id, f"{meeting.display_title}, {meeting.days_label}",
                                                     meeting.start_date)
    for deadline in deadlines:  # soonest first
        row = rows.get(deadline.jco_id)
        if row is not None and row.next_due is None and deadline.status(today) is not Status.MET:
            row.next_due, row.next_due_kind = deadline.due, _(deadline.kind.label)
    return [BoardStage(s, by_state[s.value]) for s in states if by_state.get(s.value)]


def cached_status_board(session: Session, today: date, settings: deadline_services.Settings, *,
                        include_closed: bool = False, version: int | None = None) -> list[BoardStage]:
    """The board from the cache while the data has not changed (it holds plain values only)."""
    return cache.cached(
        session, ("status_board", today, include_closed, settings),
        lambda: status_board(session, plain_deadlines(session, today, settings, version), today,
                             include_closed=include_closed),
        version=version,
    )


def board_html(session: Session, today: date, settings: deadline_services.Settings, *,
               include_closed: bool = False, version: int | None = None) -> Markup:
    """The board as HTML, rendered once per data version and language (the cache key holds both):
    on years of data it lists thousands of open operations, the same for every reader, and
    rendering it each time cost more than the rest of the dashboard."""
    def render() -> Markup:
        board = cached_status_board(session, today, settings, include_closed=include_closed, version=version)
        return Markup(render_template("dashboards/_board.html", board=board, board_all=include_closed))
    return cache.cached(session, ("status_board_html", today, include_closed, settings), render, version=version)


def hidden_count(session: Session) -> int:
    """How many operations the board leaves out when closed and withdrawn ones are not asked for."""
    return session.scalar(select(func.count()).select_from(Jco).where(Jco.state.not_in([s.value for s in OPEN_STATES]))) or 0
