"""Referents in the week: the team invites a participant's referent to chosen slots of the
programme (a mail with the slot, place and time, and a link to answer yes or no); the
programme shows who comes; referents who said in the last stage's follow-up that they would
like to take part in the next one are suggested. The caller commits.
"""
import hashlib
import secrets
from datetime import datetime
from typing import Callable

from sqlalchemy import select

from questionnaires import mail_queue
from questionnaires.clock import french_day, french_hour
from questionnaires.extensions import db
from questionnaires.models import Referent, Response, Slot, Stage, WeekGuest
from questionnaires.models.values import PERIODS
from questionnaires.recruitment.mails import dates_of, worded

KIND = "recrutement_semaine"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find(token: str) -> WeekGuest | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(WeekGuest).where(WeekGuest.token_hash == token_hash(token)))


def slot_text(slot: Slot) -> dict:
    start, end = slot.hours
    venue = slot.venue
    place = ", ".join(p for p in (venue.name, venue.address, venue.city) if p) if venue else (
        "lieu communiqué par l'équipe")
    return {"slot": slot.title, "when": f"{french_day(slot.date)} {slot.date.year}, "
            f"{PERIODS[slot.period].lower()}, de {french_hour(start)} à {french_hour(end)}",
            "place": place}


def invite(stage: Stage, referent: Referent, slots: list[Slot], now: datetime,
           link_for: Callable[[str], str]) -> int:
    """Invite `referent` to each of `slots` not yet offered to them; returns how many new
    invitations (each its own mail and link)."""
    made = 0
    for slot in slots:
        if slot.stage_id != stage.id:
            continue
        known = db.session.scalar(select(WeekGuest).where(
            WeekGuest.slot_id == slot.id, WeekGuest.referent_id == referent.id))
        if known is not None:
            continue
        token = secrets.token_urlsafe(24)
        guest = WeekGuest(stage_id=stage.id, slot_id=slot.id, referent_id=referent.id,
                          token_hash=token_hash(token), invited_at=now)
        db.session.add(guest)
        db.session.flush()
        values = dict(referent=referent.name, stage=stage.title, dates=dates_of(stage),
                      person="", reason="", bring="", **slot_text(slot))
        subject, paragraphs = worded(KIND, stage, values)
        mail_queue.schedule(
            KIND, f"{KIND}:{guest.id}", referent.email, subject,
            {"paragraphs": paragraphs, "link": link_for(token),
             "button": "Répondre : je viens / je ne viens pas"}, now, now, stage_id=stage.id)
        made += 1
    return made


def answer(guest: WeekGuest, comes: bool, now: datetime) -> None:
    guest.answer, guest.answered_at = ("oui" if comes else "non"), now


def by_slot(stage: Stage) -> dict[int, list[WeekGuest]]:
    guests: dict[int, list[WeekGuest]] = {}
    for guest in db.session.scalars(select(WeekGuest).where(WeekGuest.stage_id == stage.id)
                                    .order_by(WeekGuest.id)):
        guests.setdefault(guest.slot_id, []).append(guest)
    return guests


def previous_stage(stage: Stage) -> Stage | None:
    return db.session.scalars(select(Stage).where(Stage.end_date < stage.start_date)
                              .order_by(Stage.end_date.desc(), Stage.id.desc())).first()


def suggested(stage: Stage) -> list[Referent]:
    """Referents who answered "participer au prochain stage : oui" in the follow-up of the
    stage before this one."""
    before = previous_stage(stage)
    if before is None:
        return []
    found: dict[int, Referent] = {}
    for response in db.session.scalars(select(Response).where(
            Response.stage_id == before.id, Response.questionnaire == "suivi-referent",
            Response.referent_id.is_not(None), Response.submitted_at.is_not(None))):
        if (response.answers or {}).get("participer_prochain") == "oui" and response.referent:
            if response.referent.anonymised_at is None:
                found[response.referent.id] = response.referent
    return sorted(found.values(), key=lambda r: r.name)
