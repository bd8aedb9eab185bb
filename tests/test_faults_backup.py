"""`flask --app jco backup`: a consistent copy taken while the app keeps writing, restored elsewhere."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from jco import create_app
from jco.audit.models import AuditEntry
from jco.core.backup import BackupError, pg_dump_command, target_path
from jco.core.db import get_session
from jco.operations.models import Jco
from tests.conftest import IN_CI, TEST_CONFIG, _create_postgres_database, _drop_postgres_database
from tests.factories import make_jco


@pytest.fixture
def app_config(tmp_path):
    return {"JCO_BACKUP_DIR": str(tmp_path / "backups")}


class Writer(threading.Thread):
    """Keeps creating operations, one committed request at a time, and notes each one committed."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app = app
        self.committed: list[int] = []
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stop.is_set() and n < 2000:
            n += 1
            try:
                with self.app.app_context():
                    session = get_session()
                    jco = make_jco(session, f"Written while backing up {n}")
                    session.commit()
                    self.committed.append(jco.id)
            except Exception as error:  # noqa: BLE001 - the test reports it
                self.errors.append(repr(error))
                return


def _require_pg_tools() -> None:
    if shutil.which("pg_dump") and shutil.which("pg_restore"):
        return
    if IN_CI:
        pytest.fail("CI must run the PostgreSQL backup test: pg_dump/pg_restore are not on PATH")
    pytest.skip("pg_dump and pg_restore are not on PATH")


def _restore(app, backup_path, tmp_path) -> tuple[str, str | None]:
    """A fresh database holding the backup, and the PostgreSQL database to drop afterwards."""
    if app.config["DATABASE_URL"].startswith("sqlite"):
        restored = tmp_path / "restored.sqlite3"
        shutil.copy(backup_path, restored)
        return f"sqlite:///{restored}", None
    url, name = _create_postgres_database()
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    completed = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", f"--dbname={libpq}", str(backup_path)],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    return url, name


def test_backup_while_writing_keeps_everything_committed_before(app, db, runner, tmp_path):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        _require_pg_tools()
    for n in range(5):
        make_jco(db, f"Before the backup {n}")
    db.commit()
    writer = Writer(app)
    writer.start()
    deadline = time.monotonic() + 30
    while len(writer.committed) < 5 and time.monotonic() < deadline and not writer.errors:
        time.sleep(0.01)
    committed_before = set(writer.committed)  # read before the backup starts
    destination = tmp_path / "copy.backup"
    result = runner.invoke(args=["backup", str(destination)])
    time.sleep(0.2)
    writer.stop.set()
    writer.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert not writer.errors, writer.errors
    assert f"Backup written to {destination}" in result.output
    assert len(writer.committed) > len(committed_before), "the writer did not keep writing during the backup"

    url, pg_name = _restore(app, destination, tmp_path)
    restored = create_app({**TEST_CONFIG, "DATABASE_URL": url})
    try:
        with restored.app_context():
            session = get_session()
            ids = set(session.scalars(select(Jco.id)))
            assert committed_before <= ids, "rows committed before the backup began are missing"
            assert {f"Before the backup {n}" for n in range(5)} <= set(session.scalars(select(Jco.name)))
            # A consistent copy: every operation in it has the audit entry written in its transaction.
            created = set(session.scalars(select(AuditEntry.object_id).where(AuditEntry.action == "jco.create")))
            assert ids == created
            assert session.scalar(select(func.count()).select_from(Jco)) == len(ids)
    finally:
        restored.extensions["jco_engine"].dispose()
        if pg_name:
            _drop_postgres_database(pg_name)
    if url.startswith("sqlite"):
        with sqlite3.connect(destination) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file


def test_backup_goes_to_a_timestamped_file_by_default(app, db, runner, tmp_path):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        _require_pg_tools()
    make_jco(db)
    db.commit()
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    files = list((tmp_path / "backups").iterdir())
    assert len(files) == 1 and files[0].name.startswith("jco-")
    assert files[0].stat().st_mode & 0o077 == 0  # readable by the owner only
    assert files[0].stat().st_size > 0


def test_backup_never_overwrites(app, runner, tmp_path):
    existing = tmp_path / "existing.backup"
    existing.write_text("keep me")
    result = runner.invoke(args=["backup", str(existing)])
    assert result.exit_code != 0 and "already exists" in result.output
    assert existing.read_text() == "keep me"
    with pytest.raises(BackupError):
        target_path(str(existing), str(tmp_path), ".x")


def test_pg_dump_command_keeps_the_password_out_of_the_command_line(tmp_path):
    url = make_url("postgresql+psycopg://jco:s3cret@db.internal:5433/jco")
    command = pg_dump_command(url, tmp_path / "x.dump")
    assert command[0] == "pg_dump" and "--format=custom" in command
    assert "s3cret" not in " ".join(command)
    assert "--dbname=postgresql://jco@db.internal:5433/jco" in command


def test_without_pg_dump_the_command_is_printed(app, runner, monkeypatch, tmp_path):
    if app.config["DATABASE_URL"].startswith("sqlite"):
        url = "postgresql+psycopg://jco@127.0.0.1:1/jco"
        app.config["DATABASE_URL"] = url
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump here
    result = runner.invoke(args=["backup", str(tmp_path / "out.dump")])
    assert result.exit_code == 0, result.output
    assert "pg_dump --format=custom" in result.output and "not on PATH" in result.output


def test_backup_of_a_missing_sqlite_database_fails_clearly(app, runner, tmp_path):
    app.config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'nothing.sqlite3'}"
    result = runner.invoke(args=["backup", str(tmp_path / "out.sqlite3")])
    assert result.exit_code != 0 and "There is no database" in result.output
    assert not (tmp_path / "nothing.sqlite3").exists()


def test_engine_survives_a_backup_of_itself(app, db, runner, tmp_path):
    """The app's own connections keep working after the copy (no lock left behind)."""
    runner.invoke(args=["backup", str(tmp_path / "one.backup")])
    make_jco(db, "After the backup")
    db.commit()
    engine = create_engine(app.config["DATABASE_URL"])
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM jco")).scalar() == 1
    engine.dispose()
