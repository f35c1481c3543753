"""A participants import between its preview and its confirmation."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from questionnaires.clock import utcnow
from questionnaires.extensions import db
from questionnaires.models.types import UTCDateTime


class ImportPreview(db.Model):
    """The rows a previewed spreadsheet was read into, kept for its confirmation.

    The file is read once (reading costs CPU: issue 14): the confirmation form carries only a
    random token, and the confirmation takes these rows, once. Kept in the database rather
    than the session cookie (too big, and the person's data would travel back and forth) or a
    server file (several gunicorn workers, perhaps several machines). Stale rows are deleted
    at the next preview (stages.participant_import.PREVIEW_KEPT).
    """

    #: sha256 (hex) of the token in the confirmation form: the table never holds the token
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    #: The valid rows, as stages.participant_import.row_data writes them
    rows: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
