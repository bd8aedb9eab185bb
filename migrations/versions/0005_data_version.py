"""data version (a counter of committed changes, for caches); the register's default order indexed

Revision ID: 0005_data_version
Revises: 0004_data
Create Date: 2026-11-28 15:30:00

"""
import time
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = "0005_data_version"
down_revision: Union[str, None] = "0004_data"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # Starts at the time in microseconds, never at a number a running process may have cached.
    op.bulk_insert(table, [{"id": 1, "version": time.time_ns() // 1000}])
    # The register's default order on PostgreSQL: year, newest first, NULLs last, then name.
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_jco_year_desc_name", "jco", [sa.text("year DESC NULLS LAST"), "name"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_jco_year_desc_name", table_name="jco")
    op.drop_table("data_version")
