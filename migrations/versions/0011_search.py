"""search: the text of stored files, and one full-text index per engine

stored_file.text holds the words of each PDF and DOCX file (read at upload from now on; read here
for the files already held). search_entry has one row per operation, document, meeting and
comment; SQLite indexes it with an FTS5 table kept by triggers, PostgreSQL with a GIN index over
to_tsvector. The entries for what is already recorded are built here.

Revision ID: 0011_search
Revises: 0010_lifecycle
Create Date: 2026-11-30 08:10:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011_search"
down_revision: Union[str, None] = "0010_lifecycle"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    from jco.search import index
    from jco.search.models import SQLITE_DDL, TSVECTOR_SQL

    # A plain ALTER on both engines: a batch rebuild of stored_file would trip the foreign keys that
    # point at it once files are held.
    op.add_column("stored_file", sa.Column("text", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "ref_id", name="uq_search_entry_kind_ref"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_search_entry_terms ON search_entry USING gin ({TSVECTOR_SQL})")
    else:
        for statement in SQLITE_DDL:
            op.execute(statement)
    index.rebuild(bind)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_entry_terms")
    else:
        for trigger in ("search_entry_ai", "search_entry_ad", "search_entry_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_entry")
    op.execute("ALTER TABLE stored_file DROP COLUMN text")  # SQLite >= 3.35 drops it without a rebuild
