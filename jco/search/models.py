"""One row per searchable thing, and each engine's full-text index over it.

Search reads one table whatever the kind, so ranking, snippets and limits work alike for
operations, documents, meetings and comments. ``terms`` holds the words both engines index
(:func:`jco.search.text.terms`); ``title`` and ``body`` keep the original text for snippets.
"""

from enum import StrEnum
from typing import Optional

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from jco.core.text import N_


class Kind(StrEnum):
    JCO = "jco"
    DOCUMENT = "document"
    MEETING = "meeting"
    COMMENT = "comment"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    Kind.JCO: N_("Operations"),
    Kind.DOCUMENT: N_("Documents"),
    Kind.MEETING: N_("Meetings"),
    Kind.COMMENT: N_("Comments"),
}


# PostgreSQL: the GIN index reads exactly this expression, so every query must write it the same way.
TSVECTOR_SQL = "to_tsvector('simple', terms)"


class SearchEntry(SQLModel, table=True):
    __tablename__ = "search_entry"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id", name="uq_search_entry_kind_ref"),
        Index("ix_search_entry_terms", text(TSVECTOR_SQL), postgresql_using="gin").ddl_if(dialect="postgresql"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)
    ref_id: int
    title: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    terms: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


# SQLite: an FTS5 table over search_entry.terms ("external content": the words are not stored
# twice), kept in step by triggers, so any write to search_entry updates it in the same transaction.
FTS_TABLE = "search_fts"
SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(terms, content='search_entry', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, terms) VALUES (new.id, new.terms); END",
    f"CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, terms) VALUES ('delete', old.id, old.terms); END",
    f"CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, terms) VALUES ('delete', old.id, old.terms); "
    f"INSERT INTO {FTS_TABLE}(rowid, terms) VALUES (new.id, new.terms); END",
)


def is_modelled(name: str | None, type_: str, _parents: dict) -> bool:
    """For Alembic's comparisons: the FTS5 table and its shadow tables belong to SQLite, not to
    the models (they are made by the migration and the triggers keep them)."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))
