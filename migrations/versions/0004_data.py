"""data: import stash, source facts on operations, indexes for the register at scale

Revision ID: 0004_data
Revises: 0003_deadlines
Create Date: 2026-11-28 12:38:24.046002

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)


# revision identifiers, used by Alembic.
revision: str = '0004_data'
down_revision: Union[str, None] = "0003_deadlines"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('import_stash',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256')
    )
    with op.batch_alter_table('import_stash', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_stash_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('jco', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_results', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('sources', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('source_notes', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('other_agencies', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.create_index('ix_participant_role_org', ['role', 'organisation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index('ix_participant_role_org')

    with op.batch_alter_table('jco', schema=None) as batch_op:
        batch_op.drop_column('other_agencies')
        batch_op.drop_column('source_notes')
        batch_op.drop_column('sources')
        batch_op.drop_column('public_results')

    with op.batch_alter_table('import_stash', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_stash_created_at'))

    op.drop_table('import_stash')
