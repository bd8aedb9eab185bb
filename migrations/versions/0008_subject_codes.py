"""the whole reference grammar (longer series, EXT, DCL, corrigenda of revisions) and one family per subject code

A subject code's year becomes the year of its document's number, as the Council counts it; each
code (series, number, year) gets one row in subject_file naming the document family it belongs
to, so that the database itself refuses a second family.

Revision ID: 0008_subject_codes
Revises: 0007_server_sessions
Create Date: 2026-11-30 08:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0008_subject_codes"
down_revision: Union[str, None] = "0007_server_sessions"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("document", sa.Column("corrects_revision", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("document", sa.Column("extract", sa.Integer(), nullable=True))
    op.add_column("document", sa.Column("declassification", sa.Integer(), nullable=True))
    _widen_prefix(10)
    op.execute("UPDATE subject_code SET year = (SELECT document.year FROM document WHERE document.id = subject_code.document_id)")
    op.create_table(
        "subject_file",
        sa.Column("series", sa.String(length=30), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("family_prefix", sa.String(length=10), nullable=False),
        sa.Column("family_number", sa.Integer(), nullable=False),
        sa.Column("family_year", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", "number", "year"),
    )
    # Where existing data already gave one code to two families, the first registered keeps it;
    # the service refuses the conflict from now on.
    op.execute(
        "INSERT INTO subject_file (series, number, year, family_prefix, family_number, family_year) "
        "SELECT subject_code.series, subject_code.number, subject_code.year, document.prefix, document.number, "
        "document.year FROM subject_code JOIN document ON document.id = subject_code.document_id "
        "WHERE subject_code.id IN (SELECT MIN(id) FROM subject_code GROUP BY series, number, year)"
    )


def downgrade() -> None:
    op.drop_table("subject_file")
    _widen_prefix(4)
    op.drop_column("document", "declassification")
    op.drop_column("document", "extract")
    op.drop_column("document", "corrects_revision")


def _widen_prefix(length: int) -> None:
    # PE-CONS needs seven characters. SQLite ignores a VARCHAR length and cannot alter a column
    # without rebuilding the table, which every other table's foreign keys point at; there the
    # declared type is rewritten in place, as SQLite's ALTER TABLE documentation describes for
    # changes that do not affect stored data.
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.alter_column("document", "prefix", type_=sa.String(length=length), existing_nullable=False)
        return
    old, new = (4, length) if length > 4 else (10, length)
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, 'prefix VARCHAR({}) NOT NULL', 'prefix VARCHAR({}) NOT NULL') "
        "WHERE type = 'table' AND name = 'document'".format(old, new)
    )
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
