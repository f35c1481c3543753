"""suivi-referent version 2 (« Je ne sais pas » on the three observations, issue 15), published.

Revision ID: 0028
Revises: 0027
"""
import json
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

# A frozen copy of questionnaires/definitions/suivi-referent.v2.yaml as it shipped: the live
# package file may change after this runs.
SEED = Path(__file__).resolve().parent.parent / "data" / "0028_suivi_referent_v2.json"

_VERSIONS = sa.table(
    "questionnaire_version",
    sa.column("questionnaire", sa.String), sa.column("version", sa.Integer),
    sa.column("status", sa.String), sa.column("definition", sa.JSON),
    sa.column("revision", sa.Integer), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("published_at", sa.DateTime(timezone=True)),
)


def upgrade():
    connection = op.get_bind()
    now = datetime.now(timezone.utc)
    for row in json.loads(SEED.read_text(encoding="utf-8")):
        taken = connection.execute(sa.select(sa.func.count()).select_from(_VERSIONS).where(
            _VERSIONS.c.questionnaire == row["questionnaire"],
            _VERSIONS.c.version == row["version"])).scalar()
        if taken:  # the team imported or drafted that number first: theirs stays
            continue
        op.bulk_insert(_VERSIONS, [{**row, "status": "published", "revision": 1,
                                    "created_at": now, "published_at": now}])


def downgrade():
    """Take back only the version this migration published (a team's own version under that
    number, imported before, stays)."""
    connection = op.get_bind()
    for row in json.loads(SEED.read_text(encoding="utf-8")):
        found = connection.execute(sa.select(_VERSIONS.c.definition).where(
            _VERSIONS.c.questionnaire == row["questionnaire"],
            _VERSIONS.c.version == row["version"])).first()
        if found is not None and found.definition == row["definition"]:
            connection.execute(_VERSIONS.delete().where(
                _VERSIONS.c.questionnaire == row["questionnaire"],
                _VERSIONS.c.version == row["version"]))
