"""More typed copies of answers for the impact table: the referents' observations, part B's
"nouvelles méthodes" and the bilan's orientation; an index to find a participant's latest part A.

Revision ID: 0015
Revises: 0008
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0008"
branch_labels = None
depends_on = None

# Frozen here on purpose: a migration must not change when the model's list does.
INTEGERS = ("apport_stage", "confiance_observee", "mobilite_observee")
TEXTS = ("nouvelles_methodes",)
LIST_LENGTH = 120


def _orientation(value):
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        return None
    text = "," + ",".join(sorted(set(value))) + ","
    return text if len(text) <= LIST_LENGTH else None


def upgrade():
    with op.batch_alter_table("response") as batch_op:
        batch_op.add_column(sa.Column("fact_orientation", sa.String(LIST_LENGTH), nullable=True))
        for name in INTEGERS:
            batch_op.add_column(sa.Column(f"fact_{name}", sa.Integer(), nullable=True))
        for name in TEXTS:
            batch_op.add_column(sa.Column(f"fact_{name}", sa.String(3), nullable=True))
        batch_op.create_index("ix_response_part_a",
                              ["participant_id", "questionnaire", "submitted_at"])
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, answers FROM response")).all()
    for response_id, answers in rows:
        if isinstance(answers, str):
            answers = json.loads(answers)
        answers = answers or {}
        values = {"fact_orientation": _orientation(answers.get("orientation"))}
        for name in INTEGERS:
            value = answers.get(name)
            values[f"fact_{name}"] = value if isinstance(value, int) and not isinstance(value, bool) else None
        for name in TEXTS:
            value = answers.get(name)
            values[f"fact_{name}"] = value if isinstance(value, str) else None
        if any(v is not None for v in values.values()):
            assignments = ", ".join(f"{column} = :{column}" for column in values)
            connection.execute(sa.text(f"UPDATE response SET {assignments} WHERE id = :id"),
                               {**values, "id": response_id})


def downgrade():
    with op.batch_alter_table("response") as batch_op:
        batch_op.drop_index("ix_response_part_a")
        for name in reversed(TEXTS + INTEGERS):
            batch_op.drop_column(f"fact_{name}")
        batch_op.drop_column("fact_orientation")
