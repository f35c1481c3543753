"""Issue 14 (items 5, 7, 9): the team forms' one-time keys, the erasure register, and the
outbox copies' personal links masked.

Revision ID: 0023
Revises: 0022
"""
import re

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

#: As questionnaires/web/log_masking.py (a migration does not import the app)
_TOKEN_PATH = re.compile(r"(/(?:b|suivi)/)[A-Za-z0-9_\-]{16,}(?:\.[A-Za-z0-9_\-]+)?")


def upgrade():
    op.create_table(
        "form_use",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_form_use_used_at", "form_use", ["used_at"])
    op.create_table(
        "erasure",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("subject_id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('participant', 'referent', 'participant_deleted', 'candidate')",
                           name=op.f("ck_erasure_kind_known")),
    )
    op.create_index("ix_erasure_subject_id", "erasure", ["subject_id"])
    # Outbox copies written before: their working links leave the database (and new backups).
    outbox = sa.table("outbox_mail", sa.column("id", sa.Integer),
                      sa.column("body_text", sa.Text), sa.column("body_html", sa.Text))
    connection = op.get_bind()
    for row in connection.execute(sa.select(outbox.c.id, outbox.c.body_text, outbox.c.body_html)):
        text, html = (_TOKEN_PATH.sub(r"\1***", v) if v else v
                      for v in (row.body_text, row.body_html))
        if (text, html) != (row.body_text, row.body_html):
            connection.execute(outbox.update().where(outbox.c.id == row.id)
                               .values(body_text=text, body_html=html))


def downgrade():
    op.drop_index("ix_erasure_subject_id", table_name="erasure")
    op.drop_table("erasure")
    op.drop_index("ix_form_use_used_at", table_name="form_use")
    op.drop_table("form_use")
