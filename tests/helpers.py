"""Small helpers that several test modules share: logging in from a chosen address."""

from __future__ import annotations

import itertools
import secrets

_addresses = itertools.count(1)
# This process's own network: the limits kept in a shared Redis then never count another worker's or an
# earlier run's attempts. (With 500 IPv4 test addresses counted from 1, both workers used the same ones,
# and a Redis test met the thirty failures of an address that the other engine's run had just used.)
_NETWORK = secrets.randbits(32)


def new_address() -> str:
    """A client address of its own for each use (IPv6 documentation addresses, 2001:db8::/32, as strings
    in the WSGI environ: no traffic)."""
    return f"2001:db8:{_NETWORK >> 16:x}:{_NETWORK & 0xFFFF:x}::{next(_addresses):x}"


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
