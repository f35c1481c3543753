"""The scheduler's heartbeat: each pass notes when it ended, and /health reads it."""
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from questionnaires.extensions import db
from questionnaires.models import SchedulerHeartbeat

#: The scheduler job whose passes /health watches (scheduler.py's job id)
DISPATCH_JOB = "dispatch_due"
#: A pass older than this many intervals is reported late (one slow pass is not a problem)
LATE_AFTER_INTERVALS = 3


def record_pass(now: datetime, job: str = DISPATCH_JOB) -> None:
    """Note that a scheduler pass ended at `now` (an update, or the first insert), committed."""
    for _ in range(2):  # a second scheduler inserting the same first row at once: update then
        if not db.session.execute(update(SchedulerHeartbeat).where(
                SchedulerHeartbeat.job == job).values(last_run_at=now)).rowcount:
            db.session.add(SchedulerHeartbeat(job=job, last_run_at=now))
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
