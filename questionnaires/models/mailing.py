"""Mails that a capability schedules and the dispatch pass sends (questionnaires/mail_queue.py).

One generic table for every mail that is not a referent's follow-up: the evening message of
the stage's week today, the recruitment's receipts and answers later. A capability plans rows
(with a unique `dedupe_key`, so planning twice plans once); the pass claims each due row with
the same conditional UPDATE and lease as the follow-up messages, renders
`templates/email/<kind>.txt|.html` with `context`, and records the result.
"""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaires.clock import utcnow
from questionnaires.extensions import db
from questionnaires.models.people import Participant
from questionnaires.models.stage import Stage
from questionnaires.models.types import UTCDateTime
from questionnaires.models.values import sql_in

#: planned: waits for next_attempt_at · sent · failed: gave up after MAX_SEND_ATTEMPTS, or the
#: mail could not be written · cancelled: no longer wanted (last_error says why)
SCHEDULED_STATES = {"planned": "Prévu", "sent": "Envoyé", "failed": "Échec",
                    "cancelled": "Annulé"}
#: What each kind of mail is, in the team's words (the outbox page); a new kind adds its line
SCHEDULED_KINDS = {"veille": "Programme du lendemain",
                   # recruitment/mails.py (MAIL_KINDS holds their texts)
                   "recrutement_recu": "Proposition reçue (accusé de réception)",
                   "recrutement_retenu": "Candidature retenue",
                   "recrutement_non_retenu": "Candidature non retenue",
                   "recrutement_info": "Invitation à l'information collective",
                   "recrutement_semaine": "Invitation d'un·e référent·e dans la semaine"}


class ScheduledMail(db.Model):
    """One mail to send at `due_at`, claimed by a dispatch pass before sending."""

    __table_args__ = (
        CheckConstraint(sql_in("state", SCHEDULED_STATES), "state_known"),
        CheckConstraint("(state = 'sent') = (sent_at IS NOT NULL)", "sent_at_when_sent"),
        CheckConstraint("(state = 'planned') = (next_attempt_at IS NOT NULL)",
                        "next_attempt_when_planned"),
        CheckConstraint("attempts >= 0", "attempts_positive"),
        CheckConstraint("length(trim(kind)) > 0", "kind_not_blank"),
        Index("ix_scheduled_mail_state_due", "state", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    #: What it is, and the name of its templates: templates/email/<kind>.txt and .html
    kind: Mapped[str] = mapped_column(String(40))
    #: Unique: "veille:<participant id>:<day>"; planning the same mail again updates this row
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    #: Recipient, subject, and the templates' variables (plain JSON values)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    #: When it should go
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: planned, sent, failed or cancelled (SCHEDULED_STATES)
    state: Mapped[str] = mapped_column(String(20), default="planned")
    #: When a pass may next try; a claim pushes it one lease ahead (as for follow-up messages)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: The latest claim: when, and by which pass (only that pass may record the result)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    #: Failed attempts so far
    attempts: Mapped[int] = mapped_column(default=0)
    #: When the mail server (or the outbox) accepted it, and the address it went to
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sent_to: Mapped[str | None] = mapped_column(String(254))
    #: The latest SMTP error, or why it was cancelled, in words the team can act on
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Whom and which stage it is about, when it is (deleting them deletes their mails)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("stage.id", ondelete="CASCADE"), index=True)

    participant: Mapped[Participant | None] = relationship()
    stage: Mapped[Stage | None] = relationship()
