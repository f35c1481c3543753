"""Time where the association is: the one source of "now" and "today", and calendar arithmetic.

Domain rules take `now` or `today` as arguments (so tests and `--now` move the clock); views,
commands and jobs ask this module for them. "Today" is the date in the configured TIMEZONE,
not the server's: a server in UTC would otherwise change day at 1 or 2 a.m. in Paris.
"""
import calendar
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app

DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]


def utcnow() -> datetime:
    """Now, aware, in UTC (what the database stores)."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date where the association is (the app's TIMEZONE)."""
    return utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (30 Nov + 3 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(born: date | None, day: date) -> int | None:
    """Age in whole years on `day`."""
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def french_hour(moment: time) -> str:
    """"10 h", "12 h 30": how a French programme writes a time."""
    return f"{moment.hour} h" if not moment.minute else f"{moment.hour} h {moment.minute:02d}"


def french_day(day: date) -> str:
    """"mardi 23 novembre"."""
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
