"""A stage's collective bilan, filled by the team at the end-of-stage group session.

One response per stage, without participant. The team saves a draft, then validates it; the
page posts every question at once, so a save replaces the stored answers.
"""
from datetime import datetime

from sqlalchemy import select

from questionnaires.engine.answers import merge, validate_answers
from questionnaires.engine.definitions import Definition, get_definition
from questionnaires.stages.variants import stage_definition
from questionnaires.extensions import db
from questionnaires.models import Response, Stage

QUESTIONNAIRE = "bilan-collectif"


def response_of(stage: Stage) -> Response | None:
    """The stage's collective bilan, once started."""
    return db.session.scalar(select(Response).where(
        Response.stage_id == stage.id, Response.questionnaire == QUESTIONNAIRE))


def definition_of(response: Response | None, stage: Stage | None = None) -> Definition:
    """The definition the bilan was started with (an older version stays readable), or, for a
    bilan not started yet, the stage's chosen version (the latest without a stage)."""
    if response is not None:
        return get_definition(QUESTIONNAIRE, response.version)
    if stage is not None:
        return stage_definition(stage.id, QUESTIONNAIRE)
    return get_definition(QUESTIONNAIRE)


def save(stage: Stage, response: Response | None, raw: dict, activity_keys, *, final: bool,
         now: datetime) -> tuple[Response | None, dict]:
    """Keep the posted answers if they are all valid; returns (the response, errors by question).

    A draft may leave required questions empty; a `final` save needs them all and marks the
    bilan validated (at `now`, the first time only). With any error nothing changes and the
    response is returned as it was (None if the bilan was not started). The caller commits.
    """
    definition = definition_of(response, stage)
    answers, errors = validate_answers(definition.section_questions(), raw, activity_keys,
                                       complete=final)
    if errors:
        return response, errors
    if response is None:
        response = Response(stage=stage, questionnaire=definition.id, version=definition.version,
                            answers={})
        db.session.add(response)
    response.answers = merge({}, answers)
    if final and response.submitted_at is None:
        response.submitted_at = now
    return response, {}
