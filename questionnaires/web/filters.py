"""Jinja filters that show dates and values the French way, whatever the server locale."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from questionnaires.clock import DAYS, MONTHS, french_hour
from questionnaires.models import values



def long_date(day: date | None) -> str:
    """"lundi 22 novembre 2021"."""
    if day is None:
        return ""
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date | None) -> str:
    """"22/11/2021"."""
    return day.strftime("%d/%m/%Y") if day else ""


def day_header(day: date) -> str:
    """"Lundi 22/11" for the calendar grid."""
    return f"{DAYS[day.weekday()].capitalize()} {day.strftime('%d/%m')}"


def local_datetime(moment: datetime | None) -> str:
    """"01/12/2021 à 10:12" in the association's time zone."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    return local.strftime("%d/%m/%Y à %H:%M")


def label(value: str | None, value_set: str) -> str:
    """The French label of a stored value ("apres-midi" → "Après-midi")."""
    if value is None:
        return "—"
    return getattr(values, value_set).get(value, value)



def hours(slot) -> str:
    """"10 h – 12 h 30": a slot's own hours, or its period's usual ones."""
    start, end = slot.hours
    return f"{french_hour(start)} – {french_hour(end)}"
