"""The database under stress and gone: WAL, concurrent writers on one JCO, outages answered by 503."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from flask import jsonify, request
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from jco import create_app
from jco.audit.models import AuditEntry
from jco.core import migrate
from jco.core.db import get_session
from jco.operations import services
from jco.operations.models import Jco
from jco.operations.reference_data import ensure_reference_data
from tests.conftest import TEST_CONFIG
from tests.factories import make_account, make_jco


def is_sqlite(app) -> bool:
    return app.config["DATABASE_URL"].startswith("sqlite")


def test_engine_is_set_up_for_concurrency_and_outages(app, db):
    engine = app.extensions["jco_engine"]
    if is_sqlite(app):
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    else:
        # A pooled connection that died is noticed before use (connect_timeout: the hang test below).
        assert engine.pool._pre_ping


# --- twenty writers on one JCO -------------------------------------------------------------------

WRITERS = 20
EDITS_EACH = 2


@pytest.fixture
def tally_routes(app):
    """An edit page for the test, as a form would do it: show the version, post the change with it."""

    @app.get("/_test/jcos/<int:jco_id>/tally")
    def show_tally(jco_id):
        jco = get_session().get(Jco, jco_id)
        return jsonify(version=jco.version, description=jco.description)

    @app.post("/_test/jcos/<int:jco_id>/tally")
    def add_to_tally(jco_id):
        session = get_session()
        jco = session.get(Jco, jco_id)
        details = services.JcoDetails(
            name=jco.name, edition=jco.edition, kind=jco.kind, action_id=jco.action_id,
            description=f"{jco.description} {request.form['mark']}".strip(),
            report_prior_body=jco.report_prior_body, planned_start=jco.planned_start, planned_end=jco.planned_end,
        )
        try:
            services.update_jco(session, jco, details, version=request.form["version"])
        except services.StaleEdit as error:
            session.rollback()
            return jsonify(error=str(error)), 409
        session.commit()
        return "", 204

    show_tally.public = add_to_tally.public = True
    return app


def test_concurrent_writers_lose_no_update(app, db, tally_routes):
    jco = make_jco(db, "Tally")
    db.commit()
    jco_id, start_version = jco.id, jco.version
    statuses: list[int] = []
    failures: list[str] = []
    barrier = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            for k in range(EDITS_EACH):
                for _attempt in range(200):  # a real client reloads and tries again
                    version = client.get(f"/_test/jcos/{jco_id}/tally").json["version"]
                    response = client.post(f"/_test/jcos/{jco_id}/tally", data={"version": version, "mark": f"w{n}.{k}"})
                    statuses.append(response.status_code)
                    if response.status_code == 204:
                        break
                    if response.status_code != 409:
                        failures.append(f"writer {n}: {response.status_code} {response.get_data(as_text=True)[:200]}")
                        return
                else:
                    failures.append(f"writer {n} never got its edit in")
        except Exception as error:  # noqa: BLE001 - reported below, with the writer's number
            failures.append(f"writer {n}: {error!r}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    assert not failures, failures
    assert set(statuses) <= {204, 409}
    assert 409 in statuses, "the writers never collided, so the test proved nothing"
    db.expire_all()
    jco = db.get(Jco, jco_id)
    marks = jco.description.split()
    expected = {f"w{n}.{k}" for n in range(WRITERS) for k in range(EDITS_EACH)}
    assert sorted(marks) == sorted(expected), "an edit was lost or applied twice"
    assert jco.version == start_version + WRITERS * EDITS_EACH
    edits = db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "jco.update", AuditEntry.jco_id == jco_id))
    assert edits == WRITERS * EDITS_EACH


# --- the database goes away and comes back ---------------------------------------------------------

class TcpProxy:
    """A TCP relay to PostgreSQL that the test can cut, black-hole and restore."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.mode = "down"
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._sockets.append(client)
            if self.mode == "hang":
                continue  # accepted, and never answered: only the client's timeout ends the wait
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _close_all(self) -> None:
        if self._listener is not None:
            try:
                # Wakes the thread blocked in accept(): close() alone leaves it listening on Linux.
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            for s in self._sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self._sockets.clear()

    def up(self) -> None:
        self._close_all()
        self.mode = "up"
        self._listen()

    def down(self) -> None:
        """The server is gone: connections drop and new ones are refused."""
        self._close_all()
        self.mode = "down"

    def hang(self) -> None:
        """The server's host is there but does not answer."""
        self._close_all()
        self.mode = "hang"
        self._listen()


class Outage:
    """A database the test can take away and give back, with an app in front of it."""

    def __init__(self, app, url: str, take_down, hang, bring_back):
        self.app, self.url = app, url
        self.down, self.hang, self.up = take_down, hang, bring_back


@pytest.fixture
def outage(app, db, tmp_path):
    make_account(db, "fr.delegate@example.org", org_code="FR")
    make_jco(db, "Outage")
    db.commit()
    config = {**TEST_CONFIG, "JCO_DB_CONNECT_TIMEOUT": 2, "PROPAGATE_EXCEPTIONS": False}
    if is_sqlite(app):
        folder = tmp_path / "db"
        folder.mkdir()
        url = f"sqlite:///{folder / 'jco.sqlite3'}"
        engine = create_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        broken = create_app({**config, "DATABASE_URL": url})
        with broken.app_context():
            session = get_session()
            ensure_reference_data(session)
            make_account(session, "fr.delegate@example.org", org_code="FR")
            session.commit()
        away = tmp_path / "db-away"
        # SQLite opens the file anew for each request: without its folder it cannot.
        yield Outage(broken, url, lambda: folder.rename(away), None, lambda: away.rename(folder))
        if away.exists():
            away.rename(folder)
    else:
        real = make_url(app.config["DATABASE_URL"])
        proxy = TcpProxy((real.host or "127.0.0.1", real.port or 5432))
        proxy.up()
        url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        broken = create_app({**config, "DATABASE_URL": url})
        yield Outage(broken, url, proxy.down, proxy.hang, proxy.up)
        proxy.down()
    broken.extensions["jco_engine"].dispose()


def _timed(client, path):
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


def test_database_outage_gives_503_and_recovery_needs_no_restart(outage):
    app = outage.app

    @app.get("/api/_test/ping")
    def api_ping():
        return jsonify(count=get_session().scalar(select(func.count()).select_from(Jco)))

    api_ping.public = True
    client = app.test_client()
    assert client.post("/login", data={"email": "fr.delegate@example.org", "password": "jco-demo"}).status_code == 302
    assert client.get("/jcos").status_code == 200
    assert client.get("/healthz").status_code == 200

    outage.down()
    for _ in range(2):  # the second time too: nothing is left half-broken by the first failure
        response, took = _timed(client, "/healthz")
        assert response.status_code == 503 and response.json["database"] == "down"
        assert took < 5
        response, took = _timed(client, "/jcos")
        assert response.status_code == 503 and took < 5
        html = response.get_data(as_text=True)
        assert "The database is not answering" in html and "Traceback" not in html
        assert response.headers["Retry-After"]
        assert "Content-Security-Policy" in response.headers
        response, took = _timed(client, "/api/_test/ping")
        assert response.status_code == 503 and response.is_json and took < 5
        assert response.json["error"]["status"] == 503

    outage.up()
    assert client.get("/healthz").status_code == 200
    assert client.get("/jcos").status_code == 200  # the same session, no new login
    assert client.get("/api/_test/ping").json["count"] >= 0


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_unanswering_postgresql_gives_503_within_the_connect_timeout(outage):
    client = outage.app.test_client()
    assert client.get("/healthz").status_code == 200
    outage.hang()
    response, took = _timed(client, "/healthz")
    assert response.status_code == 503
    assert took < 2 + 3  # JCO_DB_CONNECT_TIMEOUT=2, plus slack for a busy machine
    outage.up()
    assert client.get("/healthz").status_code == 200


def test_healthz_and_pages_answer_quickly_when_the_file_database_is_missing(tmp_path):
    url = f"sqlite:///{Path(tmp_path) / 'missing' / 'jco.sqlite3'}"
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url, "PROPAGATE_EXCEPTIONS": False})
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    assert client.get("/login").status_code == 200  # the login page itself needs no database
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 503
