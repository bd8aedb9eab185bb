"""Covering indexes for the dashboard's results aggregates

The dashboard sums results (possibly millions of rows) by year, commodity and unit, and counts
them by country, leaving out rows from documents above the viewer's clearance. With these
indexes the database reads the index alone, in group order; (year, commodity_id) was a prefix of
the first, so it goes.

Revision ID: 0002_dashboards
Revises: 0001_initial
Create Date: 2026-11-28 12:56:52.608080

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0002_dashboards'
down_revision: Union[str, None] = '0001_initial'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.drop_index('ix_result_year_commodity')
        batch_op.create_index('ix_result_organisation_document', ['organisation_id', 'document_id'], unique=False)
        batch_op.create_index('ix_result_year_commodity_unit', ['year', 'commodity_id', 'unit', 'document_id', 'quantity'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.drop_index('ix_result_year_commodity_unit')
        batch_op.drop_index('ix_result_organisation_document')
        batch_op.create_index('ix_result_year_commodity', ['year', 'commodity_id'], unique=False)
