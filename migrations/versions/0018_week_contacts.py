"""The week itself: participants' and referents' contacts, venues' addresses, slots' hours,
and the team's calls about absences.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("participant") as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.create_check_constraint("email_lowercase", "email = lower(email)")
    with op.batch_alter_table("referent") as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
    with op.batch_alter_table("venue") as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=200), nullable=True))
    with op.batch_alter_table("slot") as batch_op:
        batch_op.add_column(sa.Column("start_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("end_time", sa.Time(), nullable=True))
        batch_op.create_check_constraint("hours_both_or_none",
                                         "(start_time IS NULL) = (end_time IS NULL)")
        batch_op.create_check_constraint("ends_after_start", "end_time > start_time")
    op.create_table(
        "attendance_call",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["participant_id", "stage_id"],
                                ["participant.id", "participant.stage_id"], ondelete="CASCADE",
                                name=op.f("fk_attendance_call_participant_id_stage_id_participant")),
        sa.ForeignKeyConstraint(["slot_id", "stage_id"], ["slot.id", "slot.stage_id"],
                                ondelete="CASCADE",
                                name=op.f("fk_attendance_call_slot_id_stage_id_slot")),
        sa.PrimaryKeyConstraint("participant_id", "slot_id", name=op.f("pk_attendance_call")),
    )
    op.create_index(op.f("ix_attendance_call_slot_id"), "attendance_call", ["slot_id"])
    op.create_index(op.f("ix_attendance_call_stage_id"), "attendance_call", ["stage_id"])


def downgrade():
    op.drop_table("attendance_call")
    with op.batch_alter_table("slot") as batch_op:
        batch_op.drop_constraint("ends_after_start", type_="check")
        batch_op.drop_constraint("hours_both_or_none", type_="check")
        batch_op.drop_column("end_time")
        batch_op.drop_column("start_time")
    with op.batch_alter_table("venue") as batch_op:
        batch_op.drop_column("address")
    with op.batch_alter_table("referent") as batch_op:
        batch_op.drop_column("phone")
    with op.batch_alter_table("participant") as batch_op:
        batch_op.drop_constraint("email_lowercase", type_="check")
        batch_op.drop_column("email")
        batch_op.drop_column("phone")
