"""The team's own wording of a mail (subject and body), per theme or per stage.

The kinds of mail and their shipped texts are declared in `followups/mail_texts.py`; a row here
overrides the shipped text for one theme, or for one stage (which wins over its theme).
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from questionnaires.clock import utcnow
from questionnaires.extensions import db
from questionnaires.models.types import UTCDateTime

#: Longest subject and body the team may write (the form and the check say so in French)
MAX_SUBJECT, MAX_BODY = 200, 5000


class MailText(db.Model):
    """A kind of mail as the team worded it for one theme or one stage."""

    __table_args__ = (
        # Exactly one scope: a theme (all its stages) or one stage
        CheckConstraint("(theme IS NULL) <> (stage_id IS NULL)", "one_scope"),
        CheckConstraint("length(trim(subject)) > 0", "subject_not_blank"),
        CheckConstraint("length(trim(body)) > 0", "body_not_blank"),
        UniqueConstraint("kind", "theme"),
        UniqueConstraint("kind", "stage_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    #: A key of followups.mail_texts.KINDS ("suivi_invitation"); no check constraint, so that a
    #: capability declaring new kinds needs no migration
    kind: Mapped[str] = mapped_column(String(40))
    #: The theme code (Stage.theme) it applies to, or None for a stage's own text
    theme: Mapped[str | None] = mapped_column(String(80))
    #: The stage it applies to, or None for a theme's text
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"),
                                                 index=True)
    #: One line, with {placeholders}
    subject: Mapped[str] = mapped_column(String(MAX_SUBJECT))
    #: Plain text with {placeholders}; the HTML form is made from it (blank lines: paragraphs)
    body: Mapped[str] = mapped_column(Text)
    #: Last change, and by whom (the journal keeps every change)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
