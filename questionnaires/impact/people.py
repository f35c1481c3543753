"""Who is behind each figure of a stage, read from the same flags as the figures."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from questionnaires.engine.definitions import answers_by_role
from questionnaires.extensions import db
from questionnaires.impact.figures import participant_flags
from questionnaires.models import Participant, Referent, Response, Stage

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
    "suivi_reponses": lambda r: r["has_followup"] == 1,
    "sorties_positives": lambda r: r["positive"] == 1,
    "suivi_apport": lambda r: r["suivi_apport_high"] == 1,
    "suivi_confiance": lambda r: r["suivi_confiance_high"] == 1,
    "suivi_mobilite": lambda r: r["suivi_mobilite_high"] == 1,
    "projet_realise": lambda r: r["realise"] == 1,
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
    "sorties_positives": lambda r: r["has_followup"] == 0,
    # Outside the denominator: no part A, lost from sight, "je ne sais pas" or no answer
    "suivi_apport": lambda r: r["suivi_apport_known"] == 0,
    "suivi_confiance": lambda r: r["suivi_confiance_known"] == 0,
    "suivi_mobilite": lambda r: r["suivi_mobilite_known"] == 0,
    "projet_realise": lambda r: r["realise_of"] == 0,
}
#: Figures whose denominator is not every participant: who is left out of it, and why
OUTSIDE = {
    "sorties_positives": "Sans réponse de suivi : hors du dénominateur.",
    "suivi_apport": "Sans réponse de suivi, perdu·e de vue, « je ne sais pas » ou sans réponse "
                    "à cette question : hors du dénominateur.",
    "projet_realise": "Sans projet plus précis au bilan, sans réponse de suivi ou perdu·e de "
                      "vue : hors du dénominateur.",
}
OUTSIDE["suivi_confiance"] = OUTSIDE["suivi_mobilite"] = OUTSIDE["suivi_apport"]
#: Figures of the follow-up: each person's line says whose answer counts
FOLLOWUP = ("suivi_reponses", "sorties_positives", "suivi_apport", "suivi_confiance",
            "suivi_mobilite", "projet_realise")


@dataclass
class Behind:
    """One participant behind a figure, and where their follow-up answer came from."""

    participant: Participant
    #: Whose part A counts (follow-up figures only): the team's, or this referent's name
    by_team: bool = False
    referent: str | None = None
    #: When the counted part A was sent (for the team: the day of the news, at noon)
    answered_at: datetime | None = None


def people_behind(stage: Stage, key: str, dialect: str):
    """(counted, not counted, not known) participants of the stage for figure `key`, each a
    `Behind` (for follow-up figures, with whose answer counts)."""
    flags = participant_flags(select(Stage.id).where(Stage.id == stage.id), dialect)
    rows = db.session.execute(
        select(flags, Participant, Referent.name.label("referent_name"))
        .join(Participant, Participant.id == flags.c.participant_id)
        .outerjoin(Referent, Referent.id == flags.c.fu_referent_id)
        .order_by(Participant.first_name, Participant.id)).all()
    counted, others, unknown = [], [], []
    for row in rows:
        values = row._mapping
        person = Behind(values[Participant])
        if key in FOLLOWUP and values["has_followup"]:
            person.by_team, person.answered_at = bool(values["fu_by_team"]), values["fu_at"]
            person.referent = values["referent_name"]
        if CONDITIONS[key](values):
            counted.append(person)
        elif key in MISSING and MISSING[key](values):
            unknown.append(person)
        else:
            others.append(person)
    return counted, others, unknown


def testimonials(stage: Stage) -> list[tuple[str, str]]:
    """(first name, text) of the testimonials whose authors agreed to publication.

    Read by role in each response's own version: a stage may hold bilans of several versions.
    """
    rows = db.session.execute(
        select(Participant.first_name, Response)
        .join(Participant, Participant.id == Response.participant_id)
        .where(Response.stage_id == stage.id, Response.questionnaire == "bilan-individuel",
               Response.submitted_at.isnot(None), Participant.status != "desiste")
        .order_by(Participant.first_name, Participant.id))
    found = []
    for name, response in rows:
        answers = answers_by_role(response)
        quote = answers.get("temoignage")
        if answers.get("consentement_publication") is True and isinstance(quote, str) \
                and quote.strip():
            found.append((name, quote))
    return found
