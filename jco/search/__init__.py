"""Search across operations, documents (their files' text included), meetings and comments.

Each engine indexes the same normalised words (:mod:`jco.search.text`): SQLite in an FTS5 table,
PostgreSQL in a GIN index over ``to_tsvector``. Entries are rewritten in the flush that changes
what they are built from (:mod:`jco.search.index`), and every result passes the permission
predicates the rest of the app asks (:mod:`jco.search.queries`).
"""
