"""The team's wording of the follow-up mails, per theme or per stage (issue 12).

Revision ID: 0025
Revises: 0024
"""
import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("theme", sa.String(length=80), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(theme IS NULL) <> (stage_id IS NULL)", name=op.f("ck_mail_text_one_scope")),
        sa.CheckConstraint("length(trim(subject)) > 0", name=op.f("ck_mail_text_subject_not_blank")),
        sa.CheckConstraint("length(trim(body)) > 0", name=op.f("ck_mail_text_body_not_blank")),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], name=op.f("fk_mail_text_stage_id_stage"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"],
                                name=op.f("fk_mail_text_updated_by_id_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_text")),
        sa.UniqueConstraint("kind", "theme", name=op.f("uq_mail_text_kind_theme")),
        sa.UniqueConstraint("kind", "stage_id", name=op.f("uq_mail_text_kind_stage_id")),
    )
    op.create_index(op.f("ix_mail_text_stage_id"), "mail_text", ["stage_id"])


def downgrade():
    op.drop_index(op.f("ix_mail_text_stage_id"), table_name="mail_text")
    op.drop_table("mail_text")
