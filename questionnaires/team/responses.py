"""Team pages: every response of a stage, by participant, by question or as frequencies; the
frequencies across stages."""
from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from questionnaires.engine.definitions import get_definition
from questionnaires.extensions import db
from questionnaires.models import Response
from questionnaires.stages.programme import activity_choices
from questionnaires.engine.answers import scope_of
from questionnaires.impact.figures import Selection
from questionnaires.impact.tallies import free_texts, tallies
from questionnaires.models.values import QUESTIONNAIRES
from questionnaires.team.blueprint import bp
from questionnaires.team.lookup import stage_or_404


@bp.route("/stages/<int:stage_id>/reponses")
def responses(stage_id: int):
    """All answers of the stage; ?vue=question groups them by question instead of by person,
    ?vue=frequences counts each choice question's answers and lists the free texts."""
    stage = stage_or_404(stage_id)
    found = db.session.scalars(
        select(Response).where(Response.stage_id == stage.id, Response.submitted_at.isnot(None))
        .order_by(Response.questionnaire, Response.id)
        .options(selectinload(Response.participant), selectinload(Response.referent))).all()
    entries = []
    for response in found:
        definition = get_definition(response.questionnaire, response.version)
        scope = scope_of(response.questionnaire, response.participant_id)
        questions = definition.section_questions(scope)
        entries.append((response, definition, questions))
    by_question: dict = {}
    for response, definition, questions in entries:
        for question in questions:
            key = (definition.title, definition.version, question.id)
            by_question.setdefault(key, (question, []))[1].append(
                (response, response.answers.get(question.id)))
    view = request.args.get("vue", "participant")
    slots = dict(activity_choices(stage))
    counted = tallies(Selection(stage_id=stage.id), slots) if view == "frequences" else []
    return render_template(
        "team/responses.html", stage=stage, entries=entries, by_question=by_question,
        view=view, slots=slots, tallies=counted,
        texts=free_texts(found) if view == "frequences" else [],
    )


@bp.route("/reponses")
def responses_all():
    """The frequencies of every choice question across stages (filters: year, theme,
    questionnaire)."""
    year = request.args.get("annee", type=int)
    year = year if year and 1900 < year < 3000 else None
    theme = request.args.get("theme") or None
    questionnaire = request.args.get("questionnaire") or None
    if questionnaire not in QUESTIONNAIRES:
        questionnaire = None
    counted = tallies(Selection(year=year, theme=theme), None, questionnaire)
    return render_template("team/responses_all.html", tallies=counted, year=year, theme=theme,
                           questionnaire=questionnaire)
