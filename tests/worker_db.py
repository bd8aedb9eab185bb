"""A pytest worker's own database of one engine, and the states it is put back to between tests.

Every test starts from a known state: empty (as migrated), the reference data, or the demo. A state
is saved once per worker, the first time a test reaches it, and later put back whole:

- SQLite: the online backup API copies a saved in-memory database over the worker's file, pages
  and all (about a millisecond for the demo), through an idle connection that stays open — which
  also spares a WAL checkpoint at each close (two disk syncs).
- PostgreSQL: a saved state is a schema of copies of the tables; one call of a function made at
  migration empties every table and copies the saved rows back, on the server, with the sequences
  set past them. Rows never travel to this process and back.

Either way the result is the same rows, ids and sequences as when the state was saved — except the
data version, which moves on (see ``restore``).
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from jco.core import migrate
from jco.core.cache import first_version
from jco.models import metadata

# Empties every table, then copies back the saved rows of ``tables`` from the schema ``saved`` (none
# if null), and sets each serial id's sequence past the highest id. As a replica, the session fires
# no triggers: neither the audit log's refusal of DELETE nor the foreign keys' checks, so the order
# does not matter. A test that left a response unread (a streamed download) can leave a session idle
# in a transaction, whose locks would make the DELETEs wait for ever: the database is the worker's
# own, so after a test (``end_others``) every other connection to it that is not idle is ended first.
_PG_RESET = """
CREATE SCHEMA IF NOT EXISTS jco_test;
CREATE OR REPLACE FUNCTION jco_test.reset(every_table text[], saved text, saved_tables text[], serial_tables text[],
                                          version bigint, end_others boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
  IF end_others THEN
    PERFORM pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle';
  END IF;
  PERFORM set_config('session_replication_role', 'replica', true);
  FOREACH t IN ARRAY every_table LOOP EXECUTE format('DELETE FROM %I', t); END LOOP;
  IF saved IS NOT NULL THEN
    FOREACH t IN ARRAY saved_tables LOOP EXECUTE format('INSERT INTO %I SELECT * FROM %I.%I', t, saved, t); END LOOP;
  END IF;
  FOREACH t IN ARRAY serial_tables LOOP
    EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), COALESCE((SELECT max(id) FROM %I), 0) + 1, false)', t, t);
  END LOOP;
  UPDATE data_version SET version = reset.version;
  UPDATE deadline_stamp SET stamp = reset.version WHERE jco_id = 0;
END $$;
"""

EMPTY = "empty"


def keep_sqlite_open(url: str) -> sqlite3.Connection:
    """An idle connection to a SQLite file, held while tests use it: the app opens a connection per
    session (NullPool), and the last one to close checkpoints the WAL and deletes it — two disk
    syncs, ~25 ms per session here. With this one open, a close is just a close. Close it when done."""
    keeper = sqlite3.connect(make_url(url).database, check_same_thread=False)
    keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()  # opens the file and the WAL
    return keeper


class WorkerDatabase:
    """A migrated database and its saved states (``EMPTY`` is saved at once)."""

    def __init__(self, url: str) -> None:
        self.is_sqlite = url.startswith("sqlite")
        self._saved: dict[object, object] = {}
        self._values: dict[object, object] = {}
        self.state: object = None  # the state last saved or put back
        engine = create_engine(url)
        migrate.upgrade(engine)
        if self.is_sqlite:
            engine.dispose()
            self._keeper = keep_sqlite_open(url)
        else:
            with engine.begin() as connection:
                connection.execute(text(_PG_RESET))
            self._engine = engine
            self._tables = [table.name for table in metadata.sorted_tables]
            self._serial = [table.name for table in metadata.sorted_tables if "id" in table.c]
        self.save(EMPTY)

    def has(self, key: object) -> bool:
        return key in self._saved

    def save(self, key: object, value: object = None) -> None:
        """Keep what the database holds now as the state ``key`` (and ``value``, for ``restore``)."""
        self._values[key], self.state = value, key
        if self.is_sqlite:
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            self._keeper.backup(copy)
            self._saved[key] = copy
            return
        schema = f"jco_test_saved_{len(self._saved)}"
        with self._engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"'))
            holding = []
            for name in self._tables:
                connection.execute(text(f'CREATE TABLE "{schema}"."{name}" AS TABLE "{name}"'))
                if connection.scalar(text(f'SELECT EXISTS (SELECT 1 FROM "{name}")')):
                    holding.append(name)
        self._saved[key] = (schema, holding)

    def restore(self, key: object = EMPTY) -> object:
        """Put the database back to the state ``key`` (the same rows, ids and sequences) and return the
        value saved with it.

        The data version and the register's birth mark (jco.core.cache, jco.deadlines.stamps) are
        set to a new first version, as for a database set up again: a version seen before, with
        other rows behind it, would let a process serve what it computed from those rows.
        """
        saved, self.state = self._saved[key], key
        version = first_version()
        if self.is_sqlite:
            saved.backup(self._keeper)
            with self._keeper:
                self._keeper.execute("UPDATE data_version SET version = ?", (version,))
                self._keeper.execute("UPDATE deadline_stamp SET stamp = ? WHERE jco_id = 0", (version,))
            return self._values[key]
        schema, holding = saved
        with self._engine.begin() as connection:
            connection.execute(text("SELECT jco_test.reset(:tables, :schema, :holding, :serial, :version, :end)"),
                               {"tables": self._tables, "schema": None if key == EMPTY else schema,
                                "holding": holding, "serial": self._serial, "version": version,
                                "end": key == EMPTY})
        return self._values[key]

    def close(self) -> None:
        if self.is_sqlite:
            for copy in self._saved.values():
                copy.close()
            self._keeper.close()
        else:
            self._engine.dispose()
