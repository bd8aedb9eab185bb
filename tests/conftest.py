"""Fixtures: every database test runs on SQLite and, when JCO_TEST_POSTGRES_URL is set, on PostgreSQL.

Each pytest worker migrates its own fresh database once per engine; after every test all tables
are emptied and the reference data put back, so tests never see each other's rows.

Where the time goes (README "Tests"): each test makes its own app, so app creation and the demo's
rows are made cheap here rather than shared.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.routing.rules import Rule

from jco import create_app
from jco.core import db as jco_db
from jco.core import migrate
from jco.core.db import get_session
from jco.models import metadata
from jco.operations.reference_data import ensure_reference_data

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("JCO_TEST_POSTGRES_URL", "")
ENGINES = ["sqlite", "postgres"]


# Every test creates an app, and Werkzeug compiles a URL builder for each of the app's ~380 rules by
# generating and compiling Python source: ~0.2 s of CPU per app, most of the suite's run time. The
# builder depends only on the rule's text, its parsed parts and its defaults (converters are looked
# up on the rule when it builds), so a builder compiled once is the same for every later app.
_BUILDERS: dict[tuple, object] = {}
_compile_builder = Rule._compile_builder


def _cached_compile_builder(self, append_unknown=True):
    key = (self.rule, tuple(self._trace), tuple(sorted((k, repr(v)) for k, v in (self.defaults or {}).items())),
           append_unknown)
    builder = _BUILDERS.get(key)
    if builder is None:
        builder = _BUILDERS[key] = _compile_builder(self, append_unknown)
    return builder


Rule._compile_builder = _cached_compile_builder  # type: ignore[method-assign]


# SQLAlchemy compiles each statement once per engine and adapts each column type once per dialect
# (an engine has its own); a new engine per test's app redid all of it in every test: about 40 % of
# a page test's CPU time. So the apps that the ``app`` fixture makes on the worker's database of an
# engine all get one engine, as the one app of a serving process has (the fixture still disposes
# its pooled connections after each test). Any other app (a second "worker" a test starts on the
# same database, a broken URL, a test's own database) gets its own engine, as before.
_SHARED_ENGINES: dict[tuple[str, int], object] = {}
_make_engine = jco_db.make_engine
_sharing_engine = False


def _engine_for(url: str, *, connect_timeout: int = 5):
    if not _sharing_engine:
        return _make_engine(url, connect_timeout=connect_timeout)
    key = (url, connect_timeout)
    if key not in _SHARED_ENGINES:
        _SHARED_ENGINES[key] = _make_engine(url, connect_timeout=connect_timeout)
    return _SHARED_ENGINES[key]


jco_db.make_engine = _engine_for


def _test_app(config: dict) -> Flask:
    """``create_app(config)`` with the worker's engine for its database (see _engine_for)."""
    global _sharing_engine
    _sharing_engine = True
    try:
        return create_app(config)
    finally:
        _sharing_engine = False


def pytest_collection_modifyitems(config, items):
    for item in items:
        # Under `--dist loadgroup`, a module's tests of one engine stay on one worker (module fixtures
        # are made once), while both workers take both engines so they finish together. The
        # databases themselves are made once per worker and engine (_worker_databases).
        callspec = getattr(item, "callspec", None)
        if callspec and "database_url" in callspec.params:
            item.add_marker(pytest.mark.xdist_group(f"{item.module.__name__}:{callspec.params['database_url']}"))


def _create_postgres_database() -> tuple[str, str]:
    admin_url = make_url(POSTGRES_URL)
    name = f"jco_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A commit need not wait for the disk (~10 ms each here): a throw-away database loses
        # nothing it needs if the server crashes. What a transaction sees is unchanged.
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False), name


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _worker_databases():
    """engine -> URL of this worker's migrated database; the PostgreSQL one is dropped at the end.

    Kept outside ``database_url`` because pytest tears a parametrized session fixture down whenever
    the next test wants the other engine; the databases must outlive those switches.
    """
    databases: dict[str, str] = {}
    postgres_names: list[str] = []
    keepers: list[sqlite3.Connection] = []
    yield databases, postgres_names, keepers
    for engine in _SHARED_ENGINES.values():
        engine.dispose()
    for keeper in keepers:
        keeper.close()
    for name in postgres_names:
        _drop_postgres_database(name)


def keep_sqlite_open(url: str) -> sqlite3.Connection:
    """An idle connection to a SQLite file, held while tests use it: the app opens a connection per
    session (NullPool), and the last one to close checkpoints the WAL and deletes it — two disk
    syncs, ~25 ms per session here. With this one open, a close is just a close. Close it when done."""
    keeper = sqlite3.connect(make_url(url).database, check_same_thread=False)
    keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()  # opens the file and the WAL
    return keeper


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request, tmp_path_factory, _worker_databases):
    """A migrated, empty database of each engine, made once per worker."""
    databases, postgres_names, keepers = _worker_databases
    if request.param == "postgres" and not POSTGRES_URL:
        if IN_CI:
            pytest.fail("CI must run the PostgreSQL tests: JCO_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL tests need JCO_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    if request.param not in databases:
        if request.param == "postgres":
            url, name = _create_postgres_database()
            postgres_names.append(name)
        else:
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        engine = create_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        if request.param == "sqlite":
            keepers.append(keep_sqlite_open(url))
        databases[request.param] = url
    return databases[request.param]


def _empty_all_tables(engine) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # A test that left a response unread (a streamed download) can leave a session idle in a
            # transaction; its locks would make TRUNCATE wait for ever. This database is the worker's
            # own, so ending every other connection to it is safe.
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ))
            # DELETE of a few rows is ten times faster than TRUNCATE of forty tables (which touches
            # every table's files). As a replica, the session fires no triggers: neither the audit
            # log's refusal of DELETE nor the foreign keys' checks, so the order does not matter.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            connection.execute(text(
                "SELECT setval(pg_get_serial_sequence(t, 'id'), 1, false) FROM unnest(CAST(:tables AS text[])) AS t "
                "WHERE pg_get_serial_sequence(t, 'id') IS NOT NULL"
            ), {"tables": [name for name in tables if "id" in metadata.tables[name].c]})
        else:
            # The audit log refuses DELETE (migration 0006): lift its triggers for the reset only.
            triggers = connection.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entry'"
            )).all()
            for name, _sql in triggers:
                connection.execute(text(f"DROP TRIGGER {name}"))
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            for _name, sql in triggers:
                connection.execute(text(sql))


TEST_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "JCO_FAST_PASSWORD_HASHING": True,
    "SECRET_KEY": "test-secret",
    "SERVER_NAME": "jco.test",
}


@pytest.fixture
def app_config():
    """Override in a test module (or parametrize) to change the app's settings."""
    return {}


_REFERENCE_ROWS: dict[str, dict[str, list[dict]]] = {}


def _put_reference_data(app: Flask, engine) -> None:
    """The countries and bodies every test starts with: made once per database, then copied back."""
    url = app.config["DATABASE_URL"]
    if url in _REFERENCE_ROWS:
        _insert_rows(engine, _REFERENCE_ROWS[url])
        return
    with app.app_context():
        session = get_session()
        ensure_reference_data(session)
        session.commit()
    _REFERENCE_ROWS[url] = _snapshot_rows(engine)


class _SharedTemplateCode(BytecodeCache):
    """Jinja's compiled templates, kept for every app of the worker.

    Each test's app has its own Jinja environment, which would compile every template it renders
    again (about a third of a page test's time). Keyed by the template's source and what of the
    environment changes the compiled code, as Jinja's own file cache does across processes.
    """

    def __init__(self) -> None:
        self._code: dict[tuple, object] = {}

    @staticmethod
    def _key(bucket) -> tuple:
        env = bucket.environment
        return (bucket.key, bucket.checksum, tuple(sorted(env.extensions)), getattr(env, "newstyle_gettext", None),
                getattr(env.autoescape, "__func__", env.autoescape), env.optimized, env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline,
                env.block_start_string, env.variable_start_string, env.comment_start_string,
                env.line_statement_prefix, env.line_comment_prefix)

    def load_bytecode(self, bucket) -> None:
        bucket.code = self._code.get(self._key(bucket))

    def dump_bytecode(self, bucket) -> None:
        self._code[self._key(bucket)] = bucket.code


_TEMPLATE_CODE = _SharedTemplateCode()


@pytest.fixture
def app(database_url, app_config):
    # A new app for each test: extensions such as the rate limiter keep per-app state that a
    # shared app would carry from one test to the next.
    app = _test_app({**TEST_CONFIG, "DATABASE_URL": database_url, **app_config})
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    engine = app.extensions["jco_engine"]
    _put_reference_data(app, engine)
    yield app
    _empty_all_tables(engine)
    engine.dispose()


@pytest.fixture
def db(app):
    """The session of an app context that stays open for the test."""
    with app.app_context():
        yield get_session()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str = "secretariat@example.org", password: str = "jco-demo"):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


# Loading the demo through its services takes a second or two; hundreds of tests need it. The first
# test of a worker loads it for real and keeps a copy of every row; later tests get the same rows back
# by bulk insert. The key holds every setting that changes what the loader writes.
_DEMO_SNAPSHOTS: dict[tuple, dict[str, list[dict]]] = {}


def _snapshot_rows(engine) -> dict[str, list[dict]]:
    with engine.connect() as connection:
        return {t.name: [dict(r._mapping) for r in connection.execute(t.select())] for t in metadata.sorted_tables}


def _restore_rows(engine, rows: dict[str, list[dict]]) -> None:
    _empty_all_tables(engine)
    _insert_rows(engine, rows)


def _insert_rows(engine, rows: dict[str, list[dict]]) -> None:
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if rows[table.name]:
                connection.execute(table.insert(), rows[table.name])
        if engine.dialect.name == "postgresql":
            for table in metadata.sorted_tables:
                if "id" in table.c:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                    ))


def _load_demo(app, *, history: bool):
    from jco.core.timeutil import today
    from jco.demo import load_demo

    engine = app.extensions["jco_engine"]
    with app.app_context():
        key = (app.config["DATABASE_URL"], today(), app.config["JCO_MAX_STORED_MARKING"], history)
    if key in _DEMO_SNAPSHOTS:
        _restore_rows(engine, _DEMO_SNAPSHOTS[key])
        return app
    with app.app_context():
        session = get_session()
        load_demo(session, history=history)
        session.commit()
    _DEMO_SNAPSHOTS[key] = _snapshot_rows(engine)
    return app


@pytest.fixture
def demo(app):
    """The demo data (three JCOs of 2015, fictional ones, demo accounts), committed.

    Without the public history of jco/data (``demo_history`` has it), so that page tests count
    on a small, fixed register.
    """
    return _load_demo(app, history=False)


@pytest.fixture
def demo_history(app):
    """The demo exactly as ``flask --app jco demo load`` loads it: with the real operations of jco/data."""
    return _load_demo(app, history=True)


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "jco" / "data"
