"""Deadlines added by hand, the reminders already sent, and the calendar's change counters.

Deadlines that follow from the life cycle (comment rounds, revisions, final reports, report
adoption) have no table: they are computed from the rows they depend on, so they can never
disagree with them.
"""

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Column, Integer, Text, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from jco.core.timeutil import utcnow
from jco.operations.models import Organisation


class ManualDeadlineOwner(SQLModel, table=True):
    __tablename__ = "manual_deadline_owner"
    deadline_id: int = Field(foreign_key="manual_deadline.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, index=True)


_manual_deadline_version = Column("version", Integer, nullable=False, default=1)


class ManualDeadline(SQLModel, table=True):
    """A deadline the Secretariat sets by hand, owed by delegations and/or the Secretariat itself."""

    __tablename__ = "manual_deadline"
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    due_date: date = Field(index=True)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    jco_id: Optional[int] = Field(default=None, foreign_key="jco.id", index=True, ondelete="CASCADE")
    meeting_id: Optional[int] = Field(default=None, foreign_key="meeting.id", index=True, ondelete="SET NULL")
    owed_by_secretariat: bool = False
    # Set only by recording completion (an explicit, audited step), never typed into the form.
    met_on: Optional[date] = None
    met_recorded_by_id: Optional[int] = Field(default=None, foreign_key="account.id")
    created_by_id: Optional[int] = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(sa_column=_manual_deadline_version)

    __mapper_args__ = {"version_id_col": _manual_deadline_version}

    owners: list["Organisation"] = Relationship(
        link_model=ManualDeadlineOwner, sa_relationship_kwargs={"order_by": "Organisation.name"}
    )


class ReminderSent(SQLModel, table=True):
    """One reminder claimed for one account: the UNIQUE constraint makes sending idempotent.

    A run inserts and commits the row before it sends the e-mail, so a concurrent run (another
    host, a second cron) fails on the constraint and skips it; a failed send deletes the row.
    """

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("deadline_key", "account_id", "kind", name="uq_reminder_sent"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    deadline_key: str = Field(max_length=60)
    account_id: int = Field(foreign_key="account.id", index=True, ondelete="CASCADE")
    # Which reminder: "7d@2015-11-03", "1d@…", "overdue@…" — the due date is part of it, so a
    # deadline that moves gets its reminders again.
    kind: str = Field(max_length=40)
    claimed_at: datetime = Field(default_factory=utcnow)
    sent_at: Optional[datetime] = None


class CalendarSequence(SQLModel, table=True):
    """The RFC 5545 SEQUENCE of one calendar event, raised whenever the event's content changes.

    Derived events (a comment round's deadline) have no row of their own to carry a version, so
    the feed keeps a fingerprint of each event and counts the changes here.
    """

    __tablename__ = "calendar_sequence"
    key: str = Field(primary_key=True, max_length=60)
    fingerprint: str = Field(max_length=64)
    sequence: int = 0
    changed_at: datetime = Field(default_factory=utcnow)
