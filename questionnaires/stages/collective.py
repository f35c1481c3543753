"""A stage's collective bilan, filled by the team at the end-of-stage group session.

One response per stage, without participant. The team saves a draft, then validates it; the
page posts every question at once, and a save writes the questions changed on that page.
"""
import json
from datetime import datetime

from sqlalchemy import select

from questionnaires.engine import store
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


def draft_for(stage: Stage, definition: Definition) -> Response:
    """The stage's collective bilan, created empty on first save.

    Two colleagues saving the first time at once may both try to create it: the unique index
    keeps one, and the loser reads the winner's row (committed at once for that reason).
    """
    return store.create_or_read(
        Response(stage=stage, questionnaire=definition.id, version=definition.version,
                 answers={}),
        lambda: response_of(stage))


def seen_answers(posted) -> dict | None:
    """The answers the page showed when it was opened (its hidden field), None if unreadable."""
    if not isinstance(posted, str) or len(posted) > SEEN_MAX_LENGTH:
        return None
    try:
        seen = json.loads(posted)
    except ValueError:
        return None
    return seen if isinstance(seen, dict) else None


#: The hidden field of the answers shown is small (a few short texts); anything longer is refused
SEEN_MAX_LENGTH = 200_000


def save(stage: Stage, response: Response | None, raw: dict, activity_keys, *, final: bool,
         now: datetime, seen: dict | None = None) -> tuple[Response | None, dict]:
    """Keep the posted answers if they are all valid; returns (the response, errors by question).

    The page posts every question; only those the person changed since the page showed `seen`
    are written, merged per question into the answers as stored now (engine/store.py): two
    colleagues filling in different questions at once both keep theirs. Without `seen` (an
    unreadable page) every question is written as posted. A draft may leave required questions
    empty; a `final` save needs them all and marks the bilan validated (at `now`, the first
    time only). With any error nothing changes and the response is returned as it was (None if
    the bilan was not started). The caller commits.
    """
    definition = definition_of(response, stage)
    questions = definition.section_questions()
    answers, errors = validate_answers(questions, raw, activity_keys, complete=final)
    if errors:
        return response, errors
    posted = {q.id: answers.get(q.id) for q in questions}
    if seen is not None:
        posted = {key: value for key, value in posted.items() if value != seen.get(key)}
    if response is None:
        response = draft_for(stage, definition)
    store.change_answers(response, lambda stored: merge(stored, posted))
    if final and response.submitted_at is None:
        response.submitted_at = now
    return response, {}
