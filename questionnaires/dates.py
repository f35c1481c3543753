"""Calendar arithmetic shared by the follow-up plan and the impact table."""
import calendar
from datetime import date


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
