"""Sessions held on the server: the cookie carries a random id, the data stays here.

A signed cookie cannot be taken back: logging out only asked the browser to forget it, and a copy
kept working until it expired. Here the server holds every session, so ending one (log-out, a
password change, a disabled account) ends it for every copy of the cookie.

Two stores, both shared by every worker process (no state lives in a process): the application
database by default, Redis when ``JCO_SESSION_REDIS_URL`` is set. A session ends
``JCO_SESSION_MAX_HOURS`` after it began, however busy, and ``JCO_SESSION_IDLE_HOURS`` after its
last request.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time

from flask import Flask, g, request
from flask import session as current_session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlmodel import select
from werkzeug.datastructures import CallbackDict
from werkzeug.exceptions import ServiceUnavailable

from jco.accounts.models import WebSession

# How often a busy session's "last seen" is written: not on every request, yet precise enough
# for an idle timeout counted in hours.
TOUCH_SECONDS = 300
_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
_serializer = TaggedJSONSerializer()


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _account_id(data: dict) -> int | None:
    # Flask-Login keeps "<id>:<nonce>" (see Account.get_id).
    raw = str(data.get("_user_id") or "").split(":", 1)[0]
    return int(raw) if raw.isdigit() else None


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, session_id: str | None = None, *, created_at: int | None = None,
                 seen_at: int | None = None):
        def on_update(self):
            self.modified = True

        super().__init__(initial, on_update)
        self.session_id = session_id
        self.created_at = created_at
        self.seen_at = seen_at
        self.modified = False
        self.renew = False
        # The store's error when it could not be read: the request is answered 503 and the
        # stored session is left as it is, to be found again once the store is back.
        self.failure: Exception | None = None

    @property
    def new(self) -> bool:  # type: ignore[override]  # SessionMixin's ``new`` is a plain attribute
        return self.session_id is None


def renew_session(session: ServerSession) -> None:
    """Give the session a new id and end the old one: at log-in (a session id planted before the
    log-in is worthless after it) and at log-out (a copied cookie stops working)."""
    session.renew = True
    session.modified = True


class DatabaseStore:
    errors = (OperationalError, PoolTimeoutError)

    def __init__(self, engine):
        self.engine = engine

    def load(self, key: str) -> tuple[dict, int, int, int] | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(WebSession.data, WebSession.created_at, WebSession.seen_at, WebSession.expires_at)
                .where(WebSession.id_hash == key)
            ).first()
        if row is None:
            return None
        return _serializer.loads(row.data), row.created_at, row.seen_at, row.expires_at

    def save(self, key: str, data: dict, created_at: int, seen_at: int, expires_at: int, *, new: bool) -> None:
        values = {"account_id": _account_id(data), "data": _serializer.dumps(data), "seen_at": seen_at,
                  "expires_at": expires_at}
        _release_uncommitted_writes()
        with self.engine.begin() as connection:
            if new:
                # Expired sessions are swept whenever a session begins: the table stays the size
                # of the sessions alive, without a scheduled job.
                connection.execute(delete(WebSession).where(WebSession.expires_at < seen_at))
                connection.execute(WebSession.__table__.insert().values(id_hash=key, created_at=created_at, **values))
            else:
                connection.execute(WebSession.__table__.update().where(WebSession.id_hash == key).values(**values))

    def delete(self, key: str) -> None:
        _release_uncommitted_writes()
        with self.engine.begin() as connection:
            connection.execute(delete(WebSession).where(WebSession.id_hash == key))


class RedisStore:
    def __init__(self, url: str, prefix: str = "jco:session:"):
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix
        self.errors = (redis.RedisError,)

    def load(self, key: str) -> tuple[dict, int, int, int] | None:
        raw = self.redis.get(self.prefix + key)
        if raw is None:
            return None
        record = json.loads(raw)
        return _serializer.loads(record["data"]), record["created_at"], record["seen_at"], record["expires_at"]

    def save(self, key: str, data: dict, created_at: int, seen_at: int, expires_at: int, *, new: bool) -> None:
        record = {"data": _serializer.dumps(data), "created_at": created_at, "seen_at": seen_at,
                  "expires_at": expires_at}
        # Redis drops the key when the session ends: nothing to sweep. An existing session is only
        # updated, never re-created: a request still running when its session was ended (log-out
        # in another tab) must not bring it back.
        self.redis.set(self.prefix + key, json.dumps(record), exat=expires_at, nx=new, xx=not new)

    def delete(self, key: str) -> None:
        self.redis.delete(self.prefix + key)


def _release_uncommitted_writes() -> None:
    """On SQLite a request that wrote without committing holds the database's write lock until its
    teardown; writing the session beside it would wait for that lock in vain. The handler chose not
    to commit those writes, so teardown would discard them anyway: discard them now."""
    request_session = g.get("db_session")
    if request_session is None or not request_session.in_transaction():
        return
    dbapi = request_session.connection().connection.dbapi_connection
    if getattr(dbapi, "in_transaction", False) and request_session.get_bind().dialect.name == "sqlite":
        request_session.rollback()


class ServerSessionInterface(SessionInterface):
    def __init__(self, store, *, max_seconds: int, idle_seconds: int):
        self.store = store
        self.max_seconds = max_seconds
        self.idle_seconds = idle_seconds

    def _expiry(self, created_at: int, seen_at: int) -> int:
        return min(created_at + self.max_seconds, seen_at + self.idle_seconds)

    def open_session(self, app: Flask, request) -> ServerSession:
        session_id = request.cookies.get(self.get_cookie_name(app)) or ""
        # Stylesheets, scripts and maps need no session: no lookup for each of them.
        if request.endpoint == "static" or not _ID.match(session_id):
            return ServerSession()
        try:
            record = self.store.load(_digest(session_id))
        except self.store.errors as error:
            unavailable = ServerSession()
            unavailable.failure = error
            return unavailable
        now = int(time.time())
        if record is None or record[3] <= now or self._expiry(record[1], record[2]) <= now:
            return ServerSession()
        data, created_at, seen_at, _expires_at = record
        return ServerSession(data, session_id, created_at=created_at, seen_at=seen_at)

    # Flask hands back the ServerSession that open_session made.
    def save_session(self, app: Flask, session: ServerSession, response) -> None:  # type: ignore[override]
        if session.failure is not None:
            return
        try:
            self._save(app, session, response)
        except self.store.errors as error:
            # The response is made already: it goes out, without a cookie (set only once stored).
            app.logger.warning("Session store unavailable, session not saved: %s", error)

    def _save(self, app: Flask, session: ServerSession, response) -> None:
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        ended = bool(session.session_id and (session.renew or not session))
        if ended:
            self.store.delete(_digest(session.session_id))
            session.session_id = None
        if not session:
            if ended:
                response.delete_cookie(name, domain=domain, path=path, secure=self.get_cookie_secure(app),
                                       httponly=self.get_cookie_httponly(app),
                                       samesite=self.get_cookie_samesite(app))
            return
        response.vary.add("Cookie")
        now = int(time.time())
        if session.new:
            session.session_id = secrets.token_urlsafe(32)
            session.created_at = session.seen_at = now
            self.store.save(_digest(session.session_id), dict(session), now, now,
                            self._expiry(now, now), new=True)
            response.set_cookie(
                name, session.session_id, expires=self.get_expiration_time(app, session), domain=domain,
                path=path, secure=self.get_cookie_secure(app), httponly=self.get_cookie_httponly(app),
                samesite=self.get_cookie_samesite(app),
            )
        elif session.modified or now - (session.seen_at or 0) >= TOUCH_SECONDS:
            session.seen_at = now
            self.store.save(_digest(session.session_id), dict(session), session.created_at, now,
                            self._expiry(session.created_at, now), new=False)


def end_account_sessions(db_session, account_id: int, keep: ServerSession | None = None) -> None:
    """Delete the stored sessions of an account (all but ``keep``), in the caller's transaction.

    Rotating the account's session nonce already locks every one of them out, in either store;
    this also removes the database rows rather than leaving them to expire.
    """
    statement = delete(WebSession).where(WebSession.account_id == account_id)
    if keep is not None and keep.session_id:
        statement = statement.where(WebSession.id_hash != _digest(keep.session_id))
    db_session.execute(statement)


def init_app(app: Flask) -> None:
    redis_url = app.config.get("JCO_SESSION_REDIS_URL") or ""
    store = RedisStore(redis_url) if redis_url else DatabaseStore(app.extensions["jco_engine"])
    @app.before_request
    def _session_store_down():
        # Raised here, inside the request, so that the app's handlers answer 503 (JSON for the API)
        # rather than looking like a visitor who is not logged in. The health check answers for itself.
        failure = getattr(current_session, "failure", None)
        if failure is None or request.endpoint == "healthz":
            return
        if isinstance(failure, DatabaseStore.errors):
            raise failure
        raise ServiceUnavailable(_("The session store is not answering right now. Please try again in a moment."),
                                 retry_after=5)

    app.session_interface = ServerSessionInterface(
        store,
        max_seconds=int(app.config["JCO_SESSION_MAX_HOURS"] * 3600),
        idle_seconds=int(app.config["JCO_SESSION_IDLE_HOURS"] * 3600),
    )
