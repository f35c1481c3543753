"""The rules of a participant's individual bilan, without HTTP: link validity, draft, submit."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import contains_eager

from questionnaires.engine.definitions import Definition, get_definition
from questionnaires.engine import store
from questionnaires.engine.answers import merge, validate_answers
from questionnaires.extensions import db
from questionnaires.models import Participant, Response, Stage
from questionnaires.clock import utcnow
from questionnaires.stages.programme import activity_choices
from questionnaires.stages.variants import stage_definition
from questionnaires import tokens

QUESTIONNAIRE = "bilan-individuel"
PURPOSE = "bilan"


#: Where a bilan link opens (the participant blueprint's `open_link` route; a test checks it)
LINK_PATH = "/b/{token}"


def link_token(participant: Participant) -> str:
    """The token of the participant's personal link."""
    return tokens.make_token(PURPOSE, participant.bilan_link_salt)


def link_url(participant: Participant, public_url: str) -> str:
    """The participant's personal link on the service's public address (PUBLIC_URL)."""
    return public_url.rstrip("/") + LINK_PATH.format(token=link_token(participant))


#: Purpose of the keeper token (tokens.make_token): whose answers a tablet keeps offline
KEEPER = "reponses-gardees"


def keeper_token(participant: Participant) -> str:
    """What a tablet writes beside answers it keeps offline: whose they are, signed.

    Any later session on that tablet sends them with it (`find_by_keeper`), even if this
    participant never comes back to it. It only lets answers in, never read anything, and it
    names the participant by id, so a link made anew meanwhile does not orphan them.
    """
    return f"{participant.id}-{tokens.make_token(KEEPER, str(participant.id))}"


def find_by_keeper(token) -> Participant | None:
    """The participant a keeper token names, if it is genuine (and they were not erased)."""
    if not isinstance(token, str) or len(token) > tokens.MAX_TOKEN_LENGTH or "-" not in token:
        return None
    number, _, signature = token.partition("-")
    if not (number.isascii() and number.isdigit() and len(number) <= 12 and signature.isascii()) \
            or not tokens.confirms(KEEPER, signature, number):
        return None
    participant = db.session.get(Participant, int(number))
    return participant if participant is not None and participant.anonymised_at is None else None


def link_days() -> int:
    """How many days a bilan link works after the stage (BILAN_LINK_DAYS, config.py)."""
    return current_app.config["BILAN_LINK_DAYS"]


def link_expires_on(participant: Participant, days: int) -> date:
    """Last day the link works: `days` after the stage, or after the link was remade."""
    start = participant.stage.end_date
    if participant.bilan_link_at is not None:
        start = max(start, participant.bilan_link_at.date())
    return start + timedelta(days=days)


def renew_link(participant: Participant, now: datetime | None = None) -> None:
    """A new link for the participant; the old one stops working at once."""
    participant.bilan_link_salt = tokens.new_salt()  # the model's validator remakes the hash
    participant.bilan_link_at = now or utcnow()


@dataclass
class LinkCheck:
    participant: Participant | None
    expired: bool = False


def find_by_token(token: str, today: date, days: int) -> LinkCheck:
    """The participant a link opens, and whether it has expired."""
    participant = tokens.find_row(PURPOSE, token, Participant.bilan_token_hash)
    if participant is None:
        return LinkCheck(None)
    return LinkCheck(participant, expired=today > link_expires_on(participant, days))


def find_by_salt(salt: str | None) -> Participant | None:
    """The participant of a tablet session (the salt is kept in the signed session cookie)."""
    if not isinstance(salt, str) or not salt:
        return None
    return db.session.scalar(select(Participant).where(Participant.bilan_link_salt == salt))


def session_rows(salt: str | None) -> tuple[Participant | None, Response | None]:
    """The participant of a tablet session with their stage and bilan, in one query.

    Every tablet request needs the three; read one by one they were three ORM round trips,
    a good part of the section page's and the autosave's CPU (bench/README.md).
    """
    if not isinstance(salt, str) or not salt:
        return None, None
    row = db.session.execute(_SESSION_ROWS, {"salt": salt}).first()
    return (row[0], row[1]) if row is not None else (None, None)


#: Built once: constructing the statement cost as much as a third of running it
_SESSION_ROWS = (
    select(Participant, Response)
    .join(Participant.stage).options(contains_eager(Participant.stage))
    .outerjoin(Response, and_(Response.participant_id == Participant.id,
                              Response.questionnaire == QUESTIONNAIRE))
    .where(Participant.bilan_link_salt == bindparam("salt")))


def response_of(participant: Participant) -> Response | None:
    return db.session.scalar(select(Response).where(
        Response.participant_id == participant.id, Response.questionnaire == QUESTIONNAIRE))


def draft_for(participant: Participant) -> Response:
    """The participant's bilan, created as an empty draft on first use.

    Two tabs opening at once may both try to create it: the unique index keeps one, and the
    loser reads the winner's row.
    """
    response = response_of(participant)
    if response is not None:
        return response
    # A new bilan follows the version the stage chose (stages/variants.py)
    definition = stage_definition(participant.stage_id, QUESTIONNAIRE)
    return store.create_or_read(
        Response(stage_id=participant.stage_id, participant=participant,
                 questionnaire=QUESTIONNAIRE, version=definition.version, answers={}),
        lambda: response_of(participant))


def definition_of(response: Response) -> Definition:
    """The definition the response was started with (an older version stays readable)."""
    return get_definition(response.questionnaire, response.version)


def save_answers(response: Response, raw: dict, questions=None, complete=False,
                 activity_keys=None, definition: Definition | None = None) -> dict:
    """Validate `raw` answers and merge the valid ones into the response; returns the errors.

    The merge is per question and atomic in the database (engine/store.py): another device
    saving other questions of the same bilan at the same moment keeps its answers. A caller
    that already holds the stage's activity keys or the definition passes them, to spare a
    query (the autosave runs every few seconds per tablet). Nothing is written when nothing
    changes. The caller commits.
    """
    definition = definition or definition_of(response)
    questions = questions if questions is not None else definition.section_questions()
    keys = activity_keys
    if keys is None:
        # The stage's programme only matters to an "activites" answer, which few posts carry.
        asks_activities = any(q.type == "activites" and q.id in raw for q in questions)
        stage: Stage = response.stage
        keys = [key for key, _ in activity_choices(stage)] if asks_activities else []
    errors: dict = {}

    def change(stored: dict) -> dict:
        answers, found = checked_answers(stored, raw, questions, keys, definition,
                                         sent=response.submitted_at is not None,
                                         complete=complete)
        errors.clear()
        errors.update(found)
        return merge(stored, answers)

    store.change_answers(response, change)
    return errors


def checked_answers(stored: dict, raw: dict, questions, activity_keys, definition: Definition,
                    *, sent: bool, complete: bool = False) -> tuple[dict, dict]:
    """(the valid answers of `raw`, given those `stored`; errors by question)."""
    answers, errors = validate_answers(questions, raw, activity_keys, complete=complete,
                                       known=stored)
    if sent:
        # A sent bilan may be corrected, never emptied of a required answer.
        for question_id, value in list(answers.items()):
            if value is None and definition.questions[question_id].required:
                del answers[question_id]
                errors[question_id] = "Cette question attend une réponse."
    return answers, errors


def autosave(response: Response, raw: dict, definition: Definition) -> dict:
    """The autosave: keep the valid answers of `raw`; returns the errors.

    The most frequent write of the service (every few seconds per tablet): through the store's
    one conditional UPDATE (SQLAlchemy Core, no unit of work), starting from the row the
    request already read. The caller commits.
    """
    return save_answers(response, raw, definition=definition)


def missing_in(response: Response, questions, activity_keys) -> dict:
    """Required answers of `questions` (one section) the bilan still lacks, by question."""
    answers = response.answers or {}
    _, errors = validate_answers(questions, answers, activity_keys, complete=True, known=answers)
    return errors


def answers_waiting(response: Response, now: datetime) -> None:
    """A tablet holds answers of this bilan it cannot send (the bilans are locked)."""
    if response.waiting_on_tablet_since is None:
        response.waiting_on_tablet_since = now


def answers_arrived(response: Response) -> None:
    """Answers came in: no tablet is known to hold any more."""
    if response.waiting_on_tablet_since is not None:
        response.waiting_on_tablet_since = None


def submit(response: Response, now: datetime | None = None) -> dict:
    """Check the whole bilan; if complete, mark it sent (once: a second submit changes nothing)."""
    definition = definition_of(response)
    keys = [key for key, _ in activity_choices(response.stage)]
    _, errors = validate_answers(definition.section_questions(), response.answers or {}, keys,
                                 complete=True, known=response.answers)
    if not errors and response.submitted_at is None:
        response.submitted_at = now or utcnow()
    return errors


def status(response: Response | None) -> str:
    """The team's view: "pas commencé", "en cours" or "envoyé"."""
    if response is None or (not response.answers and response.submitted_at is None):
        return "pas commencé"
    return "envoyé" if response.submitted_at else "en cours"
