"""Validation of a stage archive (shared/domain/stage-archive.md), with JSON paths.

Pure functions over parsed JSON: they collect every error, in French, as
`participants[3].referent : clé inconnue « r9 »`, and never touch the database.
"""
import re
from datetime import date, datetime, time

from questionnaires.stages.contacts import EMAIL, normal_phone
from questionnaires.text import CONTROL
from questionnaires.models import MAX_STAGE_DAYS
from questionnaires.models.report import FUNDER_KINDS, MAX_TEXT, TEXT_KEYS
from questionnaires.models.stage import CAPACITY_RANGE, FOLLOWUP_MONTHS_RANGE
from questionnaires.models.values import (
    ATTENDANCE,
    GENDERS,
    PARTICIPANT_STATUSES,
    PERIODS,
    PMSMP,
    QPV,
    QUESTIONNAIRES,
    SLOT_KINDS,
    VENUE_KINDS,
)

FORMAT = "stage-archive/1"
TOP_KEYS = ("format", "stage", "venues", "structures", "referents", "professionals", "slots",
            "participants", "responses", "texts", "funders")

# Field specs: name → (kind, required, extra). Kinds: text (extra = max length), enum
# (extra = value set), date, datetime, int (extra = (min, max)), ref (extra = list name),
# email, refs (list of ref), map (attendance), answers, bool, phone (a French number), time
# ("HH:MM"), calls (slot → {"at", "note"}). The optional keys added after the first archives
# (phones, e-mails, addresses, hours, calls) may be absent: older archives stay valid.
STAGE = {
    "title": ("text", True, 200), "theme": ("text", True, 80), "start": ("date", True, None),
    "end": ("date", True, None), "territory": ("text", False, 120),
    "capacity": ("int", False, CAPACITY_RANGE), "followup_months": ("int", False, FOLLOWUP_MONTHS_RANGE),
    # The versions the stage chose (issue 12); absent: the versions its answers use
    "versions": ("versions", False, None),
}
LISTS = {
    "venues": {"name": ("text", True, 160), "city": ("text", False, 120),
               "kind": ("enum", True, VENUE_KINDS), "address": ("text", False, 200)},
    "structures": {"name": ("text", True, 160), "city": ("text", False, 120)},
    "referents": {"name": ("text", True, 120), "email": ("email", True, 254),
                  "structure": ("ref", True, "structures"), "phone": ("phone", False, None)},
    "professionals": {"role": ("text", True, 120), "venue": ("ref", False, "venues")},
    "slots": {"date": ("date", True, None), "period": ("enum", True, PERIODS),
              "title": ("text", True, 200), "kind": ("enum", True, SLOT_KINDS),
              "venue": ("ref", False, "venues"), "professionals": ("refs", False, "professionals"),
              "start": ("time", False, None), "end": ("time", False, None)},
    "participants": {
        "first_name": ("text", True, 80), "last_name": ("text", False, 80),
        "birth_date": ("date", False, None), "gender": ("enum", True, GENDERS),
        "city": ("text", False, 120), "qpv": ("enum", False, QPV),
        "referent": ("ref", False, "referents"), "status": ("enum", False, PARTICIPANT_STATUSES),
        "pmsmp": ("enum", False, PMSMP), "attendance": ("map", False, "slots"),
        "phone": ("phone", False, None), "email": ("email", False, 254),
        "calls": ("calls", False, None),
    },
}
RESPONSE = {
    "questionnaire": ("enum", True, QUESTIONNAIRES), "version": ("int", True, (1, 999)),
    "participant": ("ref", False, "participants"), "referent": ("ref", False, "referents"),
    "submitted_at": ("datetime", False, None), "assisted_by": ("ref", False, "referents"),
    "answers": ("answers", True, None),
}


FUNDER = {"name": ("text", True, 200), "kind": ("enum", False, FUNDER_KINDS)}


class ArchiveError(ValueError):
    """The archive is not valid; `errors` lists every problem with its JSON path."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def validate(data) -> list[str]:
    """Every error in `data`, as "path : message" lines; empty if the archive is valid."""
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["(racine) : le fichier doit contenir un objet JSON { … }."]
    for key in data:
        if key not in TOP_KEYS:
            errors.append(f"{key} : clé inconnue (clés attendues : {', '.join(TOP_KEYS)}).")
    if data.get("format") != FORMAT:
        errors.append(f"format : « {FORMAT} » attendu, trouvé « {data.get('format')} ».")
    stage = data.get("stage")
    if not isinstance(stage, dict):
        errors.append("stage : objet obligatoire.")
        stage = {}
    else:
        _check_object(stage, STAGE, "stage", {}, errors)
        _check_stage_dates(stage, errors)
    keys = {name: _check_list(data, name, errors) for name in LISTS}
    for name, spec in LISTS.items():
        for i, item in enumerate(data.get(name) or []):
            if isinstance(item, dict):
                _check_object(item, {"key": ("key", True, None), **spec}, f"{name}[{i}]", keys,
                              errors)
    _check_slots_in_stage(data, stage, errors)
    _check_capacity(data, stage, errors)
    _check_responses(data, keys, errors)
    _check_report(data, errors)
    return errors


def _check_report(data: dict, errors: list[str]) -> None:
    """The team's texts ({section: text}) and funders ([{name, kind}]) of the stage's report."""
    texts = data.get("texts", {})
    if not isinstance(texts, dict):
        errors.append("texts : un objet { section: texte } est attendu.")
    else:
        for key, body in texts.items():
            if key not in TEXT_KEYS:
                errors.append(f"texts.{key} : section inconnue.")
            elif not isinstance(body, str) or CONTROL.search(body):
                errors.append(f"texts.{key} : un texte sans caractère de contrôle est attendu.")
            elif len(body) > MAX_TEXT:
                errors.append(f"texts.{key} : {len(body)} caractères pour {MAX_TEXT} au plus.")
    funders = data.get("funders", [])
    if not isinstance(funders, list):
        errors.append("funders : une liste [ … ] est attendue.")
        return
    for i, item in enumerate(funders):
        if not isinstance(item, dict):
            errors.append(f"funders[{i}] : un objet {{ … }} est attendu.")
        else:
            _check_object(item, FUNDER, f"funders[{i}]", {}, errors)


def _check_list(data: dict, name: str, errors: list[str]) -> set:
    """A list of objects with unique string keys; returns the valid keys."""
    items = data.get(name, [])
    if not isinstance(items, list):
        errors.append(f"{name} : une liste [ … ] est attendue.")
        return set()
    keys: set = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append(f"{name}[{i}] : un objet {{ … }} est attendu.")
            continue
        key = item.get("key")
        if isinstance(key, str) and key in keys:
            errors.append(f"{name}[{i}].key : clé « {key} » en double dans {name}.")
        elif isinstance(key, str) and key.strip():
            keys.add(key)
    return keys


def _check_object(obj: dict, spec: dict, path: str, keys: dict, errors: list[str]) -> None:
    for name in obj:
        if name not in spec:
            errors.append(f"{path}.{name} : clé inconnue.")
    for name, (kind, needed, extra) in spec.items():
        value = obj.get(name)
        if value is None:
            if needed:
                errors.append(f"{path}.{name} : valeur obligatoire manquante.")
            continue
        message = _check_value(kind, extra, value, keys)
        if message:
            errors.append(f"{path}.{name} : {message}")


def _check_value(kind: str, extra, value, keys: dict) -> str | None:
    """The French problem with one value, or None."""
    if isinstance(value, str) and kind in ("key", "text", "email") and CONTROL.search(value):
        # The team's forms drop them; stored from a file they broke the name check (a 500) or
        # the XLSX export of the stage (openpyxl refuses them).
        code = ord(CONTROL.search(value).group(0))
        return f"caractère invisible interdit (code U+{code:04X}) ; retirez-le du fichier."
    if kind == "key":
        return None if isinstance(value, str) and value.strip() and len(value) <= 40 \
            else "clé texte non vide de 40 caractères au plus attendue."
    if kind in ("text", "email"):
        if not isinstance(value, str) or (kind == "text" and not value.strip()):
            return "texte attendu."
        if len(value) > extra:
            return f"{extra} caractères au plus (ici {len(value)})."
        if kind == "email" and not EMAIL.match(value):
            return f"adresse e-mail invalide « {value} »."
        return None
    if kind == "enum":
        # Only strings are looked up: a list or an object cannot be a dict key (TypeError).
        return None if isinstance(value, str) and value in extra else \
            f"valeur « {value} » inconnue (valeurs possibles : {', '.join(extra)})."
    if kind == "versions":
        good = isinstance(value, dict) and all(
            k in QUESTIONNAIRES and isinstance(v, int) and not isinstance(v, bool)
            and 1 <= v <= 999 for k, v in value.items())
        return None if good else ("un objet { questionnaire: version } est attendu "
                                  f"(questionnaires : {', '.join(QUESTIONNAIRES)}).")
    if kind == "int":
        low, high = extra
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            return f"nombre entier entre {low} et {high} attendu."
        return None
    if kind == "date":
        return None if parse_date(value) else f"date AAAA-MM-JJ attendue, trouvé « {value} »."
    if kind == "datetime":
        return None if parse_datetime(value) else \
            f"date et heure ISO 8601 avec fuseau attendues, trouvé « {value} »."
    if kind == "ref":
        return None if isinstance(value, str) and value in keys.get(extra, ()) else \
            f"clé inconnue « {value} » (absente de {extra})."
    if kind == "refs":
        if not isinstance(value, list):
            return "une liste de clés est attendue."
        unknown = [v for v in value if not (isinstance(v, str) and v in keys.get(extra, ()))]
        return f"clé(s) inconnue(s) {unknown} (absentes de {extra})." if unknown else None
    if kind == "map":
        if not isinstance(value, dict):
            return "un objet { créneau : présence } est attendu."
        for slot, status in value.items():
            if slot not in keys.get("slots", ()):
                return f"créneau inconnu « {slot} »."
            if not isinstance(status, str) or status not in ATTENDANCE:
                return f"présence « {status} » inconnue (valeurs : {', '.join(ATTENDANCE)})."
        return None
    if kind == "answers":
        if not isinstance(value, dict):
            return "un objet { question : réponse } est attendu."
        return None
    return _check_week_value(kind, value, keys)


def _check_week_value(kind: str, value, keys: dict) -> str | None:
    """The optional keys of the week: a phone, an hour, the team's calls about absences."""
    if kind == "phone":
        return None if isinstance(value, str) and normal_phone(value) else \
            f"numéro de téléphone français attendu (06 12 34 56 78), trouvé « {value} »."
    if kind == "time":
        return None if parse_time(value) else f"heure HH:MM attendue, trouvé « {value} »."
    if kind == "calls":
        if not isinstance(value, dict):
            return "un objet { créneau : { at, note } } est attendu."
        for slot, call in value.items():
            if slot not in keys.get("slots", ()):
                return f"créneau inconnu « {slot} »."
            if not isinstance(call, dict) or set(call) - {"at", "note"} \
                    or not parse_datetime(call.get("at")):
                return f"appel du créneau « {slot} » : {{\"at\": date-heure ISO 8601, \"note\": " \
                       "texte ou null} attendu."
            note = call.get("note")
            if note is not None and not (isinstance(note, str) and len(note) <= 200
                                         and not CONTROL.search(note)):
                return f"appel du créneau « {slot} » : note de 200 caractères au plus attendue."
        return None
    raise AssertionError(kind)


def parse_time(value):
    """An "HH:MM" time of day, or None if `value` is not one."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{2}:[0-9]{2}", value):
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


def parse_date(value) -> date | None:
    """An ISO date, or None if `value` is not one."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_datetime(value) -> datetime | None:
    """An ISO 8601 date-time with its offset, or None (a naive time is ambiguous)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _check_stage_dates(stage: dict, errors: list[str]) -> None:
    start, end = parse_date(stage.get("start")), parse_date(stage.get("end"))
    if start and end:
        if end < start:
            errors.append("stage.end : le dernier jour précède le premier.")
        elif (end - start).days >= MAX_STAGE_DAYS:
            errors.append(f"stage.end : un stage dure au plus {MAX_STAGE_DAYS} jours.")


def _check_slots_in_stage(data: dict, stage: dict, errors: list[str]) -> None:
    """Slots inside the stage's dates, one per day and period."""
    start, end = parse_date(stage.get("start")), parse_date(stage.get("end"))
    cells: dict = {}
    for i, slot in enumerate(data.get("slots") or []):
        if not isinstance(slot, dict):
            continue
        day = parse_date(slot.get("date"))
        if day and start and end and not start <= day <= end:
            errors.append(f"slots[{i}].date : {day} est hors des dates du stage.")
        if not day or not isinstance(slot.get("period"), str):
            continue  # a date or period of the wrong type is reported by the field checks
        begins, ends = parse_time(slot.get("start")), parse_time(slot.get("end"))
        if (slot.get("start") is None) != (slot.get("end") is None):
            errors.append(f"slots[{i}] : donnez « start » et « end », ou aucun des deux.")
        elif begins and ends and ends <= begins:
            errors.append(f"slots[{i}].end : l'heure de fin doit être après l'heure de début.")
        cell = (day, slot.get("period"))
        if cell in cells:
            errors.append(f"slots[{i}] : même jour et même période que slots[{cells[cell]}].")
        cells.setdefault(cell, i)


def _check_capacity(data: dict, stage: dict, errors: list[str]) -> None:
    people = [p for p in data.get("participants") or [] if isinstance(p, dict)]
    enrolled = sum(1 for p in people if p.get("status", "inscrit") != "desiste")
    capacity = stage.get("capacity", 10)
    if isinstance(capacity, int) and enrolled > capacity:
        errors.append(f"participants : {enrolled} inscrit·e·s pour {capacity} places "
                      "(augmentez stage.capacity).")


def _check_responses(data: dict, keys: dict, errors: list[str]) -> None:
    """Each response well formed, answered by the right people, and not twice."""
    responses = data.get("responses", [])
    if not isinstance(responses, list):
        errors.append("responses : une liste [ … ] est attendue.")
        return
    seen: dict = {}
    for i, response in enumerate(responses):
        path = f"responses[{i}]"
        if not isinstance(response, dict):
            errors.append(f"{path} : un objet {{ … }} est attendu.")
            continue
        _check_object(response, RESPONSE, path, keys, errors)
        kind, who = response.get("questionnaire"), response.get("participant")
        referent = response.get("referent")
        if kind == "bilan-individuel" and (who is None or referent is not None):
            errors.append(f"{path} : un bilan individuel a un participant et pas de référent.")
        if kind == "bilan-collectif" and (who is not None or referent is not None):
            errors.append(f"{path} : le bilan collectif n'a ni participant ni référent.")
        if kind == "suivi-referent" and referent is None and who is None:
            # A part A may come from the team (no referent); a part B always has one
            errors.append(f"{path}.referent : obligatoire pour l'avis d'un·e référent·e "
                          "(partie B).")
        identity = (kind, who if kind != "bilan-collectif" else None,
                    referent if kind == "suivi-referent" else None)
        if not all(part is None or isinstance(part, str) for part in identity):
            continue  # values of the wrong type are reported by the field checks
        if identity in seen:
            errors.append(f"{path} : doublon de responses[{seen[identity]}].")
        seen.setdefault(identity, i)
