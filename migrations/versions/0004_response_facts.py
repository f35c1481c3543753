"""Typed copies of the answers the impact table aggregates (no JSON parsing on the read path).

Revision ID: 0004
Revises: 0003
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen here on purpose: a migration must not change when the model's list does.
FACTS = {
    "satisfaction_globale": int, "experience_groupe": str, "demarche_active": str,
    "isolement_rompu": str, "projet_plus_precis": str, "obj_possibles": int,
    "obj_competences": int, "obj_remobilisation": int, "obj_confiance": int,
    "obj_territoire": int, "situation": str,
}


def _column(question_id: str, kind) -> sa.Column:
    size = 20 if question_id == "situation" else 3
    return sa.Column(f"fact_{question_id}", sa.Integer() if kind is int else sa.String(size),
                     nullable=True)


def upgrade():
    with op.batch_alter_table("response") as batch_op:
        for question_id, kind in FACTS.items():
            batch_op.add_column(_column(question_id, kind))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, answers FROM response")).all()
    for response_id, answers in rows:
        if isinstance(answers, str):
            answers = json.loads(answers)
        values = {}
        for question_id, kind in FACTS.items():
            value = (answers or {}).get(question_id)
            ok = isinstance(value, kind) and not isinstance(value, bool)
            values[f"fact_{question_id}"] = value if ok else None
        assignments = ", ".join(f"{column} = :{column}" for column in values)
        connection.execute(sa.text(f"UPDATE response SET {assignments} WHERE id = :id"),
                           {**values, "id": response_id})


def downgrade():
    with op.batch_alter_table("response") as batch_op:
        for question_id in reversed(list(FACTS)):
            batch_op.drop_column(f"fact_{question_id}")
