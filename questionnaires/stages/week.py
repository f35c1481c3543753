"""The week as the team lives it: each slot's hours, the half-day of the moment, absences in a
row, and each day's programme for the participants' "Ma semaine" sheets.

Plain functions given `now` (aware) and the association's time zone; the team's pages
(team/today.py, team/week.py) and the evening messages (evening_mails.py) call them.
"""
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.models import Attendance, AttendanceCall, Participant, Slot, Stage

#: Absences in a row (not excused) that put a participant on the list of people to call
RUN_TO_FLAG = 2


def slot_moments(slot: Slot, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """When the slot starts and ends, aware, in UTC."""
    start, end = slot.hours
    return (datetime.combine(slot.date, start, tz).astimezone(timezone.utc),
            datetime.combine(slot.date, end, tz).astimezone(timezone.utc))


def slot_of_the_moment(slots: list[Slot], now: datetime, tz: ZoneInfo) -> Slot | None:
    """The slot under way at `now`, else the next one, else the last one (a finished stage)."""
    upcoming = None
    for slot in slots:
        start, end = slot_moments(slot, tz)
        if start <= now < end:
            return slot
        if now < start and upcoming is None:
            upcoming = slot
    return upcoming or (slots[-1] if slots else None)


def is_past(slot: Slot, now: datetime, tz: ZoneInfo) -> bool:
    """Whether the slot has ended (marking it now is marking late)."""
    return slot_moments(slot, tz)[1] <= now


def in_progress(stage: Stage, today: date) -> bool:
    """Whether `today` is one of the stage's days (its "Aujourd'hui" comes first then)."""
    return stage.start_date <= today <= stage.end_date


# Absences in a row ----------------------------------------------------------------------------

@dataclass(frozen=True)
class AbsenceFlag:
    """A participant absent (not excused) at their latest marked slots, RUN_TO_FLAG or more."""

    participant: Participant
    #: The absences of the run, oldest first
    slots: list[Slot]
    #: The team's latest call about this run, if any
    call: AttendanceCall | None


def absence_run(slot_ids: list[int], marks: dict[int, str]) -> list[int]:
    """The slots of the trailing run of absences among a person's marks (`slot id → status`),
    in programme order. Slots without a mark are skipped (not noted is not absent); a
    presence or an excuse ends the run."""
    run: list[int] = []
    for slot_id in reversed([s for s in slot_ids if s in marks]):
        if marks[slot_id] != "absent":
            break
        run.insert(0, slot_id)
    return run


def absence_flags(stage: Stage) -> list[AbsenceFlag]:
    """The stage's participants to call: RUN_TO_FLAG absences in a row, latest marks first.

    Only people still on the stage ("inscrit"): one who left ("abandon") is no longer chased.
    """
    slots = {slot.id: slot for slot in stage.slots}
    order = list(slots)
    marks: dict[int, dict[int, str]] = {}
    for mark in db.session.scalars(select(Attendance).where(Attendance.stage_id == stage.id)):
        marks.setdefault(mark.participant_id, {})[mark.slot_id] = mark.status
    calls: dict[tuple[int, int], AttendanceCall] = {
        (c.participant_id, c.slot_id): c for c in db.session.scalars(
            select(AttendanceCall).where(AttendanceCall.stage_id == stage.id))}
    flags = []
    for person in stage.participants:
        if person.status != "inscrit":
            continue
        run = absence_run(order, marks.get(person.id, {}))
        if len(run) < RUN_TO_FLAG:
            continue
        made = [calls[(person.id, s)] for s in run if (person.id, s) in calls]
        flags.append(AbsenceFlag(person, [slots[s] for s in run],
                                 max(made, key=lambda c: c.called_at) if made else None))
    return flags


def flags_to_show(stage: Stage, today: date) -> list[AbsenceFlag]:
    """The flags while calling can still help: until the stage's last day, not after."""
    return absence_flags(stage) if today <= stage.end_date else []


def note_call(stage: Stage, participant: Participant, now: datetime, note: str | None) -> bool:
    """Record that the team called `participant` about their current run of absences.

    Kept on the run's latest slot; False when the person has no run to call about any more.
    """
    flag = next((f for f in absence_flags(stage) if f.participant.id == participant.id), None)
    if flag is None:
        return False
    slot = flag.slots[-1]
    call = db.session.get(AttendanceCall, (participant.id, slot.id))
    if call is None:
        call = AttendanceCall(participant_id=participant.id, slot_id=slot.id, stage_id=stage.id,
                              called_at=now)
        db.session.add(call)
    call.called_at, call.note = now, note
    return True


def latest_calls(stage: Stage) -> dict[int, AttendanceCall]:
    """Each participant's latest call, for the people list."""
    latest: dict[int, AttendanceCall] = {}
    for call in db.session.scalars(select(AttendanceCall).where(
            AttendanceCall.stage_id == stage.id).order_by(AttendanceCall.called_at)):
        latest[call.participant_id] = call
    return latest


# The week, day by day ----------------------------------------------------------------------------

def days_of(stage: Stage) -> list[tuple[date, list[Slot]]]:
    """Each day of the stage that has slots, with its slots in order."""
    days: dict[date, list[Slot]] = {}
    for slot in stage.slots:
        days.setdefault(slot.date, []).append(slot)
    return list(days.items())
