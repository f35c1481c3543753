"""Who is behind each figure of a stage, read from the same flags as the figures."""
from sqlalchemy import select

from questionnaires.extensions import db
from questionnaires.impact.figures import participant_flags
from questionnaires.models import Participant, Response, Stage

#: Figure key → condition on the flags row (a dict of the flag columns)
CONDITIONS = {
    "participants": lambda r: True,
    "femmes": lambda r: r["gender"] == "F",
    "hommes": lambda r: r["gender"] == "H",
    "autres": lambda r: r["gender"] == "X",
    "moins_26": lambda r: r["under_26"] == 1,
    "qpv": lambda r: r["qpv"] == 1,
    "sortie_culturelle": lambda r: r["went_out"] == 1,
    "jusqu_au_bout": lambda r: r["last_day"] == 1,
    "jusqu_au_bout_satisfaits": lambda r: r["last_day_satisfied"] == 1,
    "projet_plus_precis": lambda r: r["projet"] == "oui",
    "isolement_rompu": lambda r: r["isolement"] == "oui",
    "experience_groupe": lambda r: r["experience"] == 1,
    "bilans_recus": lambda r: r["has_bilan"] == 1,
    "suivi_reponses": lambda r: r["followup_best"] is not None,
    "sorties_positives": lambda r: r["followup_best"] == 1,
}
#: What "not counted" means for figures whose input may be missing
MISSING = {
    "qpv": lambda r: r["qpv_unknown"] == 1,
    "moins_26": lambda r: r["birth_date"] is None,
    "jusqu_au_bout": lambda r: r["last_day_known"] == 0,
    "jusqu_au_bout_satisfaits": lambda r: r["last_day_known"] == 0 or r["has_bilan"] == 0,
    "projet_plus_precis": lambda r: r["projet"] is None,
    "isolement_rompu": lambda r: r["isolement"] is None,
    "experience_groupe": lambda r: r["experience_known"] == 0,
    "sorties_positives": lambda r: r["followup_best"] is None,
}


def people_behind(stage: Stage, key: str, dialect: str):
    """(counted, not counted, not known) participants of the stage for figure `key`."""
    flags = participant_flags(select(Stage.id).where(Stage.id == stage.id), dialect)
    rows = db.session.execute(
        select(flags, Participant).join(Participant, Participant.id == flags.c.participant_id)
        .order_by(Participant.first_name, Participant.id)).all()
    counted, others, unknown = [], [], []
    for row in rows:
        values = row._mapping
        person = values[Participant]
        if CONDITIONS[key](values):
            counted.append(person)
        elif key in MISSING and MISSING[key](values):
            unknown.append(person)
        else:
            others.append(person)
    return counted, others, unknown


def testimonials(stage: Stage) -> list[tuple[str, str]]:
    """(first name, text) of the testimonials whose authors agreed to publication."""
    consent = Response.answers["consentement_publication"].as_boolean()
    text = Response.answers["temoignage"].as_string()
    rows = db.session.execute(
        select(Participant.first_name, text)
        .join(Participant, Participant.id == Response.participant_id)
        .where(Response.stage_id == stage.id, Response.questionnaire == "bilan-individuel",
               Response.submitted_at.isnot(None), consent.is_(True), text.isnot(None),
               Participant.status != "desiste")
        .order_by(Participant.first_name))
    return [(name, quote) for name, quote in rows if quote and quote.strip()]
