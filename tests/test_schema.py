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
