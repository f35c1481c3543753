"""Personal bilan links, the bilan lock, and where a bilan resumes.

Revision ID: 0002
Revises: 0001
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stage") as batch_op:
        batch_op.add_column(sa.Column("bilans_locked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("response") as batch_op:
        batch_op.add_column(sa.Column("resume_section", sa.Integer(), nullable=False,
                                      server_default="0"))
    with op.batch_alter_table("participant") as batch_op:
        batch_op.add_column(sa.Column("bilan_nonce", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("bilan_link_at", sa.DateTime(timezone=True), nullable=True))
    # Existing participants get a link of their own.
    connection = op.get_bind()
    for (participant_id,) in connection.execute(sa.text("SELECT id FROM participant")).all():
        connection.execute(
            sa.text("UPDATE participant SET bilan_nonce = :nonce WHERE id = :id"),
            {"nonce": secrets.token_urlsafe(16), "id": participant_id},
        )
    with op.batch_alter_table("participant") as batch_op:
        batch_op.alter_column("bilan_nonce", nullable=False)
        batch_op.create_unique_constraint("uq_participant_bilan_nonce", ["bilan_nonce"])
    with op.batch_alter_table("response") as batch_op:
        batch_op.alter_column("resume_section", server_default=None)


def downgrade():
    with op.batch_alter_table("participant") as batch_op:
        batch_op.drop_constraint("uq_participant_bilan_nonce", type_="unique")
        batch_op.drop_column("bilan_link_at")
        batch_op.drop_column("bilan_nonce")
    with op.batch_alter_table("response") as batch_op:
        batch_op.drop_column("resume_section")
    with op.batch_alter_table("stage") as batch_op:
        batch_op.drop_column("bilans_locked_at")
