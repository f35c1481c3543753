"""A part A recorded by the team (no referent): who recorded it, one per participant.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TEAM = "questionnaire = 'suivi-referent' AND referent_id IS NULL"


def upgrade():
    with op.batch_alter_table("response") as batch_op:
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_response_recorded_by_id_user"), "user",
                                    ["recorded_by_id"], ["id"], ondelete="SET NULL")
        batch_op.drop_constraint(op.f("ck_response_suivi_by_referent"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_response_suivi_by_referent"),
            "questionnaire != 'suivi-referent' OR referent_id IS NOT NULL "
            "OR participant_id IS NOT NULL")
        batch_op.create_index("uq_response_suivi_equipe", ["participant_id"], unique=True,
                              sqlite_where=sa.text(TEAM), postgresql_where=sa.text(TEAM))


def downgrade():
    op.execute(f"DELETE FROM response WHERE {TEAM}")
    with op.batch_alter_table("response") as batch_op:
        batch_op.drop_index("uq_response_suivi_equipe", sqlite_where=sa.text(TEAM),
                            postgresql_where=sa.text(TEAM))
        batch_op.drop_constraint(op.f("ck_response_suivi_by_referent"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_response_suivi_by_referent"),
            "questionnaire != 'suivi-referent' OR referent_id IS NOT NULL")
        batch_op.drop_constraint(op.f("fk_response_recorded_by_id_user"), type_="foreignkey")
        batch_op.drop_column("recorded_by_id")
