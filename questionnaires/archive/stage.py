"""Stage archive: export one stage as portable JSON, import one back (all or nothing)."""
import json
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, or_, select

from questionnaires.archive.schema import (
    FORMAT, ArchiveError, parse_date, parse_datetime, parse_time, validate,
)
from questionnaires.stages.contacts import normal_email, normal_phone
from questionnaires.extensions import db
from questionnaires.archive.answers import archive_answer_errors, archive_answers
from questionnaires.models import (
    Attendance,
    AttendanceCall,
    Participant,
    Professional,
    Referent,
    Response,
    Slot,
    Stage,
    StageFunder,
    StageQuestionnaire,
    StageText,
    Structure,
    Venue,
)
from questionnaires.models.report import TEXT_KEYS
from questionnaires.models.values import QUESTIONNAIRES


def _chosen_versions(stage: Stage) -> dict:
    """{"versions": {questionnaire: version}} when the team chose versions for the stage."""
    rows = db.session.scalars(select(StageQuestionnaire).where(
        StageQuestionnaire.stage_id == stage.id)).all()
    order = list(QUESTIONNAIRES)
    return {"versions": {r.questionnaire: r.version for r in sorted(
        rows, key=lambda r: order.index(r.questionnaire))}} if rows else {}


def _optional(item: dict, **values) -> dict:
    """`item` with the optional keys that have a value (an archive without contacts, hours
    or calls reads as before they existed)."""
    item.update({key: value for key, value in values.items() if value not in (None, {}, "")})
    return item


def _calls(stage: Stage, slot_keys: dict, zone: ZoneInfo) -> dict:
    """Each participant's calls about absences: {participant id: {slot key: {at, note}}}."""
    calls: dict = {}
    for call in db.session.scalars(select(AttendanceCall).where(
            AttendanceCall.stage_id == stage.id).order_by(AttendanceCall.slot_id)):
        calls.setdefault(call.participant_id, {})[slot_keys[call.slot_id]] = {
            "at": call.called_at.astimezone(zone).isoformat(), "note": call.note}
    return calls


def _keyed(prefix: str, objects) -> dict:
    """Archive keys for objects in a stable order: prefix + position (v1, v2…)."""
    return {obj.id: f"{prefix}{i}" for i, obj in enumerate(objects, start=1)}


def export_stage(stage: Stage) -> dict:
    """The archive of one stage as a JSON-ready dict (responses and drafts included, the
    report's texts and funders too)."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    responses = stage.responses
    referents = sorted(
        {p.referent for p in stage.participants if p.referent}
        | {r.referent for r in responses if r.referent}
        | {r.assisted_by for r in responses if r.assisted_by},
        key=lambda r: r.id,
    )
    structures = sorted({r.structure for r in referents}, key=lambda s: s.id)
    venues = sorted(
        {s.venue for s in stage.slots if s.venue} | {p.venue for p in stage.professionals if p.venue},
        key=lambda v: v.id,
    )
    keys = {
        "venue": _keyed("v", venues), "structure": _keyed("s", structures),
        "referent": _keyed("r", referents), "professional": _keyed("p", stage.professionals),
        "participant": _keyed("a", stage.participants),
    }
    slot_keys = {slot.id: slot.key for slot in stage.slots}
    marks = db.session.scalars(select(Attendance).where(Attendance.stage_id == stage.id)).all()
    attendance: dict = {}
    for mark in sorted(marks, key=lambda m: m.slot_id):
        attendance.setdefault(mark.participant_id, {})[slot_keys[mark.slot_id]] = mark.status

    calls = _calls(stage, slot_keys, zone)

    def ref(kind: str, obj_id):
        return keys[kind][obj_id] if obj_id is not None else None

    return {
        "format": FORMAT,
        "stage": {
            "title": stage.title, "theme": stage.theme, "start": stage.start_date.isoformat(),
            "end": stage.end_date.isoformat(), "territory": stage.territory,
            "capacity": stage.capacity, "followup_months": stage.followup_months,
            **_chosen_versions(stage),
        },
        "venues": [_optional({"key": keys["venue"][v.id], "name": v.name, "city": v.city or None,
                              "kind": v.kind}, address=v.address) for v in venues],
        "structures": [{"key": keys["structure"][s.id], "name": s.name, "city": s.city}
                       for s in structures],
        "referents": [_optional({"key": keys["referent"][r.id], "name": r.name, "email": r.email,
                                 "structure": keys["structure"][r.structure_id]}, phone=r.phone)
                      for r in referents],
        "professionals": [{"key": keys["professional"][p.id], "role": p.role,
                           "venue": ref("venue", p.venue_id)} for p in stage.professionals],
        "slots": [_optional({"key": s.key, "date": s.date.isoformat(), "period": s.period,
                             "title": s.title, "kind": s.kind, "venue": ref("venue", s.venue_id),
                             "professionals": [keys["professional"][p.id] for p in s.professionals]},
                            start=s.start_time and s.start_time.strftime("%H:%M"),
                            end=s.end_time and s.end_time.strftime("%H:%M"))
                  for s in stage.slots],
        "participants": [_optional({
            "key": keys["participant"][p.id], "first_name": p.first_name,
            "last_name": p.last_name,
            "birth_date": p.birth_date.isoformat() if p.birth_date else None,
            "gender": p.gender, "city": p.city, "qpv": p.qpv,
            "referent": ref("referent", p.referent_id), "status": p.status, "pmsmp": p.pmsmp,
            "attendance": attendance.get(p.id, {}),
        }, phone=p.phone, email=p.email, calls=calls.get(p.id)) for p in stage.participants],
        "responses": [{
            "questionnaire": r.questionnaire, "version": r.version,
            "participant": ref("participant", r.participant_id),
            "referent": ref("referent", r.referent_id),
            "submitted_at": r.submitted_at.astimezone(zone).isoformat() if r.submitted_at else None,
            "assisted_by": ref("referent", r.assisted_by_id),
            "answers": r.answers,
        } for r in responses],
        "texts": {text.key: text.body for text in sorted(
            db.session.scalars(select(StageText).where(StageText.stage_id == stage.id)),
            key=lambda text: TEXT_KEYS.index(text.key))},
        "funders": [{"name": f.name, "kind": f.kind} for f in db.session.scalars(
            select(StageFunder).where(StageFunder.stage_id == stage.id)
            .order_by(StageFunder.position))],
    }


def export_participant(participant: Participant) -> dict:
    """The stage archive restricted to one participant: the extract handed to them on request.

    Their record, attendance and responses (bilan, referents' follow-up about them), the
    programme needed to read them (stage, slots, venues, professionals), and only the referents
    and structures these mention. Other participants, the collective bilan and the referents'
    opinions of the stage are left out. The extract is itself a valid archive.
    """
    archive = export_stage(participant.stage)
    key = _keyed("a", participant.stage.participants)[participant.id]
    archive["participants"] = [p for p in archive["participants"] if p["key"] == key]
    archive["responses"] = [r for r in archive["responses"] if r["participant"] == key]
    used = {archive["participants"][0]["referent"]} | {
        r[k] for r in archive["responses"] for k in ("referent", "assisted_by")}
    archive["referents"] = [r for r in archive["referents"] if r["key"] in used]
    structures = {r["structure"] for r in archive["referents"]}
    archive["structures"] = [s for s in archive["structures"] if s["key"] in structures]
    return archive


def dumps(archive: dict) -> str:
    """The archive as the text of a .json file (UTF-8, readable)."""
    return json.dumps(archive, ensure_ascii=False, indent=2) + "\n"


def loads(raw: bytes | str) -> dict:
    """Parse an archive file, or raise ArchiveError with a French reason."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        return json.loads(text)
    except UnicodeDecodeError:
        raise ArchiveError(["(fichier) : le fichier n'est pas du texte UTF-8."]) from None
    except json.JSONDecodeError as error:
        raise ArchiveError([f"(fichier) : JSON invalide ligne {error.lineno}, colonne "
                            f"{error.colno} ({error.msg})."]) from None
    except RecursionError:
        raise ArchiveError(["(fichier) : JSON trop profondément imbriqué."]) from None


def import_archive(data) -> Stage:
    """Create a new stage from an archive; nothing is written if anything is invalid.

    Venues, structures and referents already known (same name and city, same name, same
    e-mail) are reused rather than duplicated; the caller commits. Answers are checked
    against their questionnaire's definition once the structure is known to be sound.
    """
    errors = validate(data)
    if not errors:
        errors = archive_answer_errors(data)
    if errors:
        raise ArchiveError(errors)
    stage_data = data["stage"]
    stage = Stage(
        title=stage_data["title"].strip(), theme=stage_data["theme"].strip(),
        start_date=parse_date(stage_data["start"]), end_date=parse_date(stage_data["end"]),
        territory=stage_data.get("territory"), capacity=stage_data.get("capacity", 10),
        followup_months=stage_data.get("followup_months", 3),
    )
    db.session.add(stage)
    venues = {v["key"]: _venue(v) for v in data.get("venues", [])}
    structures = {s["key"]: _structure(s) for s in data.get("structures", [])}
    referents = {r["key"]: _referent(r, structures) for r in data.get("referents", [])}
    professionals = {
        p["key"]: Professional(stage=stage, role=p["role"], venue=venues.get(p.get("venue")))
        for p in data.get("professionals", [])
    }
    slots = {
        s["key"]: Slot(
            stage=stage, key=s["key"], date=parse_date(s["date"]), period=s["period"],
            title=s["title"], kind=s["kind"], venue=venues.get(s.get("venue")),
            professionals=[professionals[k] for k in s.get("professionals") or []],
            start_time=parse_time(s.get("start")), end_time=parse_time(s.get("end")),
        ) for s in data.get("slots", [])
    }
    participants = {p["key"]: _participant(p, stage, referents) for p in data.get("participants", [])}
    db.session.add_all([*professionals.values(), *slots.values()])
    db.session.flush()
    for item in data.get("participants", []):
        person = participants[item["key"]]
        for slot_key, status in (item.get("attendance") or {}).items():
            db.session.add(Attendance(participant_id=person.id, slot_id=slots[slot_key].id,
                                      stage_id=stage.id, status=status))
        for slot_key, call in (item.get("calls") or {}).items():
            db.session.add(AttendanceCall(participant_id=person.id, slot_id=slots[slot_key].id,
                                          stage_id=stage.id, note=call.get("note"),
                                          called_at=parse_datetime(call["at"])))
    for item, answers in zip(data.get("responses", []), archive_answers(data)):
        submitted = parse_datetime(item.get("submitted_at"))
        db.session.add(Response(
            stage=stage, questionnaire=item["questionnaire"], version=item["version"],
            participant=participants.get(item.get("participant")),
            referent=referents.get(item.get("referent")),
            assisted_by=referents.get(item.get("assisted_by")),
            answers=answers, submitted_at=submitted,
        ))
    for questionnaire, version in (stage_data.get("versions") or {}).items():
        db.session.add(StageQuestionnaire(stage_id=stage.id, questionnaire=questionnaire,
                                          version=version))
    # The stage's own texts, kept as they were (never copied from another stage)
    for key, body in (data.get("texts") or {}).items():
        db.session.add(StageText(stage=stage, key=key, body=body.strip()))
    for position, item in enumerate(data.get("funders") or []):
        db.session.add(StageFunder(stage=stage, position=position, name=item["name"].strip(),
                                   kind=item.get("kind") or "financeur"))
    db.session.flush()
    return stage


def _venue(item: dict) -> Venue:
    name, city = item["name"].strip(), (item.get("city") or "").strip()
    # SQLite's lower() folds ASCII only: match the exact value too, or "ÉCOLE" imported twice
    # misses the first one and meets the unique constraint.
    found = db.session.scalar(select(Venue).where(
        or_(func.lower(Venue.name) == name.lower(), Venue.name == name),
        or_(func.lower(Venue.city) == city.lower(), Venue.city == city)).limit(1))
    if found is None:
        found = Venue(name=name, city=city, kind=item["kind"], address=item.get("address"))
        db.session.add(found)
    elif not found.address and item.get("address"):
        found.address = item["address"]  # an address learnt from the file fills a blank one
    return found


def _structure(item: dict) -> Structure:
    name = item["name"].strip()
    found = db.session.scalar(select(Structure).where(
        or_(func.lower(Structure.name) == name.lower(), Structure.name == name)).limit(1))
    if found is None:
        found = Structure(name=name, city=item.get("city"))
        db.session.add(found)
    return found


def _referent(item: dict, structures: dict) -> Referent:
    email = item["email"].strip().lower()
    found = db.session.scalar(select(Referent).where(Referent.email == email))
    if found is None:
        found = Referent(name=item["name"].strip(), email=email,
                         structure=structures[item["structure"]],
                         phone=normal_phone(item["phone"]) if item.get("phone") else None)
        db.session.add(found)
    return found


def _participant(item: dict, stage: Stage, referents: dict) -> Participant:
    person = Participant(
        stage=stage, first_name=item["first_name"].strip(), last_name=item.get("last_name"),
        birth_date=parse_date(item.get("birth_date")), gender=item["gender"],
        city=item.get("city"), qpv=item.get("qpv", "inconnu"),
        referent=referents.get(item.get("referent")), status=item.get("status", "inscrit"),
        pmsmp=item.get("pmsmp", "a_faire"),
        phone=normal_phone(item["phone"]) if item.get("phone") else None,
        email=normal_email(item["email"]) if item.get("email") else None,
    )
    db.session.add(person)
    return person
