"""per-operation change stamps: the deadlines and the status board computed again only where a change touched

Revision ID: 0018_deadline_stamps
Revises: 0017_aggregates
Create Date: 2026-12-01 14:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0018_deadline_stamps"
down_revision: Union[str, None] = "0017_aggregates"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "deadline_stamp",
        sa.Column("jco_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_deadline_stamp_stamp", "deadline_stamp", ["stamp"])
    # Row 0, the register's birth mark (jco.deadlines.stamps): the data version, or the time.
    op.execute(
        "INSERT INTO deadline_stamp (jco_id, stamp) SELECT 0, COALESCE((SELECT max(version) FROM data_version), 1)"
    )


def downgrade() -> None:
    op.drop_index("ix_deadline_stamp_stamp", table_name="deadline_stamp")
    op.drop_table("deadline_stamp")
