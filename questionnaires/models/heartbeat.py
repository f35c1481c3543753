"""When each scheduler job last ran to the end, for /health (docs/deployment.md)."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from questionnaires.extensions import db
from questionnaires.models.types import UTCDateTime


class SchedulerHeartbeat(db.Model):
    """One row per scheduler job, overwritten at the end of each of its passes.

    A table of its own because nothing else moves when a pass has nothing to send: the
    follow-up tables change only when mail is due, so a quiet week would look like a dead
    scheduler. The row lives in the database (not a file) because the scheduler and the web
    processes may run on different machines.
    """

    #: The job's id in scheduler.py ("dispatch_due")
    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: When its latest pass ended without error
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
