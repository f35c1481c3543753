"""The follow-up settings of the running app, read once per pass or request (config.py)."""
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app



@dataclass(frozen=True)
class Settings:
    """The follow-up settings of the running app (config.py)."""

    hour: int
    tz: ZoneInfo
    reminder_days: tuple[int, ...]
    link_days: int
    overdue_days: int
    lease: timedelta
    max_attempts: int
    retry_base: timedelta
    #: The service's public address, on which personal links are built (no request to ask)
    public_url: str

    @classmethod
    def current(cls) -> "Settings":
        c = current_app.config
        return cls(c["FOLLOWUP_HOUR"], ZoneInfo(c["FOLLOWUP_TIMEZONE"]), tuple(c["REMINDER_DAYS"]),
                   c["FOLLOWUP_LINK_DAYS"], c["FOLLOWUP_OVERDUE_DAYS"],
                   timedelta(minutes=c["CLAIM_LEASE_MINUTES"]), c["MAX_SEND_ATTEMPTS"],
                   timedelta(minutes=c["RETRY_BASE_MINUTES"]), c["PUBLIC_URL"])
