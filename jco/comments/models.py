"""Rounds of written comments on one revision of a document, and the comments themselves."""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Integer, Text, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from jco.core.timeutil import utcnow

if TYPE_CHECKING:
    from jco.accounts.models import Account
    from jco.documents.models import Document, StoredFile
    from jco.operations.models import Jco, Organisation


class CommentRound(SQLModel, table=True):
    __tablename__ = "comment_round"
    id: Optional[int] = Field(default=None, primary_key=True)
    jco_id: int = Field(foreign_key="jco.id", index=True, ondelete="CASCADE")
    document_id: int = Field(foreign_key="document.id", index=True)
    deadline: date = Field(index=True)
    opened_at: datetime = Field(default_factory=utcnow)
    opened_by_id: Optional[int] = Field(default=None, foreign_key="account.id")
    meeting_id: Optional[int] = Field(default=None, foreign_key="meeting.id")

    # Never None once loaded: both foreign keys are NOT NULL.
    jco: "Jco" = Relationship()
    document: "Document" = Relationship()


_comment_version = Column("version", Integer, nullable=False, default=1)


class Comment(SQLModel, table=True):
    """One delegation's comment on one revision: editable until the round's deadline."""

    __table_args__ = (UniqueConstraint("round_id", "organisation_id", name="uq_comment_round_org"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="comment_round.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id")
    author_id: Optional[int] = Field(default=None, foreign_key="account.id")
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The part of the document the comment is about ("paragraph 3", "section 2.1"): the compilation's order.
    refers_to: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    file_id: Optional[int] = Field(default=None, foreign_key="stored_file.id")
    submitted_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    late: bool = False
    version: int = Field(sa_column=_comment_version)

    __mapper_args__ = {"version_id_col": _comment_version}

    organisation: Optional["Organisation"] = Relationship()
    author: Optional["Account"] = Relationship()
    # Never loaded by accident: the row holds the file's bytes.
    file: Optional["StoredFile"] = Relationship(sa_relationship_kwargs={"lazy": "raise_on_sql"})


class ResponseOutcome(StrEnum):
    """How the lead took a comment into account in its revision."""

    TAKEN = "taken"
    PARTLY = "partly"
    NOT_TAKEN = "not"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    ResponseOutcome.TAKEN: _l("Taken on board"),
    ResponseOutcome.PARTLY: _l("Partly taken on board"),
    ResponseOutcome.NOT_TAKEN: _l("Not taken on board"),
}


_response_version = Column("version", Integer, nullable=False, default=1)


class CommentResponse(SQLModel, table=True):
    """The lead's word on one comment: whether its revision took it on board, and why (or why not)."""

    __tablename__ = "comment_response"
    id: Optional[int] = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", unique=True, ondelete="CASCADE")
    outcome: str = Field(max_length=10)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    by_id: Optional[int] = Field(default=None, foreign_key="account.id")
    at: datetime = Field(default_factory=utcnow)
    version: int = Field(sa_column=_response_version)

    __mapper_args__ = {"version_id_col": _response_version}

    @property
    def outcome_label(self) -> str:
        return ResponseOutcome(self.outcome).label
