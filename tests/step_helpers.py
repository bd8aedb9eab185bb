"""Shared by the tests of the life-cycle forms, meetings and audit pages.

Tests read the database through a fresh app context (so a fresh session), as the next request
would: nothing a view left in memory can make a check pass.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from types import SimpleNamespace

from sqlalchemy import func, select

from jco.audit.models import AuditEntry
from jco.core.db import get_session
from jco.meetings.models import Meeting
from jco.operations.models import Jco


@contextmanager
def reading(app):
    with app.app_context():
        yield get_session()


def jco_id(app, name: str, edition: str = "") -> int:
    with reading(app) as s:
        return s.scalar(select(Jco.id).where(Jco.name == name, Jco.edition == edition))


def load_jco(app, jco_id_: int) -> SimpleNamespace:
    """A JCO as plain values (the session closes with its app context)."""
    with reading(app) as s:
        jco = s.get(Jco, jco_id_)
        values = {c.key: getattr(jco, c.key) for c in Jco.__table__.columns}
        values["participants"] = [(p.organisation.code, p.role, p.agency) for p in jco.participants]
        values["commodities"] = sorted(c.name for c in jco.commodities)
        values["transport_modes"] = sorted(m.name for m in jco.transport_modes)
        values["projects"] = sorted(p.acronym for p in jco.projects)
        return SimpleNamespace(**values)


def meeting_id(app, **where) -> int:
    with reading(app) as s:
        query = select(Meeting.id)
        for key, value in where.items():
            query = query.where(getattr(Meeting, key) == value)
        return s.scalar(query)


def audit_count(app) -> int:
    with reading(app) as s:
        return s.scalar(select(func.count()).select_from(AuditEntry))


def snapshot(app) -> tuple:
    """Enough of the database to tell whether a refused request changed anything."""
    with reading(app) as s:
        return (
            s.scalar(select(func.count()).select_from(AuditEntry)),
            tuple(s.execute(select(Jco.id, Jco.state, Jco.version).order_by(Jco.id)).all()),
            tuple(s.execute(select(Meeting.id, Meeting.version).order_by(Meeting.id)).all()),
        )


def text(response) -> str:
    return response.get_data(as_text=True)


def version_on_page(html: str) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
