"""Each participant's attendance summary, read by the impact table (questionnaires/presence.py).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ("went_out", "present_last_day", "marked_last_day")

# Frozen here on purpose, like the model's definition was when this migration was written.
FILL = """
UPDATE participant SET
  went_out = EXISTS (SELECT 1 FROM attendance JOIN slot ON slot.id = attendance.slot_id
                     WHERE attendance.participant_id = participant.id
                       AND slot.kind = 'sortie_culturelle' AND attendance.status = 'present'),
  present_last_day = EXISTS (SELECT 1 FROM attendance JOIN slot ON slot.id = attendance.slot_id
                             JOIN stage ON stage.id = slot.stage_id
                             WHERE attendance.participant_id = participant.id
                               AND slot.date = stage.end_date AND attendance.status = 'present'),
  marked_last_day = EXISTS (SELECT 1 FROM attendance JOIN slot ON slot.id = attendance.slot_id
                            JOIN stage ON stage.id = slot.stage_id
                            WHERE attendance.participant_id = participant.id
                              AND slot.date = stage.end_date)
"""


def upgrade():
    with op.batch_alter_table("participant") as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
    op.execute(FILL)


def downgrade():
    with op.batch_alter_table("participant") as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
