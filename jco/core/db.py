"""The engine, one session per request, and the SQLite pragmas that make it safe under load.

Services only ``flush()``; the view that handled the request commits once, so a request is one
unit of work and a failure leaves nothing behind.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

# How long a SQLite writer waits for another's lock before giving up (then: 503, not a hang).
SQLITE_BUSY_TIMEOUT_S = 15


def contains(column, text: str):
    """``column`` holds ``text``, in any case: the one way a search builds a LIKE.

    ``%`` and ``_`` (and the escape character itself) are taken literally, so a search for
    ``%`` finds names with a percent sign instead of every name.
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def make_engine(url: str, *, connect_timeout: int = 5) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
            # A file database has no server to pool against; one connection per use keeps
            # several threads or processes from sharing a handle.
            poolclass=NullPool if ":memory:" not in url else None,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - exercised by every test
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(
        url,
        # A connection that died while pooled (server restart, failover) is replaced, not handed out.
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        # A request waits this long for a free connection, then gets a 503 instead of queueing.
        pool_timeout=10,
        # An unreachable server fails the connection after connect_timeout seconds (-> 503);
        # keepalives notice a peer that vanished without closing the connection.
        connect_args={"connect_timeout": connect_timeout, "keepalives": 1, "keepalives_idle": 30,
                      "keepalives_interval": 10, "keepalives_count": 3},
    )


def init_app(app: Flask) -> None:
    app.extensions["jco_engine"] = make_engine(
        app.config["DATABASE_URL"], connect_timeout=int(app.config.get("JCO_DB_CONNECT_TIMEOUT") or 5)
    )
    app.teardown_appcontext(close_session)


def get_engine() -> Engine:
    return current_app.extensions["jco_engine"]


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
