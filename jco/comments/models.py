"""Rounds of written comments on one revision of a document, and the comments themselves."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

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
