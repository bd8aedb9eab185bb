"""result totals kept by each write for the dashboard; results from public sources

Revision ID: 0017_aggregates
Revises: 0016_comment_responses
Create Date: 2026-12-01 10:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0017_aggregates"
down_revision: Union[str, None] = "0016_comment_responses"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("result") as batch:
        batch.add_column(sa.Column("source", sa.String(length=10), nullable=False, server_default="report"))
    op.create_table(
        "result_total",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("commodity_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=30), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("marking", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
    )
    # The totals of the results already recorded (jco.dashboards.totals.rebuild, in SQL).
    op.execute(
        "INSERT INTO result_total (year, commodity_id, unit, organisation_id, marking, source, rows, quantity) "
        "SELECT r.year, r.commodity_id, r.unit, r.organisation_id, COALESCE(d.marking, ''), r.source, "
        "count(*), COALESCE(sum(r.quantity), 0) FROM result r LEFT OUTER JOIN document d ON d.id = r.document_id "
        "GROUP BY r.year, r.commodity_id, r.unit, r.organisation_id, COALESCE(d.marking, ''), r.source"
    )


def downgrade() -> None:
    op.drop_table("result_total")
    # Natively (SQLite 3.35+): a batch copy would drop and re-create "result", which the foreign keys
    # of the tables that reference it forbid.
    op.drop_column("result", "source")
