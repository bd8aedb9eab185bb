"""An uploaded register file, kept between the dry run and the confirmed import."""

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from jco.core.timeutil import utcnow


class ImportStash(SQLModel, table=True):
    """The bytes of an upload, keyed by their SHA-256, so that confirming the import re-reads exactly
    the file the dry run showed — nothing re-uploaded, nothing lost, whichever app process answers."""

    __tablename__ = "import_stash"
    id: Optional[int] = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    filename: str = Field(max_length=255)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    created_by_id: Optional[int] = Field(default=None, foreign_key="account.id")
