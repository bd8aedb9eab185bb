"""Meetings and their agendas."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from jco.db import get_session
from jco.meetings.models import AgendaItem, Meeting
from jco.timeutil import today

bp = Blueprint("meetings", __name__)


@bp.get("/meetings")
def list_meetings():
    session = get_session()
    rows = session.execute(
        select(Meeting, func.count(AgendaItem.id))
        .outerjoin(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .group_by(Meeting.id)
        .order_by(Meeting.start_date.desc())
    ).all()
    now = today()
    upcoming = [(m, n) for m, n in rows if m.end_date >= now]
    past = [(m, n) for m, n in rows if m.end_date < now]
    return render_template("meetings/list.html", upcoming=list(reversed(upcoming)), past=past)


@bp.get("/meetings/<int:meeting_id>")
def detail(meeting_id: int):
    session = get_session()
    meeting = session.scalar(
        select(Meeting).where(Meeting.id == meeting_id).options(
            selectinload(Meeting.items).selectinload(AgendaItem.documents),
            selectinload(Meeting.items).selectinload(AgendaItem.jco),
        )
    )
    if meeting is None:
        abort(404)
    return render_template("meetings/detail.html", meeting=meeting)
