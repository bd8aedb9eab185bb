"""The audit log: every change, who made it and what it was before and after."""

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from jco.core.timeutil import utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="account.id")
    actor_label: str = Field(default="", max_length=254)
    action: str = Field(max_length=60)
    object_type: str = Field(max_length=40)
    object_id: Optional[int] = None
    jco_id: Optional[int] = Field(default=None, index=True)
    summary: str = Field(default="", max_length=300)
    before: Optional[dict] = Field(default=None, sa_column=Column(JSON))
    after: Optional[dict] = Field(default=None, sa_column=Column(JSON))
