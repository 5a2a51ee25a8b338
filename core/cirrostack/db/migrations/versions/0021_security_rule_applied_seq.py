"""security_rule_set_versions.applied_seq: the newest rule set the VM's host took, so a set a host failed to
take is pushed again (when the host answers again, or with the next push to that host). Existing rows count
as applied.

Revision ID: 0021_security_rule_applied_seq
Revises: 0015_security_groups
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_security_rule_applied_seq"
down_revision = "0015_security_groups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("security_rule_set_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applied_seq", sa.Integer(), nullable=False, server_default="0"))
    op.execute(sa.text("UPDATE security_rule_set_versions SET applied_seq = seq"))


def downgrade() -> None:
    with op.batch_alter_table("security_rule_set_versions", schema=None) as batch_op:
        batch_op.drop_column("applied_seq")
