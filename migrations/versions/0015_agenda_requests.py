"""agenda requests: a lead delegation asks for a document on a coming meeting's agenda

Revision ID: 0015_agenda_requests
Revises: 0014_language
Create Date: 2026-11-30 12:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = "0015_agenda_requests"
down_revision: Union[str, None] = "0014_language"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OPEN = sa.text("state = 'requested'")


def upgrade() -> None:
    op.create_table(
        "agenda_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jco_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["jco_id"], ["jco.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requested_by_id"], ["account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["answered_by_id"], ["account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agenda_item.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("jco_id", "document_id", "meeting_id", "organisation_id", "state"):
        op.create_index(f"ix_agenda_request_{column}", "agenda_request", [column])
    op.create_index("uq_agenda_request_open", "agenda_request", ["document_id", "meeting_id"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index("uq_agenda_request_open", table_name="agenda_request")
    for column in ("state", "organisation_id", "meeting_id", "document_id", "jco_id"):
        op.drop_index(f"ix_agenda_request_{column}", table_name="agenda_request")
    op.drop_table("agenda_request")
