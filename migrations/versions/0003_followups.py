"""The referents' 3-month follow-up: invitations, their mails, the delivery log, the outbox.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _moment(name: str, nullable: bool = True) -> sa.Column:
    """A UTC date-time column (models.types.UTCDateTime stores timezone-aware values)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        "followup_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("referent_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        _moment("due_at", nullable=False),
        sa.Column("too_late", sa.Boolean(), nullable=False),
        _moment("first_sent_at"),
        _moment("reopened_at"),
        _moment("reminders_paused_at"),
        _moment("opened_at"),
        _moment("last_opened_at"),
        _moment("created_at", nullable=False),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_followup_invitation_email_lowercase")),
        sa.ForeignKeyConstraint(["referent_id"], ["referent.id"], ondelete="RESTRICT",
                                name=op.f("fk_followup_invitation_referent_id_referent")),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], ondelete="CASCADE",
                                name=op.f("fk_followup_invitation_stage_id_stage")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_invitation")),
        sa.UniqueConstraint("nonce", name=op.f("uq_followup_invitation_nonce")),
        sa.UniqueConstraint("stage_id", "referent_id",
                            name=op.f("uq_followup_invitation_stage_id_referent_id")),
    )
    with op.batch_alter_table("followup_invitation") as batch_op:
        batch_op.create_index(batch_op.f("ix_followup_invitation_referent_id"), ["referent_id"])
        batch_op.create_index(batch_op.f("ix_followup_invitation_stage_id"), ["stage_id"])

    op.create_table(
        "followup_handover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        _moment("declared_at", nullable=False),
        sa.ForeignKeyConstraint(["invitation_id"], ["followup_invitation.id"], ondelete="CASCADE",
                                name=op.f("fk_followup_handover_invitation_id_followup_invitation")),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE",
                                name=op.f("fk_followup_handover_participant_id_participant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_handover")),
        sa.UniqueConstraint("invitation_id", "participant_id",
                            name=op.f("uq_followup_handover_invitation_id_participant_id")),
    )
    with op.batch_alter_table("followup_handover") as batch_op:
        batch_op.create_index(batch_op.f("ix_followup_handover_participant_id"), ["participant_id"])

    op.create_table(
        "followup_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
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
        sa.CheckConstraint("(state = 'planned') = (next_attempt_at IS NOT NULL)",
                           name=op.f("ck_followup_message_next_attempt_when_planned")),
        sa.CheckConstraint("(state = 'sent') = (sent_at IS NOT NULL)",
                           name=op.f("ck_followup_message_sent_at_when_sent")),
        sa.CheckConstraint("kind IN ('invitation', 'relance', 'renvoi')",
                           name=op.f("ck_followup_message_kind_known")),
        sa.CheckConstraint("state IN ('planned', 'held', 'sent', 'failed', 'cancelled')",
                           name=op.f("ck_followup_message_state_known")),
        sa.CheckConstraint("attempts >= 0 AND sequence >= 0",
                           name=op.f("ck_followup_message_counts_positive")),
        sa.ForeignKeyConstraint(["invitation_id"], ["followup_invitation.id"], ondelete="CASCADE",
                                name=op.f("fk_followup_message_invitation_id_followup_invitation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_message")),
        sa.UniqueConstraint("invitation_id", "kind", "sequence",
                            name=op.f("uq_followup_message_invitation_id_kind_sequence")),
    )
    with op.batch_alter_table("followup_message") as batch_op:
        batch_op.create_index(batch_op.f("ix_followup_message_invitation_id"), ["invitation_id"])
        batch_op.create_index(batch_op.f("ix_followup_message_next_attempt_at"), ["next_attempt_at"])
        batch_op.create_index(batch_op.f("ix_followup_message_sent_at"), ["sent_at"])
        batch_op.create_index("ix_followup_message_state_due", ["state", "due_at"])

    op.create_table(
        "mail_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        _moment("at", nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("transport", sa.String(length=10), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.CheckConstraint("transport IN ('smtp', 'outbox')",
                           name=op.f("ck_mail_attempt_transport_known")),
        sa.ForeignKeyConstraint(["message_id"], ["followup_message.id"], ondelete="CASCADE",
                                name=op.f("fk_mail_attempt_message_id_followup_message")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_attempt")),
    )
    with op.batch_alter_table("mail_attempt") as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_attempt_at"), ["at"])
        batch_op.create_index(batch_op.f("ix_mail_attempt_message_id"), ["message_id"])

    op.create_table(
        "outbox_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        _moment("created_at", nullable=False),
        sa.Column("sender", sa.String(length=300), nullable=False),
        sa.Column("reply_to", sa.String(length=300), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["followup_message.id"], ondelete="CASCADE",
                                name=op.f("fk_outbox_mail_message_id_followup_message")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_mail")),
    )
    with op.batch_alter_table("outbox_mail") as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_mail_created_at"), ["created_at"])
        batch_op.create_index(batch_op.f("ix_outbox_mail_message_id"), ["message_id"])

    # The planner reads recent stages only (models/followup.py).
    with op.batch_alter_table("stage") as batch_op:
        batch_op.create_index("ix_stage_end_date", ["end_date"])


def downgrade():
    with op.batch_alter_table("stage") as batch_op:
        batch_op.drop_index("ix_stage_end_date")
    for table in ("outbox_mail", "mail_attempt", "followup_message", "followup_handover",
                  "followup_invitation"):
        op.drop_table(table)
