"""The questionnaires' versions in the database (drafts and published), seeded with v1.

Revision ID: 0024
Revises: 0023
"""
import json
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# A frozen copy of the shipped v1 files: the live package files may change after this runs.
SEED = Path(__file__).resolve().parent.parent / "data" / "0024_questionnaires_v1.json"


def upgrade():
    table = op.create_table(
        "questionnaire_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'published')",
                           name=op.f("ck_questionnaire_version_status_known")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"],
                                name=op.f("fk_questionnaire_version_created_by_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["published_by_id"], ["user.id"],
                                name=op.f("fk_questionnaire_version_published_by_id_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_version")),
        sa.UniqueConstraint("questionnaire", "version",
                            name=op.f("uq_questionnaire_version_questionnaire_version")),
    )
    op.create_index(op.f("ix_questionnaire_version_questionnaire"), "questionnaire_version",
                    ["questionnaire"])
    now = datetime.now(timezone.utc)
    rows = json.loads(SEED.read_text(encoding="utf-8"))
    op.bulk_insert(table, [{**row, "status": "published", "revision": 1, "created_at": now,
                            "published_at": now} for row in rows])


def downgrade():
    op.drop_index(op.f("ix_questionnaire_version_questionnaire"), "questionnaire_version")
    op.drop_table("questionnaire_version")
