"""Accounts and their personal API tokens."""

from datetime import datetime
from enum import StrEnum
from typing import Optional

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, Relationship, SQLModel

from jco.core.text import N_
from jco.core.timeutil import utcnow
from jco.operations.models import Organisation


class AccountRole(StrEnum):
    SECRETARIAT = "secretariat"
    DELEGATE = "delegate"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The English label, marked for translation: translate it where a person reads it (``|t``)."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    AccountRole.SECRETARIAT: N_("Secretariat"),
    AccountRole.DELEGATE: N_("Delegate"),
    AccountRole.MANAGER: N_("Manager"),
    AccountRole.ADMIN: N_("Admin"),
}


class Account(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(default="", max_length=120)
    password_hash: str = Field(default="", max_length=255)
    role: str = Field(default=AccountRole.DELEGATE, max_length=20)
    organisation_id: Optional[int] = Field(default=None, foreign_key="organisation.id", index=True)
    clearance: str = Field(default="", max_length=20)
    active: bool = True
    reminders_enabled: bool = True
    # "en" or "fr" (jco.core.i18n.LANGUAGES); empty: follow the browser.
    language: str = Field(default="", max_length=8)
    calendar_token_hash: Optional[str] = Field(default=None, max_length=64, unique=True)
    # Changes when the password changes, so every other session of the account ends.
    session_nonce: str = Field(default="", max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: Optional[datetime] = None

    organisation: Optional["Organisation"] = Relationship()

    @property
    def role_label(self) -> str:
        """The role's English label (``|t`` translates it); an unknown stored role as it is."""
        try:
            return AccountRole(self.role).label
        except ValueError:
            return self.role

    # Flask-Login's protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    name: str = Field(default="", max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: Optional[datetime] = None
    revoked_at: Optional[datetime] = None


class WebSession(SQLModel, table=True):
    """A browser's session, held on the server: the cookie carries only a random id.

    Only the id's SHA-256 is stored, so a copy of the database holds no usable cookie. Times are
    seconds since the epoch: the expiry query is the same integer comparison on every engine.
    """

    __tablename__ = "web_session"
    id_hash: str = Field(primary_key=True, max_length=64)
    # Set while someone is logged in, so that their other sessions can be ended at once.
    account_id: Optional[int] = Field(default=None, foreign_key="account.id", index=True)
    data: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    seen_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    expires_at: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))


class LoginThrottle(SQLModel, table=True):
    """Failed password checks per account in the current window, counted before each check."""

    __tablename__ = "login_throttle"
    key: str = Field(primary_key=True, max_length=300)
    window_start: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    attempts: int = 0
