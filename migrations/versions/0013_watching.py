"""watching operations, when an account last opened My page, and the daily digest of changes

Revision ID: 0013_watching
Revises: 0011_search
Create Date: 2026-11-30 08:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = "0013_watching"
down_revision: Union[str, None] = "0011_search"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "watch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("jco_id", sa.Integer(), nullable=False),
        sa.Column("watching", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["jco_id"], ["jco.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "jco_id", name="uq_watch_account_jco"),
    )
    op.create_index("ix_watch_account_id", "watch", ["account_id"])
    op.create_index("ix_watch_jco_id", "watch", ["jco_id"])
    op.create_table(
        "page_visit",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("changes_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "digest_setting",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "digest_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "day", name="uq_digest_sent"),
    )
    op.create_index("ix_digest_sent_account_id", "digest_sent", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_digest_sent_account_id", table_name="digest_sent")
    op.drop_table("digest_sent")
    op.drop_table("digest_setting")
    op.drop_table("page_visit")
    op.drop_index("ix_watch_jco_id", table_name="watch")
    op.drop_index("ix_watch_account_id", table_name="watch")
    op.drop_table("watch")
