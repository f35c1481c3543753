"""The tables a stage exports: participants and every response, with labels, not codes."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from questionnaires import clock
from questionnaires.participant.bilan import status as bilan_status
from questionnaires.clock import age_on
from questionnaires.engine.definitions import get_definition
from questionnaires.extensions import db
from questionnaires.models import Participant, Referent, Response, Stage, values
from questionnaires.stages.programme import activity_choices

PARTICIPANT_HEADER = ["Prénom", "Nom", "Date de naissance", "Âge au début du stage", "Genre",
                      "Ville", "Téléphone", "E-mail", "QPV", "Statut", "Convention PMSMP",
                      "Référent·e", "E-mail du référent·e", "Structure", "Bilan individuel"]


def participant_table(stage: Stage) -> tuple[list[str], list[list]]:
    """One line per participant (withdrawn ones included, with their status)."""
    people = db.session.scalars(
        select(Participant).where(Participant.stage_id == stage.id).order_by(Participant.id)
        .options(selectinload(Participant.referent).selectinload(Referent.structure))).all()
    bilans = {r.participant_id: r for r in db.session.scalars(select(Response).where(
        Response.stage_id == stage.id, Response.questionnaire == "bilan-individuel"))}
    rows = [[p.first_name, p.last_name, p.birth_date, age_on(p.birth_date, stage.start_date),
             values.GENDERS[p.gender], p.city, p.phone, p.email, values.QPV[p.qpv],
             values.PARTICIPANT_STATUSES[p.status], values.PMSMP[p.pmsmp],
             p.referent.name if p.referent else None, p.referent.email if p.referent else None,
             p.referent.structure.name if p.referent else None, bilan_status(bilans.get(p.id))]
            for p in people]
    return PARTICIPANT_HEADER, rows


def answer_text(question, value, slots: dict):
    """An answer as people read it: the choice's label, the slot's title, oui/non."""
    if value is None:
        return None
    if question.type in ("echelle4", "oui_non_nsp", "choix"):
        labels = {str(c.value): c.label for c in question.fixed_choices()}
        return labels.get(str(value), str(value))
    if question.type == "choix_multiples":
        labels = {c.value: c.label for c in question.choices}
        return [labels.get(v, v) for v in value]
    if question.type == "activites":
        return [slots.get(v, v) for v in value]
    if question.type == "consentement":
        return "oui" if value else "non"
    return value


def response_table(stage: Stage) -> tuple[list[str], list[list]]:
    """One line per response; one column per question of each questionnaire version used."""
    responses = db.session.scalars(
        select(Response).where(Response.stage_id == stage.id).order_by(Response.questionnaire, Response.id)
        .options(selectinload(Response.participant), selectinload(Response.referent))).all()
    slots = dict(activity_choices(stage))
    columns: list[tuple[str, int, object]] = []
    for questionnaire, version in sorted({(r.questionnaire, r.version) for r in responses}):
        definition = get_definition(questionnaire, version)
        for question in definition.section_questions():
            columns.append((questionnaire, version, question))
    header = ["Questionnaire", "Version", "Participant·e", "Référent·e", "État", "Envoyé le"]
    header += [f"{q}·v{v} · {question.id} — {question.neutral_label}" for q, v, question in columns]
    rows = []
    for response in responses:
        line = [response.questionnaire, response.version,
                response.participant.first_name if response.participant else None,
                response.referent.name if response.referent else None,
                "envoyé" if response.submitted_at else "brouillon",
                local_naive(response.submitted_at)]
        for questionnaire, version, question in columns:
            same = (questionnaire, version) == (response.questionnaire, response.version)
            line.append(answer_text(question, response.answers.get(question.id), slots)
                        if same else None)
        rows.append(line)
    return header, rows


def local_naive(moment: datetime | None) -> datetime | None:
    """An aware moment as the association's local time without zone: what a spreadsheet
    date cell holds (and what the CSV writes as JJ/MM/AAAA HH:MM)."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).replace(tzinfo=None)


def export_name(stage: Stage, what: str, extension: str) -> str:
    """"stage-1-2021-11-22-participants.csv"."""
    return f"stage-{stage.id}-{stage.start_date.isoformat()}-{what}.{extension}"


def today_name(what: str, extension: str) -> str:
    return f"{what}-{clock.today().isoformat()}.{extension}"
