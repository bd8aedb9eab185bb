"""Small helpers that several test modules share: logging in from a chosen address."""

from __future__ import annotations

import itertools

_addresses = itertools.count(1)


def new_address() -> str:
    """A client address of its own for each use (TEST-NET-3 strings in the WSGI environ; no traffic)."""
    n = next(_addresses)
    return f"203.0.{113 + n // 250 % 2}.{n % 250 + 1}"


def log_in(client, email: str, password: str, *, address: str | None = None, headers: dict | None = None):
    """Post the log-in form as a browser at ``address`` (a new one when None) would."""
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address or new_address()}, headers=headers or {})


def bearer(db, email: str, name: str = "test") -> dict:
    """Headers carrying a fresh API token of the account ``email`` (committed, so requests see it)."""
    from jco.accounts.services import find_by_email
    from jco.api.auth import create_token

    _row, secret = create_token(db, find_by_email(db, email), name)
    db.commit()
    return {"Authorization": f"Bearer {secret}"}
