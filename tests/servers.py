"""Real servers that tests start and stop: an SMTP inbox (aiosmtpd) and gunicorn serving the app."""

from __future__ import annotations

import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine

from jco.core import migrate
from tests.conftest import IN_CI


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Redis ------------------------------------------------------------------------------------

REDIS_URL = os.environ.get("JCO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_or_skip():
    """A connection to the test Redis; without one the test is skipped here and fails in CI."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"CI must run the Redis tests; Redis at {REDIS_URL} is unreachable: {error}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {error}")
    return connection


# --- SMTP -------------------------------------------------------------------------------------

class Inbox:
    """An SMTP handler that keeps what arrives and can refuse chosen recipients."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse: set[str] = set()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def recipients(self) -> list[str]:
        return sorted(r for rcpts, _ in self.messages for r in rcpts)


@contextmanager
def smtp_inbox(app) -> Iterator[Inbox]:
    """An SMTP server on a free local port, and ``app`` configured to send through it."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USERNAME="")
    try:
        yield handler
    finally:
        controller.stop()


def migrated_sqlite(tmp_path: Path) -> str:
    """The URL of a new SQLite database under ``tmp_path`` at the current schema, for a server
    started in another process (the test's own database lives and dies with its transaction)."""
    url = f"sqlite:///{tmp_path / 'jco.sqlite3'}"
    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


# --- gunicorn ---------------------------------------------------------------------------------

@dataclass
class Gunicorn:
    base: str  # http://127.0.0.1:<port>
    process: subprocess.Popen


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status == 200
    except urllib.error.HTTPError:
        return False


@contextmanager
def gunicorn(tmp_path: Path, database_url: str, *, secret: str, workers: int = 1,
             access_log: str = "-") -> Iterator[Gunicorn]:
    """The production server (jco.web.gunicorn_conf) serving the app on a free port, once /healthz
    answers; stopped with SIGTERM on leaving (``process.returncode`` then says how it ended)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret, "JCO_BIND": f"127.0.0.1:{port}",
           "JCO_WORKERS": str(workers), "JCO_ACCESS_LOG": access_log, "JCO_ERROR_LOG": str(tmp_path / "error.log")}
    executable = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen([str(executable), "-c", "python:jco.web.gunicorn_conf", "jco:create_app()"],
                               env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if _healthy(f"{base}/healthz"):
                    break
            except OSError:
                pass
            time.sleep(0.2)
        assert process.poll() is None, (tmp_path / "error.log").read_text()
        yield Gunicorn(base, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
