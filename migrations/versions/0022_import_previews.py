"""Participants imports: the rows read at preview are kept for the confirmation (the file is
read once), keyed by the hash of a token in the confirmation form.

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_preview",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], ondelete="CASCADE",
                                name=op.f("fk_import_preview_stage_id_stage")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_import_preview")),
    )
    op.create_index(op.f("ix_import_preview_stage_id"), "import_preview", ["stage_id"])
    op.create_index(op.f("ix_import_preview_created_at"), "import_preview", ["created_at"])


def downgrade():
    op.drop_table("import_preview")
