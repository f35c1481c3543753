"""The data model; import models from here."""
from .followup import (
    FollowupHandover, FollowupInvitation, FollowupMessage, MailAttempt, OutboxMail,
)
from .heartbeat import SchedulerHeartbeat
from .people import Attendance, Participant
from .places import Referent, Structure, Venue
from .response import Response
from .stage import MAX_STAGE_DAYS, Professional, Slot, Stage, period_rank, slot_professionals
from .types import utcnow
from .user import User

__all__ = [
    "Attendance", "FollowupHandover", "FollowupInvitation", "FollowupMessage", "MailAttempt",
    "MAX_STAGE_DAYS", "OutboxMail", "Participant", "Professional", "Referent", "Response",
    "SchedulerHeartbeat", "Slot", "Stage", "Structure", "User", "Venue", "period_rank",
    "slot_professionals", "utcnow",
]
