"""A revision number on each response: the answers are merged per question with a conditional
UPDATE on it, so that two devices saving the same bilan at once both keep their answers.

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("response") as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False,
                                      server_default=sa.text("0")))


def downgrade():
    with op.batch_alter_table("response") as batch_op:
        batch_op.drop_column("revision")
