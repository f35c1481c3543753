"""The data model; import models from here."""
from .people import Attendance, Participant
from .places import Referent, Structure, Venue
from .response import Response
from .stage import MAX_STAGE_DAYS, Professional, Slot, Stage, period_rank, slot_professionals
from .types import utcnow
from .user import User

__all__ = [
    "Attendance", "MAX_STAGE_DAYS", "Participant", "Professional", "Referent", "Response",
    "Slot", "Stage", "Structure", "User", "Venue", "period_rank", "slot_professionals", "utcnow",
]
