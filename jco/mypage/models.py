"""Who watches which operation, and when an account last looked at its page."""

from datetime import date, datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from jco.core.timeutil import utcnow


class Watch(SQLModel, table=True):
    """An account's choice about one operation: to watch it, or (``watching`` false) to stop
    watching one it would otherwise watch because its delegation takes part."""

    __tablename__ = "watch"
    __table_args__ = (UniqueConstraint("account_id", "jco_id", name="uq_watch_account_jco"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True, ondelete="CASCADE")
    jco_id: int = Field(foreign_key="jco.id", index=True, ondelete="CASCADE")
    watching: bool = True
    changed_at: datetime = Field(default_factory=utcnow)


class PageVisit(SQLModel, table=True):
    """When an account last opened My page, and the start of what it is shown as changed."""

    __tablename__ = "page_visit"
    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    last_seen_at: datetime = Field(default_factory=utcnow)
    # The moment changes are listed from: the previous visit's last request.
    changes_since: Optional[datetime] = None


class DigestSetting(SQLModel, table=True):
    """An account's answer to the daily digest of changes; no row means it gets the digest."""

    __tablename__ = "digest_setting"
    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    enabled: bool = True


class DigestSent(SQLModel, table=True):
    """One day's digest claimed for one account: the UNIQUE constraint makes sending idempotent
    across runs and hosts, as for reminders (jco.deadlines.reminders)."""

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("account_id", "day", name="uq_digest_sent"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True, ondelete="CASCADE")
    day: date
    # When the digest's changes were read; the next digest lists the changes after it.
    claimed_at: datetime = Field(default_factory=utcnow)
    sent_at: Optional[datetime] = None
