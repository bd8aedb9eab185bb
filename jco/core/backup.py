"""`flask --app jco backup [DEST]`: a consistent copy of the database while the app keeps serving.

SQLite: the online backup API copies the database in one step under a read transaction, so the
copy is the database as it stood at one instant — writers carry on meanwhile (WAL mode).
PostgreSQL: ``pg_dump`` does the same from one snapshot; the command is printed (README:
Deployment) and run when ``pg_dump`` is on PATH.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    pass


@dataclass
class BackupResult:
    path: Path
    size: int
    command: list[str] | None = None  # the pg_dump command line, for PostgreSQL


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def target_path(dest: str | None, default_dir: str, suffix: str) -> Path:
    """DEST as a file, or a timestamped file inside DEST (or the default folder) when it is a folder."""
    if dest and not (dest.endswith(os.sep) or Path(dest).is_dir()):
        path = Path(dest)
    else:
        path = Path(dest or default_dir) / f"jco-{_timestamp()}{suffix}"
    if path.exists():
        raise BackupError(f"{path} already exists; a backup never overwrites a file.")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(url.database)


def backup_sqlite(url: URL, path: Path) -> BackupResult:
    """Copy the live database with SQLite's online backup API, then check the copy."""
    database = sqlite_file(url)
    if not database.is_file():
        raise BackupError(f"There is no database at {database}.")
    source = sqlite3.connect(database, timeout=30)
    partial = path.with_name(path.name + ".partial")
    target = sqlite3.connect(partial)
    try:
        # pages=-1: the whole database in one step, i.e. from one read snapshot. Copying in
        # several steps would restart whenever the app writes in between.
        source.backup(target, pages=-1)
        verdict = target.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"The copy failed its integrity check: {verdict}")
        # The copy inherits WAL mode; a backup is better as one self-contained file.
        target.execute("PRAGMA journal_mode=DELETE")
    except BaseException:
        target.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    target.close()
    partial.rename(path)  # a file under the final name is always a complete, checked copy
    path.chmod(0o600)
    return BackupResult(path=path, size=path.stat().st_size)


def pg_dump_command(url: URL, path: Path) -> list[str]:
    """The documented pg_dump command line; the password, if any, goes through PGPASSWORD."""
    libpq = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=url.query).render_as_string(hide_password=False)
    return ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}", f"--dbname={libpq}"]


def backup_postgres(url: URL, path: Path, *, run: bool | None = None) -> BackupResult:
    command = pg_dump_command(url, path)
    if run is None:
        run = shutil.which("pg_dump") is not None
    if not run:
        return BackupResult(path=path, size=0, command=command)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    if completed.returncode != 0:
        path.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {completed.stderr.strip() or completed.returncode}")
    path.chmod(0o600)
    return BackupResult(path=path, size=path.stat().st_size, command=command)


def backup_database(database_url: str, dest: str | None, default_dir: str) -> BackupResult:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return backup_sqlite(url, target_path(dest, default_dir, ".sqlite3"))
    if url.get_backend_name() == "postgresql":
        return backup_postgres(url, target_path(dest, default_dir, ".dump"))
    raise BackupError(f"No backup method for {url.get_backend_name()} databases.")


@click.command("backup")
@click.argument("dest", required=False)
@with_appcontext
def backup_command(dest: str | None) -> None:
    """Copy the database consistently while the app runs.

    DEST is a file, or a folder for a timestamped file (default: instance/backups/, or
    JCO_BACKUP_DIR). SQLite is copied with its online backup API; for PostgreSQL the pg_dump
    command is printed and, when pg_dump is on PATH, run.
    """
    try:
        result = backup_database(current_app.config["DATABASE_URL"], dest, current_app.config["JCO_BACKUP_DIR"])
    except (BackupError, sqlite3.Error, OSError, subprocess.TimeoutExpired) as error:
        raise click.ClickException(str(error)) from None
    if result.command:
        click.echo("pg_dump command (restore with pg_restore --no-owner --dbname=URL FILE):")
        click.echo("  " + shlex.join(result.command))
        if not result.size:
            click.echo("pg_dump is not on PATH: run the command above on a host that has it.")
            return
    click.echo(f"Backup written to {result.path} ({result.size:,} bytes).")


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
