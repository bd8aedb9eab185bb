"""what a comment refers to in the text, and the lead's response to each comment

Revision ID: 0016_comment_responses
Revises: 0015_agenda_requests
Create Date: 2026-12-01 09:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = "0016_comment_responses"
down_revision: Union[str, None] = "0015_agenda_requests"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("comment") as batch:
        batch.add_column(sa.Column("refers_to", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False,
                                   server_default=""))
    op.create_table(
        "comment_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["by_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("comment_id"),
    )


def downgrade() -> None:
    op.drop_table("comment_response")
    # Natively (SQLite 3.35+): a batch copy would drop and re-create "comment", which the foreign keys
    # of the tables that reference it forbid.
    op.drop_column("comment", "refers_to")
