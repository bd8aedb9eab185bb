"""the language an account reads the tracker in

Revision ID: 0014_language
Revises: 0013_watching
Create Date: 2026-11-30 11:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0014_language"
down_revision: Union[str, None] = "0013_watching"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=False, server_default=""))


def downgrade() -> None:
    # Natively (SQLite 3.35+): a batch copy would drop and re-create "account", which the foreign keys
    # of the tables that reference it forbid.
    op.drop_column("account", "language")
