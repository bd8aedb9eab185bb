"""jco.framework: the framework an operation runs under (the type= code of the sources)

Operations imported before this revision kept their type= code only inside ``source_notes``;
it is read back from there, so WCO, Interpol, Frontex… operations stop counting as CCWP JCOs.

Revision ID: 0009_frameworks
Revises: 0008_subject_codes
Create Date: 2026-11-30 08:00:00

"""
import re
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009_frameworks"
down_revision: Union[str, None] = "0008_subject_codes"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The codes as this revision knows them (jco.operations.frameworks may grow; a migration must not).
KNOWN = {
    "EU_JCO", "ASEM_JCO", "JBCO", "FRONTEX_JAD", "CELBET_JCA", "EUROPOL_OP", "WCO_OP", "INTERPOL_OP",
    "UNODC_WCO_CCP_OP", "CUSTOMS_LED_MARITIME_OP", "CUSTOMS_POLICE_JOINT_OP", "MULTI_AGENCY_OP",
    "EU_CUSTOMS_OP", "JOINT_CUSTOMS_SURVEILLANCE_OP",
}
_TYPE = re.compile(r"^\s*type\s*=\s*([A-Za-z_]+)")


def upgrade() -> None:
    with op.batch_alter_table("jco") as batch:
        batch.add_column(sa.Column("framework", sa.String(length=40), nullable=False, server_default="EU_JCO"))
    bind = op.get_bind()
    jco = sa.table("jco", sa.column("id", sa.Integer), sa.column("source_notes", sa.Text),
                   sa.column("framework", sa.String))
    rows = bind.execute(sa.select(jco.c.id, jco.c.source_notes).where(jco.c.source_notes.like("%type%"))).all()
    for jco_id, notes in rows:
        found = _TYPE.match(notes or "")
        code = found[1].upper() if found else ""
        if code in KNOWN and code != "EU_JCO":
            bind.execute(sa.update(jco).where(jco.c.id == jco_id).values(framework=code))


def downgrade() -> None:
    with op.batch_alter_table("jco") as batch:
        batch.drop_column("framework")
