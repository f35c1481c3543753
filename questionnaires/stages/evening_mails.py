"""The evening message: the day before each day of a stage, at EVENING_MAIL_TIME, every
participant who gave an e-mail gets the next day's places and times.

The plan is recomputed from the data at every dispatch pass (and when the team edits a
participant), like the follow-up's: a new e-mail, a moved slot or a new venue address update
the messages still waiting; a participant who left ("abandon") or withdrew, or whose e-mail was
removed, gets none (waiting ones are cancelled, saying why). Messages go through the generic
queue (mail_queue.py): claimed, never sent twice, on the outbox page.
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from questionnaires import mail, mail_queue
from questionnaires.clock import french_day, french_hour
from questionnaires.extensions import db
from questionnaires.models import Participant, ScheduledMail, Slot, Stage
from questionnaires.models.values import PERIODS, SLOT_KINDS
from questionnaires.stages.contacts import tel_link
from questionnaires.stages.week import days_of

KIND = "veille"
#: Stages whose messages are planned: those not over, starting within this many days
HORIZON_DAYS = 8


def dedupe_key(participant_id: int, day: date) -> str:
    return f"{KIND}:{participant_id}:{day.isoformat()}"


def evening_before(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The day before `day`, at `at` local time, in UTC."""
    return datetime.combine(day - timedelta(days=1), at, tz).astimezone(timezone.utc)


def _slot_context(slot: Slot) -> dict:
    start, end = slot.hours
    venue = slot.venue
    return {"period": PERIODS[slot.period], "start": french_hour(start), "end": french_hour(end),
            "title": slot.title, "kind": SLOT_KINDS.get(slot.kind, slot.kind),
            "venue": venue.name if venue else None, "address": venue.address if venue else None,
            "city": (venue.city or None) if venue else None}


def _wanted(stage: Stage, now: datetime, at: time, tz: ZoneInfo) -> dict[str, dict]:
    """The messages the stage should have, by dedupe key: days not yet begun, people on the
    stage with an e-mail."""
    phone = current_app.config.get("TEAM_PHONE")
    wanted = {}
    for day, slots in days_of(stage):
        if now >= datetime.combine(day, time(0), tz).astimezone(timezone.utc):
            continue  # the day has begun: its message is moot
        first = slots[0].hours[0]
        for person in stage.participants:
            if person.status != "inscrit" or not person.email or person.anonymised_at:
                continue
            wanted[dedupe_key(person.id, day)] = dict(
                to=person.email, participant_id=person.id,
                due_at=evening_before(day, at, tz),
                subject=f"Demain, {french_day(day)} : rendez-vous à {french_hour(first)}",
                context={"first_name": person.first_name, "stage_title": stage.title,
                         "day": french_day(day), "slots": [_slot_context(s) for s in slots],
                         "team_phone": phone, "team_phone_link": tel_link(phone),
                         "contact": mail.reply_to()})
    return wanted


def _why_not(row: ScheduledMail, now: datetime, tz: ZoneInfo) -> str:
    """Why a waiting message is no longer wanted, in the team's words."""
    person = row.participant
    if person is None or person.anonymised_at is not None:
        return "Participant·e retiré·e ou anonymisé·e."
    if person.status == "abandon":
        return "Abandon : plus de message."
    if person.status == "desiste":
        return "Désisté·e : plus de message."
    if not person.email:
        return "Plus d'adresse e-mail."
    day = date.fromisoformat(row.dedupe_key.rsplit(":", 1)[1])
    if now >= datetime.combine(day, time(0), tz).astimezone(timezone.utc):
        return "Trop tard : la journée avait commencé."
    return "Plus de créneau ce jour-là."


def plan_stage(stage: Stage, now: datetime) -> None:
    """Bring the stage's evening messages in line with its data, then commit."""
    config = current_app.config
    tz = ZoneInfo(config["TIMEZONE"])
    at = time.fromisoformat(config["EVENING_MAIL_TIME"])
    wanted = _wanted(stage, now, at, tz)
    try:
        for key, spec in wanted.items():
            mail_queue.schedule(KIND, key, spec["to"], spec["subject"], spec["context"],
                                spec["due_at"], now, participant_id=spec["participant_id"],
                                stage_id=stage.id)
        waiting = db.session.scalars(select(ScheduledMail).where(
            ScheduledMail.stage_id == stage.id, ScheduledMail.kind == KIND,
            ScheduledMail.state == "planned")).all()
        for row in waiting:
            if row.dedupe_key not in wanted:
                mail_queue.cancel(row, _why_not(row, now, tz), now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another pass planned the same message at the same moment
    db.session.expire_all()


def plan_upcoming(now: datetime) -> None:
    """Plan every stage not over that starts within HORIZON_DAYS (cheap: a handful of stages)."""
    today = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    stages = db.session.scalars(select(Stage).where(
        Stage.end_date >= today, Stage.start_date <= today + timedelta(days=HORIZON_DAYS))).all()
    for stage in stages:
        plan_stage(stage, now)


def plan_for(participant: Participant, now: datetime) -> None:
    """Re-plan at once after the team edited someone (an "abandon" stops their messages now)."""
    stage = participant.stage
    today = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    if stage.end_date >= today:
        plan_stage(stage, now)
