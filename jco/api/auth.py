"""Personal API tokens: creating, revoking, and authenticating a request that carries one.

A token is shown once, when it is created; the database keeps only its SHA-256, so a copy of
the database gives nobody a usable token. A token acts with exactly the rights of its account,
and stops working when the token is revoked or the account disabled.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func
from sqlmodel import Session, select

from jco.accounts.models import Account, ApiToken
from jco.accounts.services import token_digest
from jco.audit import services as audit
from jco.core.timeutil import utcnow

TOKEN_PREFIX = "jco_"  # lets secret scanners and people recognise a leaked token
MAX_ACTIVE_TOKENS = 20
NAME_MAX_LENGTH = 80
# Writing "last used" on every call would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)

REALM = 'Bearer realm="JCO Tracker API"'


class TokenError(ValueError):
    pass


class TokenRejected(Exception):
    """The request's credentials do not authenticate it; the message says why, for the caller."""

    def __init__(self, message: str, *, invalid: bool = True):
        super().__init__(message)
        self.message = message
        # RFC 6750: a request without credentials gets no error code, a bad token "invalid_token".
        self.challenge = f'{REALM}, error="invalid_token"' if invalid else REALM


def active_tokens(session: Session, account: Account) -> list[ApiToken]:
    return list(session.scalars(
        select(ApiToken)
        .where(ApiToken.account_id == account.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def create_token(session: Session, account: Account, name: str, actor=None) -> tuple[ApiToken, str]:
    """A new token for ``account``: the row, and the token itself — the only time it is known."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenError(_("Give the token a name, so that you can recognise it later."))
    if len(name) > NAME_MAX_LENGTH:
        raise TokenError(_("The name must have at most %(max)d characters.", max=NAME_MAX_LENGTH))
    count = session.scalar(
        select(func.count()).select_from(ApiToken)
        .where(ApiToken.account_id == account.id, ApiToken.revoked_at.is_(None))
    ) or 0
    if count >= MAX_ACTIVE_TOKENS:
        raise TokenError(ngettext("An account may hold at most %(num)d token: revoke one you no longer use.",
                                  "An account may hold at most %(num)d tokens: revoke one you no longer use.",
                                  MAX_ACTIVE_TOKENS))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(account_id=account.id, name=name, token_hash=token_digest(secret))
    session.add(token)
    session.flush()
    audit.record(session, actor or account, "api_token.create", token,
                 summary=f"Created the API token “{name}” for {account.email}")
    return token, secret


def revoke_token(session: Session, token: ApiToken, actor) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    session.add(token)
    audit.record(session, actor, "api_token.revoke", token, summary=f"Revoked the API token “{token.name}”")


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header; None when there is no such header."""
    if not authorization:
        return None
    scheme, _space, credentials = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise TokenRejected(_("Send the token as “Authorization: Bearer <token>”."))
    credentials = credentials.strip()
    if not credentials or " " in credentials:
        raise TokenRejected(_("The Authorization header holds no token after “Bearer”."))
    return credentials


def authenticate(session: Session, authorization: str | None) -> tuple[Account, ApiToken]:
    """The account a request's bearer token stands for, or TokenRejected."""
    secret = bearer_token(authorization)
    if secret is None:
        raise TokenRejected(
            _("This API needs a personal API token: create one on your account page and send it as "
              "“Authorization: Bearer <token>”."), invalid=False,
        )
    row = session.execute(
        select(ApiToken, Account)
        .join(Account, Account.id == ApiToken.account_id)
        .where(ApiToken.token_hash == token_digest(secret))
    ).first()
    if row is None:
        raise TokenRejected(_("The token is not valid."))
    token, account = row
    if token.revoked_at is not None:
        raise TokenRejected(_("The token has been revoked."))
    if not account.active:
        raise TokenRejected(_("The token's account is disabled."))
    now = utcnow()
    if token.last_used_at is None or _aware(token.last_used_at) <= now - LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.add(token)
        session.commit()
    return account, token


def _aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back without a time zone; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
