"""Meetings of the working party (and the MAC) and their agendas."""

from datetime import date, datetime, time
from enum import StrEnum
from typing import Optional

from sqlalchemy import Column, Index, Integer, Text, text
from sqlmodel import Field, Relationship, SQLModel

from jco.core.dates import day_range
from jco.core.text import N_, _
from jco.core.timeutil import utcnow
from jco.documents.models import Document
from jco.operations.lifecycle import Body
from jco.operations.models import Jco, Organisation


class Outcome(StrEnum):
    PRESENTED = "presented"
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"
    POSTPONED = "postponed"
    NOTED = "noted"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.PRESENTED: N_("Presented"),
    Outcome.ADOPTED: N_("Adopted"),
    Outcome.NOT_ADOPTED: N_("Not adopted"),
    Outcome.POSTPONED: N_("Postponed"),
    Outcome.NOTED: N_("Noted"),
}


class AgendaItemDocument(SQLModel, table=True):
    __tablename__ = "agenda_item_document"
    agenda_item_id: int = Field(foreign_key="agenda_item.id", primary_key=True, ondelete="CASCADE")
    document_id: int = Field(foreign_key="document.id", primary_key=True, index=True)


_meeting_version = Column("version", Integer, nullable=False, default=1)


class Meeting(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    body: str = Field(default=Body.CCWP_EXPERTS, max_length=30)
    title: str = Field(default="", max_length=200)
    start_date: date = Field(index=True)
    end_date: date
    start_time: Optional[time] = None
    end_time: Optional[time] = None
    timezone: str = Field(default="Europe/Brussels", max_length=40)
    place: str = Field(default="Brussels", max_length=120)
    notice_reference: str = Field(default="", max_length=40)
    # The marking the Secretariat gives the agenda and the summary of discussions it exports; None
    # means that of the registered note they are (see jco.meetings.exports).
    agenda_marking: Optional[str] = Field(default=None, max_length=20)
    summary_marking: Optional[str] = Field(default=None, max_length=20)
    version: int = Field(sa_column=_meeting_version)

    __mapper_args__ = {"version_id_col": _meeting_version}

    items: list["AgendaItem"] = Relationship(
        back_populates="meeting",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "AgendaItem.position"},
    )

    @property
    def body_enum(self) -> Body:
        return Body(self.body)

    @property
    def display_title(self) -> str:
        """The title a person reads: a body's name in the reader's language, a typed title as typed."""
        return self.title or _(self.body_enum.label)

    @property
    def logged_title(self) -> str:
        """The title in English, whoever acts: what audit entries and file names keep."""
        return self.title or self.body_enum.label

    @property
    def logged_days(self) -> str:
        return day_range(self.start_date, self.end_date, "en")

    @property
    def days_label(self) -> str:
        return day_range(self.start_date, self.end_date)


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_item"
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    position: int = 1
    title: str = Field(max_length=300)
    jco_id: Optional[int] = Field(default=None, foreign_key="jco.id", index=True)
    # What the item is for, so an outcome can move the JCO: business_case, final_report, information.
    purpose: str = Field(default="information", max_length=30)
    outcome: Optional[str] = Field(default=None, max_length=20)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))

    meeting: Optional["Meeting"] = Relationship(back_populates="items")
    jco: Optional["Jco"] = Relationship()
    documents: list["Document"] = Relationship(link_model=AgendaItemDocument)


class RequestState(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class AgendaRequest(SQLModel, table=True):
    """A lead delegation's request to put a document of its operation on a coming meeting's agenda,
    and the Secretariat's answer (jco.meetings.requests)."""

    __tablename__ = "agenda_request"
    # One open request per document and meeting; answered ones stay as the record.
    __table_args__ = (
        Index("uq_agenda_request_open", "document_id", "meeting_id", unique=True,
              sqlite_where=text("state = 'requested'"), postgresql_where=text("state = 'requested'")),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    jco_id: int = Field(foreign_key="jco.id", index=True, ondelete="CASCADE")
    document_id: int = Field(foreign_key="document.id", index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    requested_by_id: Optional[int] = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    state: str = Field(default=RequestState.REQUESTED, max_length=20, index=True)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    requested_at: datetime = Field(default_factory=utcnow)
    answered_by_id: Optional[int] = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
    answered_at: Optional[datetime] = None
    # The item an accepted request put on the agenda.
    agenda_item_id: Optional[int] = Field(default=None, foreign_key="agenda_item.id", ondelete="SET NULL")

    jco: Optional["Jco"] = Relationship()
    document: Optional["Document"] = Relationship()
    meeting: Optional["Meeting"] = Relationship()
    organisation: Optional["Organisation"] = Relationship()

    @property
    def state_enum(self) -> RequestState:
        return RequestState(self.state)

    @property
    def is_open(self) -> bool:
        return self.state == RequestState.REQUESTED
