"""The referent's follow-up questionnaire without HTTP: the link, drafts and submits.

Part A is one response per participant the referent follows in the stage (one "card" each,
`followups.progress`); part B one response per referent and stage.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from questionnaires import tokens
from questionnaires.engine.answers import MULTIPLE, merge, validate_answers
from questionnaires.engine.definitions import get_definition
from questionnaires.extensions import db
from questionnaires.followups.plan import is_expired
from questionnaires.followups.progress import LOST, PURPOSE, QUESTIONNAIRE, responses_by_participant, definition
from questionnaires.followups.settings import Settings
from questionnaires.models import FollowupHandover, FollowupInvitation, Participant, Response

#: What a referent who lost sight of someone can still tell; the observations are dropped
KEPT_WHEN_LOST = ("nouvelles", "commentaire")


@dataclass
class LinkCheck:
    invitation: FollowupInvitation | None
    expired: bool = False


def find_by_token(token: str, now: datetime) -> LinkCheck:
    """The invitation a link opens, and whether it has expired.

    A link made for an address the referent no longer has is dead at once, even before the
    planner remakes it: the old mailbox may belong to someone else now.
    """
    invitation = tokens.find_row(PURPOSE, token, FollowupInvitation.token_hash, _BY_HASH)
    if invitation is None or invitation.email != invitation.referent.email:
        return LinkCheck(None)
    return LinkCheck(invitation, expired=is_expired(invitation, now, Settings.current()))


#: The invitation of a link with its referent and stage, which every page of the link shows;
#: built once (statement construction was a visible part of the page's CPU, bench/README.md)
_BY_HASH = (select(FollowupInvitation)
            .options(joinedload(FollowupInvitation.referent), joinedload(FollowupInvitation.stage))
            .where(FollowupInvitation.token_hash == bindparam("token_hash")))


def label(question, first_name: str) -> str:
    """A question's label with the participant's first name in it."""
    return question.label.replace("{prenom}", first_name)


# Answers --------------------------------------------------------------------------------------

def _draft(invitation: FollowupInvitation, participant: Participant | None) -> Response:
    """The response for one card (or part B), created empty on first use."""
    found = responses_by_participant(invitation).get(participant.id if participant else None)
    if found is not None:
        return found
    response = Response(stage_id=invitation.stage_id, referent_id=invitation.referent_id,
                        participant_id=participant.id if participant else None,
                        questionnaire=QUESTIONNAIRE, version=definition().version, answers={})
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError:  # two tabs saving the first answer at once: keep the other's row
        db.session.rollback()
        response = responses_by_participant(invitation)[participant.id if participant else None]
    return response


def questions(response_or_none, participant) -> list:
    """Part A questions for a participant, part B ones otherwise (in the response's version)."""
    version = response_or_none.version if response_or_none is not None else None
    return get_definition(QUESTIONNAIRE, version).section_questions(
        "participant" if participant is not None else "referent")


def shape_errors(questions_, raw: dict) -> dict:
    """Values of a shape no question takes (a list for a single choice, an object…)."""
    errors = {}
    for question in questions_:
        value = raw.get(question.id)
        if question.type in MULTIPLE:
            ok = value is None or isinstance(value, str) or (
                isinstance(value, list) and all(isinstance(v, str) for v in value))
        else:
            ok = value is None or isinstance(value, (str, int, bool))
        if not ok:
            errors[question.id] = "Réponse illisible : choisissez de nouveau."
    return errors


def save(invitation: FollowupInvitation, participant: Participant | None, raw: dict) -> dict:
    """Keep the valid answers of one card (or part B); returns the errors by question."""
    response = _draft(invitation, participant)
    asked = questions(response, participant)
    errors = shape_errors(asked, raw)
    raw = {k: v for k, v in raw.items() if k not in errors}
    answers, problems = validate_answers(asked, raw, complete=False, known=response.answers)
    errors.update(problems)
    if response.submitted_at is not None:
        # A sent card may be corrected, never emptied of a required answer.
        required = {q.id for q in asked if q.required}
        for question_id, value in list(answers.items()):
            if value is None and question_id in required:
                del answers[question_id]
                errors[question_id] = "Cette question attend une réponse."
    response.answers = merge(response.answers or {}, answers)
    return errors


def missing(response: Response, participant: Participant | None) -> dict:
    """Required answers still missing; someone lost from sight needs only the situation."""
    asked = questions(response, participant)
    answers = response.answers or {}
    _, errors = validate_answers(asked, answers, complete=True, known=answers)
    if participant is not None and answers.get("situation") == LOST:
        errors = {k: v for k, v in errors.items() if k == "situation"}
    return errors


def submit(invitation: FollowupInvitation, participant: Participant | None,
           now: datetime) -> dict:
    """Send one card (or part B) if complete; returns what is missing."""
    response = _draft(invitation, participant)
    errors = missing(response, participant)
    if not errors:
        if response.submitted_at is None:
            response.submitted_at = now
        if participant is not None:
            _undo_handover(invitation, participant)
    return errors


def mark_lost(invitation: FollowupInvitation, participant: Participant, now: datetime) -> None:
    """Quick answer "perdu de vue": the situation only, the rest of the card skipped."""
    response = _draft(invitation, participant)
    kept = {k: v for k, v in (response.answers or {}).items() if k in KEPT_WHEN_LOST}
    response.answers = {**kept, "situation": LOST}
    response.submitted_at = response.submitted_at or now
    _undo_handover(invitation, participant)


def hand_over(invitation: FollowupInvitation, participant: Participant, now: datetime) -> None:
    """Quick answer "je ne suis plus son référent": the team is told, nothing is answered."""
    if not any(h.participant_id == participant.id for h in invitation.handovers):
        invitation.handovers.append(FollowupHandover(participant_id=participant.id,
                                                     declared_at=now))


def _undo_handover(invitation: FollowupInvitation, participant: Participant) -> None:
    for handover in list(invitation.handovers):
        if handover.participant_id == participant.id:
            invitation.handovers.remove(handover)


def undo_handover(invitation: FollowupInvitation, participant: Participant) -> None:
    """The referent pressed "je ne suis plus son référent" by mistake."""
    _undo_handover(invitation, participant)
