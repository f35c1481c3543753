"""Bilans whose answers a tablet holds but could not send: the team's bilans page says so.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("response") as batch_op:
        batch_op.add_column(sa.Column("waiting_on_tablet_since", sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table("response") as batch_op:
        batch_op.drop_column("waiting_on_tablet_since")
