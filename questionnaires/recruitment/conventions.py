"""PMSMP conventions (recrutement.md): one per participant whose PMSMP applies, prefilled
with what the service knows, as a description that the printable page and the DOCX both lay out.

Unknown fields are printed "à compléter", so the form can be finished by hand before signing.
"""
import io
import re
import unicodedata
from dataclasses import dataclass, field

from docx import Document
from docx.shared import Cm

from questionnaires.clock import french_day, french_hour
from questionnaires.models import Participant, Stage
from questionnaires.models.values import PERIODS
from questionnaires.text import CONTROL

OBJECTIVE = "Découvrir un métier ou un secteur d'activité"
MISSING = "à compléter"
PARTIES = ("Le ou la bénéficiaire", "La structure prescriptrice", "La structure d'accueil")
#: Status moves the team's pages offer, in order (sans_objet is set on the participant's form)
NEXT_STATUS = {"a_faire": "envoyee", "envoyee": "signee"}


@dataclass
class Convention:
    title: str
    #: (heading, [(label, value)])
    sections: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    parties: tuple = PARTIES


def applies(participant: Participant) -> bool:
    return participant.status != "desiste" and participant.pmsmp != "sans_objet"


def daily_hours(stage: Stage) -> list[str]:
    """"lundi 8 novembre : 10 h – 17 h" for each day with slots (first start, last end)."""
    lines = []
    for day in stage.days:
        slots = [s for s in stage.slots if s.date == day]
        if slots:
            start = min(s.hours[0] for s in slots)
            end = max(s.hours[1] for s in slots)
            lines.append(f"{french_day(day)} : {french_hour(start)} – {french_hour(end)}")
    return lines


def venues(stage: Stage) -> list[str]:
    seen, lines = set(), []
    for slot in stage.slots:
        venue = slot.venue
        if venue is not None and venue.id not in seen:
            seen.add(venue.id)
            lines.append(", ".join(p for p in (venue.name, venue.address, venue.city) if p))
    return lines


def convention_for(participant: Participant, host: dict) -> Convention:
    """The convention of one participant; `host` holds name, address and tutor (settings)."""
    stage, referent = participant.stage, participant.referent
    structure = referent.structure if referent else None
    birth = participant.birth_date.strftime("%d/%m/%Y") if participant.birth_date else MISSING
    contact = ", ".join(c for c in (referent.email, referent.phone) if c) if referent else ""
    period = (f"du {stage.start_date:%d/%m/%Y} au {stage.end_date:%d/%m/%Y}")
    return Convention(
        title=f"Convention PMSMP — {participant.display_name}",
        sections=[
            ("Bénéficiaire", [("Nom et prénom", participant.display_name),
                              ("Date de naissance", birth),
                              ("Adresse / ville", participant.city or MISSING),
                              ("Statut", MISSING)]),
            ("Structure prescriptrice", [
                ("Structure", structure.name if structure else MISSING),
                ("Référent·e", referent.name if referent else MISSING),
                ("Contact", contact or MISSING)]),
            ("Structure d'accueil", [("Structure", host.get("name") or MISSING),
                                     ("Adresse", host.get("address") or MISSING),
                                     ("Tuteur ou tutrice", host.get("tutor") or MISSING)]),
            ("Période", [("Dates", period), ("Stage", stage.title),
                         ("Horaires", "; ".join(daily_hours(stage)) or MISSING)]),
            ("Lieux", [("Lieux de la semaine", "; ".join(venues(stage)) or MISSING)]),
            ("Objectif", [("Objectif de la période", OBJECTIVE)]),
        ],
        activities=[f"{french_day(s.date)}, {PERIODS[s.period].lower()} : {s.title}"
                    + (f" ({s.venue.name})" if s.venue else "") for s in stage.slots])


def _clean(text: str) -> str:
    return CONTROL.sub("", text)


def to_docx(convention: Convention) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    document.add_heading(_clean(convention.title), level=0)
    document.add_paragraph("Période de mise en situation en milieu professionnel")
    for heading, rows in convention.sections:
        document.add_heading(_clean(heading), level=1)
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = _clean(label), _clean(value)
    document.add_heading("Activités", level=1)
    for activity in convention.activities:
        document.add_paragraph(_clean(activity), style="List Bullet")
    document.add_heading("Signatures", level=1)
    table = document.add_table(rows=2, cols=len(convention.parties))
    table.style = "Table Grid"
    for i, party in enumerate(convention.parties):
        table.rows[0].cells[i].text = party
        table.rows[1].cells[i].text = "Date :\n\nSignature :\n\n\n"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def file_name(participant: Participant) -> str:
    """"convention-pmsmp-12-yanis-martin.docx": ASCII, no path characters."""
    plain = unicodedata.normalize("NFKD", participant.display_name).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", plain.decode().lower()).strip("-")[:60] or "participant"
    return f"convention-pmsmp-{participant.id}-{slug}.docx"


def host_from(config) -> dict:
    """The host structure's part of every convention, from the settings."""
    return {"name": config["ASSOCIATION_NAME"], "address": config.get("ASSOCIATION_ADDRESS"),
            "tutor": config.get("CONVENTION_TUTOR")}


def of_stage(stage: Stage) -> list[Participant]:
    """The participants whose PMSMP applies, in the list's order."""
    return [p for p in stage.participants if applies(p)]
