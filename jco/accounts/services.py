"""Accounts: creating, changing, authenticating. The only code that changes an account.

Who may do what to which account is asked of jco/permissions.py; ``actor=None`` is the server's
command line, which the person at the server's console is trusted with (but even it keeps one
active admin). Passwords are hashed with Argon2id.
"""

from __future__ import annotations

import hashlib
import secrets
from types import EllipsisType
from typing import NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import func, update
from sqlmodel import Session, select

from jco import permissions
from jco.accounts import throttle
from jco.accounts.models import Account, AccountRole, ApiToken
from jco.accounts.sessions import end_account_sessions
from jco.audit import services as audit
from jco.core.timeutil import utcnow
from jco.documents.models import Marking

# OWASP's Password Storage Cheat Sheet: Argon2id with 19 MiB, 2 iterations, 1 lane. argon2-cffi's
# default (64 MiB, 3 iterations, 4 lanes) cost ~0.9 s of CPU per log-in on our 2-core server, which
# made the log-in form itself a way to exhaust it. Hashes made with other parameters are redone at
# the next successful log-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
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
_AUDITED = ["email", "name", "role", "organisation_id", "clearance", "active"]


class AccountError(ValueError):
    pass


class TooManyAttempts(AccountError):
    """The account's password checks for this minute are used up: nothing was checked."""


def hash_password(password: str) -> str:
    return _current_hasher().hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(func.lower(Account.email) == normalise_email(email)))


def _throttle_key(email: str) -> str:
    # One count per account whichever door the password is tried at (log-in or /account), and
    # per address typed for unknown ones, so that the answer does not tell them apart.
    return "password:" + normalise_email(email)


def _check_password(stored: str, password: str, email: str) -> bool:
    """Whether ``password`` matches; the attempt is counted first, atomically, across processes."""
    guard = throttle.current()
    key = _throttle_key(email)
    if not guard.reserve(key):
        raise TooManyAttempts(_("Too many attempts for this account. Wait a minute and try again."))
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    guard.release(key)
    return True


def authenticate(session: Session, email: str, password: str) -> Account | None:
    """The active account with these credentials, or None — whichever of the two was wrong.

    Raises TooManyAttempts, before any check, once this minute's attempts for the email are used.
    """
    account = find_by_email(session, email)
    dummy = _FAST_DUMMY_HASH if _current_hasher() is _fast_hasher else _DUMMY_HASH
    stored = account.password_hash if account and account.password_hash else dummy
    if not _check_password(stored, password, email):
        return None
    if account is None or not account.active:
        return None
    if _current_hasher().check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = utcnow()
    session.add(account)
    return account


def _refuse(message: str) -> NoReturn:
    raise AccountError(message)


def _check_role_and_clearance(actor, role: AccountRole, clearance: Marking, current: Marking) -> None:
    if actor is None:
        return
    if not permissions.can_grant_role(actor, role):
        _refuse(_("Only an administrator may give the role %(role)s.", role=_(role.label)))
    if not permissions.can_grant_clearance(actor, clearance, current):
        if not permissions.is_admin(actor):
            _refuse(_("Only an administrator may grant a clearance."))
        own = permissions.clearance_of(actor)
        _refuse(_("You may grant a clearance up to your own (%(own)s) only: %(clearance)s needs an administrator "
                  "cleared for it.", own=own.value or _("none"), clearance=clearance.value))


def _clearance(value: str) -> Marking:
    try:
        clearance = Marking((value or "").strip().upper())
    except ValueError:
        clearance = None
    if clearance is None or clearance not in permissions.CLEARANCE_LEVELS:
        _refuse(_("A clearance is one of RESTREINT UE, CONFIDENTIEL UE or SECRET UE (or none)."))
    return clearance


def _role(value: str) -> AccountRole:
    try:
        return AccountRole(value)
    except ValueError:
        raise AccountError(_("'%(value)s' is not a role: admin, secretariat, delegate or manager.", value=value)) from None


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
    role, clearance = _role(role), _clearance(clearance)
    if actor is not None and not permissions.is_secretariat(actor):
        _refuse(_("Only the Secretariat and administrators manage accounts."))
    _check_role_and_clearance(actor, role, clearance, Marking.NONE)
    if find_by_email(session, email):
        _refuse(_("There is already an account for %(email)s.", email=email))
    if role == AccountRole.DELEGATE and organisation_id is None:
        _refuse(_("A delegate belongs to a delegation: choose one."))
    if len(password) < MIN_PASSWORD_LENGTH and password != "jco-demo":
        _refuse(_("The password must have at least %(num)d characters.", num=MIN_PASSWORD_LENGTH))
    account = Account(
        email=email, name=name.strip(), password_hash=hash_password(password), role=role,
        organisation_id=organisation_id, clearance=clearance, session_nonce=secrets.token_hex(8),
    )
    session.add(account)
    session.flush()
    audit.record(session, actor, "account.create", account, summary=f"Created the account {email}",
                 after=audit.snapshot(account, _AUDITED))
    return account


def _other_active_admins(session: Session, account: Account) -> int:
    # Locked on PostgreSQL, so that two admins demoting each other at once cannot both pass.
    rows = session.scalars(
        select(Account.id).where(Account.role == AccountRole.ADMIN, Account.active.is_(True),
                                 Account.id != account.id).with_for_update()
    ).all()
    return len(rows)


def _keep_an_admin(session: Session, account: Account) -> None:
    if account.role == AccountRole.ADMIN and account.active and _other_active_admins(session, account) == 0:
        _refuse(_("%(email)s is the last active administrator: make another account an administrator first.",
                  email=account.email))


def update_account(
    session: Session,
    account: Account,
    *,
    role: str | None = None,
    clearance: str | None = None,
    organisation_id: int | None | EllipsisType = ...,
    name: str | None = None,
    actor=None,
) -> bool:
    """Change an account's role, clearance, delegation or name; False when nothing changed."""
    new_role = _role(role) if role is not None else AccountRole(account.role)
    new_clearance = _clearance(clearance) if clearance is not None else Marking(account.clearance or "")
    new_organisation = account.organisation_id if organisation_id is ... else organisation_id
    if actor is not None:
        if not permissions.can_manage_account(actor, account):
            _refuse(_("Only an administrator may change an administrator or Secretariat account."))
        if new_role != account.role and actor.id == account.id:
            _refuse(_("You cannot change your own role."))
    _check_role_and_clearance(actor, new_role, new_clearance, Marking(account.clearance or ""))
    if new_role != account.role:
        _keep_an_admin(session, account)
    if new_role == AccountRole.DELEGATE and new_organisation is None:
        _refuse(_("A delegate belongs to a delegation: choose one."))
    before = audit.snapshot(account, _AUDITED)
    account.role, account.clearance, account.organisation_id = new_role, new_clearance, new_organisation
    if name is not None:
        account.name = name.strip()
    before, after = audit.diff(before, audit.snapshot(account, _AUDITED))
    if not after:
        return False
    session.add(account)
    session.flush()
    audit.record(session, actor, "account.update", account, summary=f"Changed the account {account.email}",
                 before=before, after=after)
    return True


def set_clearance(session: Session, account: Account, clearance: str, actor=None) -> bool:
    return update_account(session, account, clearance=clearance, actor=actor)


def _end_sessions_and_tokens(session: Session, account: Account) -> None:
    """Every session of the account ends (its nonce no longer matches any of them) and every
    credential it handed out stops working: API tokens and the calendar address."""
    account.session_nonce = secrets.token_hex(8)
    account.calendar_token_hash = None
    session.execute(
        update(ApiToken).where(ApiToken.account_id == account.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    end_account_sessions(session, account.id)


def change_password(session: Session, account: Account, current: str, new: str) -> None:
    """The caller renews its own session afterwards: every stored session of the account ends."""
    if not _check_password(account.password_hash, current, account.email):
        _refuse(_("The current password is not right."))
    if len(new) < MIN_PASSWORD_LENGTH:
        _refuse(_("The new password must have at least %(num)d characters.", num=MIN_PASSWORD_LENGTH))
    account.password_hash = hash_password(new)
    _end_sessions_and_tokens(session, account)
    session.add(account)
    audit.record(session, account, "account.password", account,
                 summary="Changed the password; other sessions, API tokens and the calendar address ended")


def set_active(session: Session, account: Account, active: bool, actor=None) -> None:
    if account.active == active:
        return
    if actor is not None:
        if not permissions.can_manage_account(actor, account):
            _refuse(_("Only an administrator may disable or enable an administrator or Secretariat account."))
        if not active and not permissions.can_disable_account(actor, account):
            _refuse(_("You cannot disable your own account."))
    if not active:
        _keep_an_admin(session, account)
        _end_sessions_and_tokens(session, account)
    account.active = active
    session.add(account)
    session.flush()
    audit.record(session, actor, "account.enable" if active else "account.disable", account,
                 summary=("Enabled " if active else "Disabled ") + account.email
                 + ("" if active else "; its sessions, API tokens and calendar address ended"),
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


def set_language(session: Session, account: Account, language: str) -> None:
    """The language the account reads pages, e-mails and calendar feeds in ("" follows the browser)."""
    from jco.core.i18n import LANGUAGES

    if language and language not in LANGUAGES:
        raise AccountError(_("Choose a language from the list."))
    if account.language == language:
        return
    before = account.language
    account.language = language
    session.add(account)
    audit.record(session, account, "account.language", account,
                 summary=f"Chose the language {language or 'of the browser'}",
                 before={"language": before}, after={"language": language})


def set_reminders(session: Session, account: Account, enabled: bool) -> None:
    if account.reminders_enabled == enabled:
        return
    account.reminders_enabled = enabled
    session.add(account)
    audit.record(session, account, "account.reminders", account,
                 summary=("Turned on" if enabled else "Turned off") + " e-mail reminders",
                 before={"reminders_enabled": not enabled}, after={"reminders_enabled": enabled})
