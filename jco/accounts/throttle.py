"""Password checks per account, counted before each check, in a store every process shares.

Flask-Limiter counts a failure once the response says so, that is after the password was checked:
twenty-five attempts sent at once all passed its test before the first one was counted. Here an
attempt takes its place in the count *before* the check, in one atomic statement (an UPSERT in the
database, INCR in Redis), so however many arrive together, at most ``limit`` of them are checked in
a window. A check that succeeds gives its place back: successful log-ins do not count.
"""

from __future__ import annotations

import time

from flask import Flask, current_app
from sqlalchemy import case, delete, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jco.accounts.models import LoginThrottle

LIMIT = 10
WINDOW_SECONDS = 60

_INCREMENT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""
_GIVE_BACK = """
if (tonumber(redis.call('GET', KEYS[1]) or '0')) > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


class DatabaseCounter:
    def __init__(self, engine, window: int):
        self.engine = engine
        self.window = window
        self.insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert

    def take(self, key: str) -> int:
        now = int(time.time())
        table = LoginThrottle.__table__
        window_over = table.c.window_start <= now - self.window
        statement = (
            self.insert(table).values(key=key, window_start=now, attempts=1)
            .on_conflict_do_update(index_elements=["key"], set_={
                "attempts": case((window_over, 1), else_=table.c.attempts + 1),
                "window_start": case((window_over, now), else_=table.c.window_start),
            })
            .returning(table.c.attempts)
        )
        with self.engine.begin() as connection:
            attempts = connection.execute(statement).scalar_one()
            if attempts == 1:
                # A new window for this key: a good moment to drop the windows long over.
                connection.execute(delete(LoginThrottle).where(LoginThrottle.window_start < now - 10 * self.window))
        return attempts

    def give_back(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(LoginThrottle).where(LoginThrottle.key == key, LoginThrottle.attempts > 0)
                .values(attempts=LoginThrottle.attempts - 1)
            )


class RedisCounter:
    def __init__(self, url: str, window: int, prefix: str = "jco:login-attempts:"):
        import redis

        client = redis.Redis.from_url(url)
        self.prefix = prefix
        self.window = window
        self._take = client.register_script(_INCREMENT)
        self._give_back = client.register_script(_GIVE_BACK)

    def take(self, key: str) -> int:
        return int(self._take(keys=[self.prefix + key], args=[self.window]))

    def give_back(self, key: str) -> None:
        self._give_back(keys=[self.prefix + key])


class PasswordCheckThrottle:
    def __init__(self, counter, *, limit: int = LIMIT, enabled: bool = True):
        self.counter = counter
        self.limit = limit
        self.enabled = enabled

    def reserve(self, key: str) -> bool:
        """Count an attempt for ``key``; False when the window's attempts are used up."""
        return not self.enabled or self.counter.take(key) <= self.limit

    def release(self, key: str) -> None:
        """The checked password was right: the attempt does not count against the account."""
        if self.enabled:
            self.counter.give_back(key)


def current() -> PasswordCheckThrottle:
    return current_app.extensions["jco_password_throttle"]


def init_app(app: Flask) -> None:
    # The Redis that already holds Flask-Limiter's counters, when there is one; else the database.
    storage = app.config.get("RATELIMIT_STORAGE_URI") or ""
    if storage.startswith(("redis://", "rediss://", "redis+unix://")):
        counter: RedisCounter | DatabaseCounter = RedisCounter(storage.replace("redis+unix://", "unix://", 1), WINDOW_SECONDS)
    else:
        counter = DatabaseCounter(app.extensions["jco_engine"], WINDOW_SECONDS)
    app.extensions["jco_password_throttle"] = PasswordCheckThrottle(
        counter, enabled=bool(app.config.get("RATELIMIT_ENABLED", True))
    )
