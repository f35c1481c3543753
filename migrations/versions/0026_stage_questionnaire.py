"""Per-stage variants: the version of each questionnaire a stage uses (issue 12).

Revision ID: 0026
Revises: 0024
"""
import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0024"  # chained after i12a's 0024 when i12a merged i12c (the lead re-chains)
branch_labels = None
depends_on = None


def upgrade():
    # No backfill: a stage without a row keeps the version its answers use (all v1 today)
    op.create_table(
        "stage_questionnaire",
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "questionnaire IN ('bilan-individuel', 'bilan-collectif', 'suivi-referent')",
            name=op.f("ck_stage_questionnaire_questionnaire_known")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_stage_questionnaire_version_positive")),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], ondelete="CASCADE",
                                name=op.f("fk_stage_questionnaire_stage_id_stage")),
        sa.ForeignKeyConstraint(["assigned_by_id"], ["user.id"], ondelete="SET NULL",
                                name=op.f("fk_stage_questionnaire_assigned_by_id_user")),
        sa.PrimaryKeyConstraint("stage_id", "questionnaire", name=op.f("pk_stage_questionnaire")),
    )


def downgrade():
    op.drop_table("stage_questionnaire")
