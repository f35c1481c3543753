"""The optional `candidates` list of the stage archive (shared/domain/stage-archive.md): the
recruitment's history travels with the stage. Archives without it import unchanged; an export
of a stage without candidates has no such key, so older readers see the same file."""
from zoneinfo import ZoneInfo

from sqlalchemy import select

from questionnaires.archive.schema import parse_date, parse_datetime
from questionnaires.extensions import db
from questionnaires.models import Candidate, Stage
from questionnaires.stages.contacts import normal_email, normal_phone

_TEXTS = ("referent_name", "referent_email", "structure_name", "first_name", "last_name",
          "city", "phone", "email", "qpv", "motivation", "notes", "reason")
_MOMENTS = ("proposed_at", "consent_at", "interview_at", "session_at")


def export_candidates(stage: Stage, participant_keys: dict, zone: ZoneInfo) -> list[dict]:
    """The stage's candidates, erased ones excluded (their names are gone)."""
    items = []
    rows = db.session.scalars(select(Candidate).where(
        Candidate.stage_id == stage.id, Candidate.anonymised_at.is_(None)).order_by(Candidate.id))
    for n, c in enumerate(rows, start=1):
        item = {"key": f"c{n}", "state": c.state}
        item.update({name: getattr(c, name) for name in _TEXTS if getattr(c, name) is not None})
        if c.birth_date:
            item["birth_date"] = c.birth_date.isoformat()
        for name in _MOMENTS:
            if getattr(c, name) is not None:
                item[name] = getattr(c, name).astimezone(zone).isoformat()
        if c.participant_id in participant_keys:
            item["participant"] = participant_keys[c.participant_id]
        items.append(item)
    return items


def import_candidates(items: list, stage: Stage, participants: dict) -> None:
    """Candidates of a validated archive; the participant they became, when named."""
    for item in items or []:
        person = participants.get(item.get("participant"))
        db.session.add(Candidate(
            stage=stage, state=item["state"], participant=person,
            referent=person.referent if person is not None else None,
            birth_date=parse_date(item.get("birth_date")) if item.get("birth_date") else None,
            **{name: item.get(name) for name in _TEXTS
               if name not in ("qpv", "referent_email", "email", "phone")},
            referent_email=normal_email(item["referent_email"]),
            email=normal_email(item["email"]) if item.get("email") else None,
            phone=normal_phone(item["phone"]) if item.get("phone") else None,
            qpv=item.get("qpv") or "inconnu",
            **{name: parse_datetime(item.get(name)) for name in _MOMENTS}))
