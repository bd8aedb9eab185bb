"""life cycle: postponed and cancelled operations, the body a partly adopted report awaits, the
marking the Secretariat gives a meeting's agenda and summary

Revision ID: 0010_lifecycle
Revises: 0009_frameworks
Create Date: 2026-11-30 08:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = "0010_lifecycle"
down_revision: Union[str, None] = "0009_frameworks"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("jco") as batch:
        batch.add_column(sa.Column("postponed_reason", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("cancelled_reason", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("report_next_body", sa.String(length=30), nullable=True))
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("agenda_marking", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("summary_marking", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("summary_marking")
        batch.drop_column("agenda_marking")
    with op.batch_alter_table("jco") as batch:
        batch.drop_column("report_next_body")
        batch.drop_column("cancelled_reason")
        batch.drop_column("postponed_reason")
