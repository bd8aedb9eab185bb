"""audit log append-only in the database itself: UPDATE and DELETE of audit_entry rows fail

The ORM refuses to change or delete an audit entry (jco.audit.services), but a bulk statement or
hand-written SQL does not go through the ORM's per-object events. These triggers refuse it in the
database. (Dropping them, or TRUNCATE on PostgreSQL, needs rights the application's account
should not have in production.)

Revision ID: 0006_audit_append_only
Revises: 0005_data_version
Create Date: 2026-11-28 16:30:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0006_audit_append_only"
down_revision: Union[str, None] = "0005_data_version"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'The audit log is append-only: entries cannot be %.', "
            "lower(TG_OP) || 'd'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )
    else:
        for verb, past in (("UPDATE", "changed"), ("DELETE", "deleted")):
            op.execute(
                f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry BEGIN "
                f"SELECT RAISE(ABORT, 'The audit log is append-only: entries cannot be {past}.'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
