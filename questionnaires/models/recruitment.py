"""Recruitment before a stage (shared/domain/recrutement.md): the proposal page's settings and
the candidates that prescribers propose, up to the participant they become."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaires.clock import utcnow
from questionnaires.extensions import db
from questionnaires.models.people import Participant
from questionnaires.models.places import Referent, Venue
from questionnaires.models.stage import Slot, Stage
from questionnaires.models.types import UTCDateTime
from questionnaires.models.values import QPV, sql_in

#: A candidate's states, in order; the last three end the recruitment (recrutement.md)
CANDIDATE_STATES = {
    "propose": "Proposé·e",
    "entretien": "Entretien individuel",
    "info_collective": "Information collective",
    "retenu": "Retenu·e",
    "non_retenu": "Non retenu·e",
    "desiste": "Désisté·e",
}
#: The longest texts a prescriber may type (the page says so in French)
MOTIVATION_MAX = 2000
NOTES_MAX = 4000
REASON_MAX = 500


class RecruitmentPage(db.Model):
    """The settings of one stage's public proposal page, and of its information session."""

    __table_args__ = (
        CheckConstraint("max_proposals IS NULL OR max_proposals > 0", "max_positive"),
    )
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"),
                                          primary_key=True)
    #: The public key of the link (secrets.token_urlsafe); a new one kills the old link
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: Last day proposals are taken (inclusive, local); none: open until the stage is full
    closes_on: Mapped[date | None] = mapped_column(Date)
    #: Proposals taken at most (the page closes once reached); none: no cap
    max_proposals: Mapped[int | None] = mapped_column()
    #: The information session: when, where, and what to bring (the invitations say it)
    session_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_venue_id: Mapped[int | None] = mapped_column(
        ForeignKey("venue.id", ondelete="SET NULL"))
    session_bring: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stage: Mapped[Stage] = relationship()
    session_venue: Mapped[Venue | None] = relationship()


class Candidate(db.Model):
    """A person a prescriber proposed for a stage, as the proposal page received them."""

    __table_args__ = (
        CheckConstraint(sql_in("state", CANDIDATE_STATES), "state_known"),
        CheckConstraint(sql_in("qpv", QPV), "qpv_known"),
        CheckConstraint("referent_email = lower(referent_email)", "referent_email_lowercase"),
        CheckConstraint("state != 'non_retenu' OR reason IS NOT NULL", "reason_when_refused"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    #: propose, entretien, info_collective, retenu, non_retenu or desiste
    state: Mapped[str] = mapped_column(String(20), default="propose")
    #: The prescriber as they typed it; at `retenu` the referent is found by e-mail or created
    referent_name: Mapped[str] = mapped_column(String(120))
    referent_email: Mapped[str] = mapped_column(String(254), index=True)
    structure_name: Mapped[str] = mapped_column(String(160))
    #: The person proposed
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str | None] = mapped_column(String(80))
    birth_date: Mapped[date | None] = mapped_column(Date)
    city: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    qpv: Mapped[str] = mapped_column(String(10), default="inconnu")
    #: Why this stage, in the prescriber's words
    motivation: Mapped[str | None] = mapped_column(Text)
    #: When the prescriber ticked the person's consent (nothing is stored without it)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The individual meeting and the information session, as the team planned them
    interview_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The team's notes (never shown to the prescriber)
    notes: Mapped[str | None] = mapped_column(Text)
    #: Why not retained, as told to the prescriber
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    #: When the state last changed
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The participant and referent `retenu` made or found
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True)
    referent_id: Mapped[int | None] = mapped_column(
        ForeignKey("referent.id", ondelete="SET NULL"), index=True)
    #: When names, contacts and texts were erased (privacy/retention.py)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    stage: Mapped[Stage] = relationship()
    participant: Mapped[Participant | None] = relationship()
    referent: Mapped[Referent | None] = relationship()

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


#: A referent's answer to an invitation to a slot of the week
GUEST_ANSWERS = {"oui": "Vient", "non": "Ne vient pas"}


class WeekGuest(db.Model):
    """A participant's referent invited to one slot of the programme, and their answer
    (the seed's first recommendation: referents in the week)."""

    __table_args__ = (
        UniqueConstraint("slot_id", "referent_id"),
        CheckConstraint("answer IS NULL OR " + sql_in("answer", GUEST_ANSWERS), "answer_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"), index=True)
    referent_id: Mapped[int] = mapped_column(ForeignKey("referent.id", ondelete="CASCADE"),
                                             index=True)
    #: sha256 of the answer link's token (secrets); the token itself is only in the mail
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: oui or non; none while the referent has not answered
    answer: Mapped[str | None] = mapped_column(String(3))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    slot: Mapped[Slot] = relationship()
    referent: Mapped[Referent] = relationship()
