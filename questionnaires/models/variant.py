"""Per-stage variants: which published version of each questionnaire a stage uses."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from questionnaires.clock import utcnow
from questionnaires.extensions import db
from questionnaires.models.types import UTCDateTime
from questionnaires.models.values import QUESTIONNAIRES, sql_in


class StageQuestionnaire(db.Model):
    """The version of one questionnaire that a stage's tablets, referents and team open.

    No row: the stage follows the default (stages/variants.py): the version its answers
    already use, else the latest published one.
    """

    __tablename__ = "stage_questionnaire"
    __table_args__ = (
        CheckConstraint(sql_in("questionnaire", QUESTIONNAIRES), "questionnaire_known"),
        CheckConstraint("version >= 1", "version_positive"),
    )
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"),
                                          primary_key=True)
    #: bilan-individuel, bilan-collectif or suivi-referent
    questionnaire: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: The published version the stage opens
    version: Mapped[int]
    #: When and by whom it was chosen (None: set at the stage's creation, or by an import)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
