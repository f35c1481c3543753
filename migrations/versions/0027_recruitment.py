"""Recruitment before a stage: the proposal page's settings per stage, the candidates
(shared/domain/recrutement.md), and the referents invited to slots of the week.

Revision ID: 0027
Revises: 0026
"""
import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

STATES = "'propose', 'entretien', 'info_collective', 'retenu', 'non_retenu', 'desiste'"
QPV = "'oui', 'veille', 'non', 'inconnu'"


def _moment(name: str, nullable: bool = True) -> sa.Column:
    """A UTC date-time column (models.types.UTCDateTime stores timezone-aware values)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        "recruitment_page",
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("max_proposals", sa.Integer(), nullable=True),
        _moment("session_at"),
        sa.Column("session_venue_id", sa.Integer(), nullable=True),
        sa.Column("session_bring", sa.String(length=500), nullable=True),
        _moment("created_at", nullable=False),
        sa.CheckConstraint("max_proposals IS NULL OR max_proposals > 0",
                           name=op.f("ck_recruitment_page_max_positive")),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], ondelete="CASCADE",
                                name=op.f("fk_recruitment_page_stage_id_stage")),
        sa.ForeignKeyConstraint(["session_venue_id"], ["venue.id"], ondelete="SET NULL",
                                name=op.f("fk_recruitment_page_session_venue_id_venue")),
        sa.PrimaryKeyConstraint("stage_id", name=op.f("pk_recruitment_page")),
        sa.UniqueConstraint("token", name=op.f("uq_recruitment_page_token")),
    )
    op.create_table(
        "candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("referent_name", sa.String(length=120), nullable=False),
        sa.Column("referent_email", sa.String(length=254), nullable=False),
        sa.Column("structure_name", sa.String(length=160), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("qpv", sa.String(length=10), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=True),
        _moment("consent_at", nullable=False),
        _moment("proposed_at", nullable=False),
        _moment("interview_at"),
        _moment("session_at"),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        _moment("decided_at"),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("referent_id", sa.Integer(), nullable=True),
        _moment("anonymised_at"),
        sa.CheckConstraint(f"state IN ({STATES})", name=op.f("ck_candidate_state_known")),
        sa.CheckConstraint(f"qpv IN ({QPV})", name=op.f("ck_candidate_qpv_known")),
        sa.CheckConstraint("referent_email = lower(referent_email)",
                           name=op.f("ck_candidate_referent_email_lowercase")),
        sa.CheckConstraint("state != 'non_retenu' OR reason IS NOT NULL",
                           name=op.f("ck_candidate_reason_when_refused")),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], ondelete="CASCADE",
                                name=op.f("fk_candidate_stage_id_stage")),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="SET NULL",
                                name=op.f("fk_candidate_participant_id_participant")),
        sa.ForeignKeyConstraint(["referent_id"], ["referent.id"], ondelete="SET NULL",
                                name=op.f("fk_candidate_referent_id_referent")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate")),
    )
    for column in ("stage_id", "referent_email", "participant_id", "referent_id"):
        op.create_index(op.f(f"ix_candidate_{column}"), "candidate", [column])
    op.create_table(
        "week_guest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("referent_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.String(length=3), nullable=True),
        _moment("answered_at"),
        _moment("invited_at", nullable=False),
        sa.CheckConstraint("answer IS NULL OR answer IN ('oui', 'non')",
                           name=op.f("ck_week_guest_answer_known")),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], ondelete="CASCADE",
                                name=op.f("fk_week_guest_stage_id_stage")),
        sa.ForeignKeyConstraint(["slot_id"], ["slot.id"], ondelete="CASCADE",
                                name=op.f("fk_week_guest_slot_id_slot")),
        sa.ForeignKeyConstraint(["referent_id"], ["referent.id"], ondelete="CASCADE",
                                name=op.f("fk_week_guest_referent_id_referent")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_week_guest")),
        sa.UniqueConstraint("slot_id", "referent_id", name=op.f("uq_week_guest_slot_id_referent_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_week_guest_token_hash")),
    )
    for column in ("stage_id", "slot_id", "referent_id"):
        op.create_index(op.f(f"ix_week_guest_{column}"), "week_guest", [column])


def downgrade():
    op.drop_table("week_guest")
    op.drop_table("candidate")
    op.drop_table("recruitment_page")
