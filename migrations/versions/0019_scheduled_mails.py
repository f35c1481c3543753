"""Scheduled mails: any capability's mails, sent by the dispatch pass with claims and leases
(the week's evening messages first), and their place in the delivery log and the outbox.

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _moment(name: str, nullable: bool = True) -> sa.Column:
    """A UTC date-time column (models.types.UTCDateTime stores timezone-aware values)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        "scheduled_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        _moment("due_at", nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        _moment("next_attempt_at"),
        _moment("claimed_at"),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _moment("sent_at"),
        sa.Column("sent_to", sa.String(length=254), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        _moment("created_at", nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('planned', 'sent', 'failed', 'cancelled')",
                           name=op.f("ck_scheduled_mail_state_known")),
        sa.CheckConstraint("(state = 'sent') = (sent_at IS NOT NULL)",
                           name=op.f("ck_scheduled_mail_sent_at_when_sent")),
        sa.CheckConstraint("(state = 'planned') = (next_attempt_at IS NOT NULL)",
                           name=op.f("ck_scheduled_mail_next_attempt_when_planned")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_scheduled_mail_attempts_positive")),
        sa.CheckConstraint("length(trim(kind)) > 0", name=op.f("ck_scheduled_mail_kind_not_blank")),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE",
                                name=op.f("fk_scheduled_mail_participant_id_participant")),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], ondelete="CASCADE",
                                name=op.f("fk_scheduled_mail_stage_id_stage")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_mail")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_scheduled_mail_dedupe_key")),
    )
    for column in ("next_attempt_at", "participant_id", "sent_at", "stage_id"):
        op.create_index(op.f(f"ix_scheduled_mail_{column}"), "scheduled_mail", [column])
    op.create_index("ix_scheduled_mail_state_due", "scheduled_mail", ["state", "due_at"])
    for table in ("mail_attempt", "outbox_mail"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("scheduled_mail_id", sa.Integer(), nullable=True))
            batch_op.create_index(op.f(f"ix_{table}_scheduled_mail_id"), ["scheduled_mail_id"])
            batch_op.create_foreign_key(op.f(f"fk_{table}_scheduled_mail_id_scheduled_mail"),
                                        "scheduled_mail", ["scheduled_mail_id"], ["id"],
                                        ondelete="CASCADE")


def downgrade():
    for table in ("outbox_mail", "mail_attempt"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f"fk_{table}_scheduled_mail_id_scheduled_mail"),
                                     type_="foreignkey")
            batch_op.drop_index(op.f(f"ix_{table}_scheduled_mail_id"))
            batch_op.drop_column("scheduled_mail_id")
    op.drop_table("scheduled_mail")
