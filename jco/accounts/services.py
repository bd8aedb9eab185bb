"""Accounts: creating, authenticating, changing passwords. Passwords are hashed with Argon2id."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlmodel import Session

from jco.accounts.models import Account, AccountRole
from jco.audit import services as audit
from jco.core.timeutil import utcnow
from jco.documents.models import Marking

_hasher = PasswordHasher()
# JCO_FAST_PASSWORD_HASHING (tests only) trades strength for speed; stored hashes stay verifiable
# by the strong hasher because Argon2 hashes carry their own parameters.
_fast_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
# Verifying against one of these when the email is unknown makes both failures take the same
# time: its parameters are those of the stored hashes (strong, or fast in tests).
_DUMMY_HASH = _hasher.hash("not-a-real-password")
_FAST_DUMMY_HASH = _fast_hasher.hash("not-a-real-password")


def _current_hasher() -> PasswordHasher:
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get("JCO_FAST_PASSWORD_HASHING"):
        return _fast_hasher
    return _hasher
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    return _current_hasher().hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(func.lower(Account.email) == normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> Account | None:
    """The active account with these credentials, or None — whichever of the two was wrong."""
    account = find_by_email(session, email)
    dummy = _FAST_DUMMY_HASH if _current_hasher() is _fast_hasher else _DUMMY_HASH
    stored = account.password_hash if account and account.password_hash else dummy
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.active:
        return None
    if _current_hasher().check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = utcnow()
    session.add(account)
    return account


def create_account(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    name: str = "",
    organisation_id: int | None = None,
    clearance: str = "",
    actor=None,
) -> Account:
    email = normalise_email(email)
    if find_by_email(session, email):
        raise AccountError(f"There is already an account for {email}.")
    role = AccountRole(role)
    Marking(clearance)
    if role == AccountRole.DELEGATE and organisation_id is None:
        raise AccountError("A delegate belongs to a delegation: choose one.")
    if len(password) < MIN_PASSWORD_LENGTH and password != "jco-demo":
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    account = Account(
        email=email, name=name.strip(), password_hash=hash_password(password), role=role,
        organisation_id=organisation_id, clearance=clearance, session_nonce=secrets.token_hex(8),
    )
    session.add(account)
    session.flush()
    audit.record(session, actor, "account.create", account, summary=f"Created the account {email}",
                 after=audit.snapshot(account, ["email", "name", "role", "organisation_id", "clearance", "active"]))
    return account


def change_password(session: Session, account: Account, current: str, new: str) -> None:
    try:
        _hasher.verify(account.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise AccountError("The current password is not right.") from None
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The new password must have at least {MIN_PASSWORD_LENGTH} characters.")
    account.password_hash = hash_password(new)
    account.session_nonce = secrets.token_hex(8)  # ends the account's other sessions
    session.add(account)
    audit.record(session, account, "account.password", account, summary="Changed the password")


def set_active(session: Session, account: Account, active: bool, actor=None) -> None:
    if account.active == active:
        return
    if actor is not None and actor.id == account.id and not active:
        raise AccountError("You cannot disable your own account.")
    account.active = active
    account.session_nonce = secrets.token_hex(8)
    session.add(account)
    audit.record(session, actor, "account.enable" if active else "account.disable", account,
                 summary=("Enabled " if active else "Disabled ") + account.email,
                 before={"active": not active}, after={"active": active})


def token_digest(token: str) -> str:
    """Tokens are stored as their SHA-256: a leaked database does not leak usable tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def load_for_session(session: Session, user_id: str) -> Account | None:
    try:
        raw_id, nonce = user_id.split(":", 1)
        account = session.get(Account, int(raw_id))
    except (ValueError, TypeError):
        return None
    if account is None or not account.active or account.session_nonce != nonce:
        return None
    return account
