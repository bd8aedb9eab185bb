"""Fixtures: every database test runs on SQLite and, when JCO_TEST_POSTGRES_URL is set, on PostgreSQL.

Each pytest worker migrates its own fresh database once per engine; every test starts from the
reference data (or the demo) and the database is emptied after it, so tests never see each other's
rows. Those states are saved once per worker and put back whole (tests/worker_db.py).

Where the time goes (README "Tests"): each test makes its own app, so app creation and the demo's
rows are made cheap here rather than shared.
"""

from __future__ import annotations

import copy
import os
import sys
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
from jco.core.db import get_session
from jco.operations.reference_data import ensure_reference_data
from tests.worker_db import EMPTY, WorkerDatabase

# pytest imports this file as the module "conftest"; helpers import it as "tests.conftest". Both names
# must be this one module, or each would keep its own caches and its own patches below.
sys.modules.setdefault("tests.conftest", sys.modules[__name__])

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
# engine all get one engine, as the one app of a serving process has, with its pool of connections
# (given up only when a test left one checked out). Any other app (a second "worker" a test starts on the
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


# This worker's database of each engine, by URL (tests/worker_db.py: how states are saved and put back).
_DATABASES: dict[str, WorkerDatabase] = {}


@pytest.fixture(scope="session")
def _worker_databases():
    """engine -> URL of this worker's migrated database; the PostgreSQL one is dropped at the end.

    Kept outside ``database_url`` because pytest tears a parametrized session fixture down whenever
    the next test wants the other engine; the databases must outlive those switches.
    """
    databases: dict[str, str] = {}
    postgres_names: list[str] = []
    yield databases, postgres_names
    for engine in _SHARED_ENGINES.values():
        engine.dispose()
    for database in _DATABASES.values():
        database.close()
    for name in postgres_names:
        _drop_postgres_database(name)


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request, tmp_path_factory, _worker_databases):
    """A migrated, empty database of each engine, made once per worker."""
    databases, postgres_names = _worker_databases
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
        _DATABASES[_key(url)] = WorkerDatabase(url)
        databases[request.param] = url
    return databases[request.param]


def _key(url) -> str:
    return make_url(url).render_as_string(hide_password=False)


def _database(app: Flask) -> WorkerDatabase:
    return _DATABASES[_key(app.config["DATABASE_URL"])]


def _empty_all_tables(engine) -> None:
    """Empty every table of the worker's database that ``engine`` is on, as migrated."""
    _DATABASES[_key(engine.url)].restore(EMPTY)


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


REFERENCE = "reference data"


def _put_reference_data(app: Flask) -> None:
    """The countries and bodies every test starts with: made once per database, then put back."""
    database = _database(app)
    if database.has(REFERENCE):
        database.restore(REFERENCE)
        return
    with app.app_context():
        session = get_session()
        ensure_reference_data(session)
        session.commit()
    database.save(REFERENCE)


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
    _put_reference_data(app)
    yield app
    _empty_all_tables(engine)
    # The worker's engine keeps its idle connections for the next test (a PostgreSQL connection costs
    # a server process and its statements' plans); one a test left checked out is given up.
    if engine not in _SHARED_ENGINES.values() or getattr(engine.pool, "checkedout", lambda: 0)():
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
# test of a worker loads it for real and saves the database; later tests get it put back (worker_db.py).
# The key holds every setting that changes what the loader writes.
def _load_demo(app, *, history: bool):
    from jco.core.timeutil import today
    from jco.demo import load_demo

    database = _database(app)
    with app.app_context():
        key = ("demo", today(), app.config["JCO_MAX_STORED_MARKING"], history)
    if database.has(key):
        database.restore(key)
        return app
    with app.app_context():
        session = get_session()
        load_demo(session, history=history)
        session.commit()
    database.save(key)
    return app


@pytest.fixture
def built_once(app, app_config):
    """``built_once(name, build, session)`` runs ``build()`` — which writes and commits a test module's
    rows and returns their ids — in the first test of the worker that asks, and saves the database;
    later tests get the same rows put back and the same ids. Call it in a fixture, on the reference
    data, the demo or another ``built_once``: the state it starts from and the test's app settings
    are part of what is saved. ``session``, the test's own if it has one, ends its transaction first,
    so that it reads what is put back."""
    from jco.core.timeutil import today

    database = _database(app)
    with app.app_context():
        day = today()

    def once(name: str, build, session=None):
        key = ("built", name, database.state, repr(sorted(app_config.items())), day)
        if database.has(key):
            if session is not None:
                session.rollback()
            return copy.deepcopy(database.restore(key))
        value = build()
        database.save(key, copy.deepcopy(value))
        return value

    return once


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
