"""The referents' 3-month follow-up: invitations, the mails they need, and the delivery log."""
from datetime import datetime

from sqlalchemy import (
    CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from questionnaires.extensions import db
from questionnaires.tokens import hash_for, new_salt
from questionnaires.models.people import Participant
from questionnaires.models.places import Referent
from questionnaires.models.stage import Stage
from questionnaires.models.types import UTCDateTime
from questionnaires.clock import utcnow
from questionnaires.models.values import sql_in

#: planned: waits for next_attempt_at · held: more than N days overdue when first planned, sent
#: only by hand · sent · failed: gave up after MAX_SEND_ATTEMPTS · cancelled: no longer needed
MESSAGE_STATES = {
    "planned": "Prévu", "held": "Non envoyé (date dépassée)", "sent": "Envoyé",
    "failed": "Échec", "cancelled": "Annulé",
}
MESSAGE_KINDS = {"invitation": "Invitation", "relance": "Relance", "renvoi": "Renvoi"}

# The planner looks at recent stages only, so a pass costs the same after twenty years of stages.
Index("ix_stage_end_date", Stage.end_date)


def _default_followup_hash(context) -> str:
    """The link hash of an invitation inserted without one, from the salt being inserted."""
    return hash_for("suivi", context.get_current_parameters()["link_salt"])


class FollowupInvitation(db.Model):
    """One referent's follow-up for one stage: one personal link covering all their participants."""

    __table_args__ = (
        UniqueConstraint("stage_id", "referent_id"),
        CheckConstraint("email = lower(email)", "email_lowercase"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    #: Who answers; their participants are read live from the stage, so edits show at once
    referent_id: Mapped[int] = mapped_column(
        ForeignKey("referent.id", ondelete="RESTRICT"), index=True
    )
    #: The address the link was made for; when the referent's email changes the link is remade
    email: Mapped[str] = mapped_column(String(254))
    #: Random salt of the personal link (tokens.py, purpose "suivi"); never shown.
    #: A new one kills the old link (followups._follow_email changes the hash with it)
    # (the column keeps its first name, "nonce")
    link_salt: Mapped[str] = mapped_column("nonce", String(32), key="link_salt", unique=True, default=new_salt)
    #: sha256 of the link token: the only way a link finds its invitation
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, default=_default_followup_hash)
    #: When the first invitation is planned: stage end + follow-up months, at FOLLOWUP_HOUR
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Already FOLLOWUP_OVERDUE_DAYS late when first planned (an imported past stage): by hand only
    too_late: Mapped[bool] = mapped_column(default=False)
    #: When an invitation first reached the mail server (or the outbox); reminders count from it
    first_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the team reopened the link; it then lives FOLLOWUP_LINK_DAYS from this moment
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set by "suspendre les relances" (the team already reached the referent by phone)
    reminders_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: First and latest opening of the link
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the plan first made this invitation
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stage: Mapped[Stage] = relationship()
    referent: Mapped[Referent] = relationship()
    messages: Mapped[list["FollowupMessage"]] = relationship(
        back_populates="invitation", cascade="all, delete-orphan", passive_deletes=True,
        order_by="FollowupMessage.id",
    )
    handovers: Mapped[list["FollowupHandover"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    #: The attribute holding the link's salt (tokens.find_row)
    LINK_SALT = "link_salt"

    @validates("link_salt")
    def _rehash(self, key, salt: str) -> str:
        """A salt set by hand brings its link hash along (the old link dies with the old salt)."""
        self.token_hash = hash_for("suivi", salt)
        return salt


class FollowupMessage(db.Model):
    """One mail to send (invitation, reminder or resend), claimed by a dispatch pass before sending."""

    __table_args__ = (
        UniqueConstraint("invitation_id", "kind", "sequence"),
        CheckConstraint(sql_in("kind", MESSAGE_KINDS), "kind_known"),
        CheckConstraint(sql_in("state", MESSAGE_STATES), "state_known"),
        CheckConstraint("(state = 'sent') = (sent_at IS NOT NULL)", "sent_at_when_sent"),
        CheckConstraint("(state = 'planned') = (next_attempt_at IS NOT NULL)",
                        "next_attempt_when_planned"),
        CheckConstraint("attempts >= 0 AND sequence >= 0", "counts_positive"),
        # What a pass reads and what the alarm reads: cost follows the due rows, not history.
        Index("ix_followup_message_state_due", "state", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("followup_invitation.id", ondelete="CASCADE"), index=True
    )
    #: invitation, relance (reminder) or renvoi (sent again by the team, or after an email change)
    kind: Mapped[str] = mapped_column(String(20))
    #: 0 for the invitation, 1, 2… for reminders and resends; unique per kind, so two planners
    #: racing cannot plan the same mail twice
    sequence: Mapped[int] = mapped_column(default=0)
    #: When it should go
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: planned, held, sent, failed or cancelled (MESSAGE_STATES)
    state: Mapped[str] = mapped_column(String(20), default="planned")
    #: When a pass may next try: due_at, then later after a failure; a claim pushes it one lease
    #: ahead, so a pass that dies mid-send leaves the row to be retried once the lease ends
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: The latest claim: when, and by which pass (only that pass may record the result)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    #: Failed attempts so far
    attempts: Mapped[int] = mapped_column(default=0)
    #: When the mail server (or the outbox) accepted it
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: The address it went to
    sent_to: Mapped[str | None] = mapped_column(String(254))
    #: The latest SMTP error, or why it was cancelled, in words the team can act on
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invitation: Mapped[FollowupInvitation] = relationship(back_populates="messages")


class FollowupHandover(db.Model):
    """A referent's quick answer "je ne suis plus son référent" about one participant."""

    __table_args__ = (UniqueConstraint("invitation_id", "participant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("followup_invitation.id", ondelete="CASCADE")
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    #: When the referent said so; the team then changes the participant's referent
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[Participant] = relationship()


class MailAttempt(db.Model):
    """The delivery log: every attempt to send a mail, with its result."""

    __table_args__ = (CheckConstraint(sql_in("transport", ("smtp", "outbox")), "transport_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The follow-up mail attempted
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("followup_message.id", ondelete="CASCADE"), index=True
    )
    #: Or the scheduled mail attempted (models/mailing.py)
    scheduled_mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("scheduled_mail.id", ondelete="CASCADE"), index=True
    )
    #: When the attempt ended
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: Recipient address
    to_address: Mapped[str] = mapped_column(String(254))
    #: smtp (MAIL_SERVER) or outbox (no MAIL_SERVER: the local "Boîte d'envoi")
    transport: Mapped[str] = mapped_column(String(10))
    #: Whether the server (or the outbox) accepted the mail
    ok: Mapped[bool] = mapped_column(default=False)
    #: The SMTP error, if any
    error: Mapped[str | None] = mapped_column(String(500))


class OutboxMail(db.Model):
    """A mail kept locally instead of sent, when no MAIL_SERVER is configured (`make run`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The follow-up mail it stands for
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("followup_message.id", ondelete="CASCADE"), index=True
    )
    #: Or the scheduled mail it stands for (models/mailing.py)
    scheduled_mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("scheduled_mail.id", ondelete="CASCADE"), index=True
    )
    #: When it was "sent"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: Headers as they would have gone out
    sender: Mapped[str] = mapped_column(String(300))
    reply_to: Mapped[str | None] = mapped_column(String(300))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    #: The plain-text and HTML parts
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
