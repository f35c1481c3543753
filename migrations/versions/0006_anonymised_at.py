"""When a participant or a referent was anonymised (data protection, docs/privacy.md).

Revision ID: 0006
Revises: 0008 (to be rechained after 0005 when merged)
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("participant", "referent"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True),
                                          nullable=True))


def downgrade():
    for table in ("referent", "participant"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("anonymised_at")
