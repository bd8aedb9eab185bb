"""Alembic owns the schema: migrations build it on both engines and agree with the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from jco.core import migrate
from jco.models import metadata
from jco.search.models import is_modelled


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_models_and_migrations_agree(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": is_modelled})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == [], f"models differ from migrations: {differences}"


def test_database_is_at_head(database_url):
    engine = create_engine(database_url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_cli_upgrade_is_idempotent_and_adds_reference_data(app, runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "reference rows added" in result.output
    again = runner.invoke(args=["db", "upgrade"])
    assert "0 reference rows added" in again.output


def test_migrations_build_an_empty_sqlite_file(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    migrate.upgrade(engine)
    assert "jco" in inspect(engine).get_table_names()
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def blank_url(request, tmp_path):
    """An empty database of each engine, for migrating step by step."""
    from tests.conftest import POSTGRES_URL, _create_postgres_database, _drop_postgres_database

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'steps.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need JCO_TEST_POSTGRES_URL")
    url, name = _create_postgres_database()
    yield url
    _drop_postgres_database(name)


def test_frameworks_migration_reads_the_type_code_of_operations_imported_before(blank_url):
    from sqlalchemy import text

    engine = create_engine(blank_url)
    migrate.upgrade(engine, "0006_audit_append_only")
    with engine.begin() as connection:
        for name, notes in (("Demeter", "type=WCO_OP | confidence=high | x"), ("Baltica", "type=EU_JCO | x"),
                            ("Fresh", ""), ("Odd", "type=PIRATE_OP | x")):
            connection.execute(text(
                "INSERT INTO jco (name, edition, kind, description, state, debriefing_place, withdrawn_reason, public_results, "
                "sources, source_notes, other_agencies, created_at, updated_at, version) VALUES (:name, '', "
                "'regional', '', 'closed', '', '', '', '', :notes, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"),
                {"name": name, "notes": notes})
    migrate.upgrade(engine)
    with engine.connect() as connection:
        found = dict(connection.execute(text("SELECT name, framework FROM jco")).all())
    engine.dispose()
    assert found == {"Demeter": "WCO_OP", "Baltica": "EU_JCO", "Fresh": "EU_JCO", "Odd": "EU_JCO"}
