"""Answers to a questionnaire: drafts and submitted responses."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import Participant
from .places import Referent
from .stage import Stage
from .types import UTCDateTime, utcnow
from .values import QUESTIONNAIRES, sql_in


def _one_per(name: str, *columns: str, where: str) -> Index:
    """A unique index on `columns` restricted to the rows matching `where` (both dialects)."""
    clause = db.text(where)
    return Index(name, *columns, unique=True, sqlite_where=clause, postgresql_where=clause)


class Response(db.Model):
    """One filling of a questionnaire (draft until `submitted_at` is set).

    Who answers depends on the questionnaire: a participant (bilan-individuel), the team
    (bilan-collectif, neither participant nor referent), a referent about one participant
    (suivi-referent part A) or about the stage as a whole (part B, no participant).
    """

    __table_args__ = (
        ForeignKeyConstraint(
            ["participant_id", "stage_id"],
            ["participant.id", "participant.stage_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint(sql_in("questionnaire", QUESTIONNAIRES), "questionnaire_known"),
        CheckConstraint("version >= 1", "version_positive"),
        CheckConstraint(
            "questionnaire != 'bilan-individuel' "
            "OR (participant_id IS NOT NULL AND referent_id IS NULL)",
            "individuel_by_participant",
        ),
        CheckConstraint(
            "questionnaire != 'bilan-collectif' "
            "OR (participant_id IS NULL AND referent_id IS NULL)",
            "collectif_by_team",
        ),
        CheckConstraint(
            "questionnaire != 'suivi-referent' OR referent_id IS NOT NULL", "suivi_by_referent"
        ),
        _one_per(
            "uq_response_individuel", "participant_id",
            where="questionnaire = 'bilan-individuel'",
        ),
        _one_per("uq_response_collectif", "stage_id", where="questionnaire = 'bilan-collectif'"),
        _one_per(
            "uq_response_suivi_a", "referent_id", "participant_id",
            where="questionnaire = 'suivi-referent' AND participant_id IS NOT NULL",
        ),
        _one_per(
            "uq_response_suivi_b", "stage_id", "referent_id",
            where="questionnaire = 'suivi-referent' AND participant_id IS NULL",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    #: bilan-individuel, bilan-collectif or suivi-referent
    questionnaire: Mapped[str] = mapped_column(String(40))
    #: Version of the questionnaire's definition the answers follow
    version: Mapped[int] = mapped_column(default=1)
    #: The participant who answers, or who the referent answers about
    participant_id: Mapped[int | None] = mapped_column(index=True)
    #: The referent who answers (suivi-referent only)
    referent_id: Mapped[int | None] = mapped_column(
        ForeignKey("referent.id", ondelete="RESTRICT"), index=True
    )
    #: Question id → value, exactly as in the questionnaire's definition
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Set when the response is sent; a draft until then
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The referent who helped the participant fill it in, if any
    assisted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("referent.id", ondelete="SET NULL")
    )
    #: Index of the last section reached, so that reopening a link resumes there
    resume_section: Mapped[int] = mapped_column(default=0)
    #: Creation and last change, for the team's "en cours" status
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    stage: Mapped[Stage] = relationship(back_populates="responses")
    participant: Mapped[Participant | None] = relationship(overlaps="responses,stage")
    referent: Mapped[Referent | None] = relationship(foreign_keys=[referent_id])
    assisted_by: Mapped[Referent | None] = relationship(foreign_keys=[assisted_by_id])

    @property
    def is_submitted(self) -> bool:
        """Whether the response was sent (not a draft)."""
        return self.submitted_at is not None
