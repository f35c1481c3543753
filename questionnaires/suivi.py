"""The referent's follow-up questionnaire without HTTP: the link, the cards, drafts and submits.

Part A is one response per participant the referent follows in the stage (one "card" each);
part B one response per referent and stage. The participants are read live from the data, so
the page always shows who this referent follows now, and nobody else.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .engine import Definition, get_definition, merge, validate_answers
from .extensions import db
from .followups import Settings, followed_by, is_expired
from .models import FollowupHandover, FollowupInvitation, Participant, Response
from . import tokens

QUESTIONNAIRE = "suivi-referent"
PURPOSE = "suivi"
LOST = "perdu_de_vue"
#: What a referent who lost sight of someone can still tell; the observations are dropped
KEPT_WHEN_LOST = ("nouvelles", "commentaire")
MULTIPLE = ("choix_multiples", "activites")


def link_token(invitation: FollowupInvitation) -> str:
    """The token of the referent's personal link."""
    return tokens.make_token(PURPOSE, invitation.nonce)


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


def definition() -> Definition:
    return get_definition(QUESTIONNAIRE)


def label(question, first_name: str) -> str:
    """A question's label with the participant's first name in it."""
    return question.label.replace("{prenom}", first_name)


# Cards ----------------------------------------------------------------------------------------

@dataclass
class Card:
    """One participant on the referent's page, with their part A and the quick answers."""

    participant: Participant
    response: Response | None
    handed_over: bool

    @property
    def submitted(self) -> bool:
        return self.response is not None and self.response.submitted_at is not None

    @property
    def done(self) -> bool:
        return self.submitted or self.handed_over

    @property
    def status(self) -> str:
        """"envoyé", "perdu de vue", "plus son référent", "en cours" or "pas commencé"."""
        if self.handed_over:
            return "plus son référent"
        if self.submitted:
            return "perdu de vue" if self.response.answers.get("situation") == LOST else "envoyé"
        return "en cours" if self.response is not None and self.response.answers else "pas commencé"


_RESPONSES = select(Response).where(
    Response.stage_id == bindparam("stage_id"), Response.referent_id == bindparam("referent_id"),
    Response.questionnaire == QUESTIONNAIRE)


def _responses(invitation: FollowupInvitation) -> dict:
    rows = db.session.scalars(_RESPONSES, {"stage_id": invitation.stage_id,
                                           "referent_id": invitation.referent_id})
    return {r.participant_id: r for r in rows}


def cards(invitation: FollowupInvitation, responses: dict | None = None) -> list[Card]:
    """The referent's participants in this stage, each with their part A.

    `responses` is what _responses gives, when the caller has read it already.
    """
    responses = _responses(invitation) if responses is None else responses
    handed = {h.participant_id for h in invitation.handovers}
    return [Card(p, responses.get(p.id), p.id in handed)
            for p in followed_by(invitation.stage_id, invitation.referent_id)]


def cards_and_part_b(invitation: FollowupInvitation) -> tuple[list[Card], Response | None]:
    """What the referent's page shows, with the responses read once for both."""
    responses = _responses(invitation)
    return cards(invitation, responses), responses.get(None)


def part_b(invitation: FollowupInvitation) -> Response | None:
    return _responses(invitation).get(None)


def all_part_a_done(invitation: FollowupInvitation) -> bool:
    """Whether nothing is left to ask about any participant (reminders stop then)."""
    return all(card.done for card in cards(invitation))


# Answers --------------------------------------------------------------------------------------

def _draft(invitation: FollowupInvitation, participant: Participant | None) -> Response:
    """The response for one card (or part B), created empty on first use."""
    found = _responses(invitation).get(participant.id if participant else None)
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
        response = _responses(invitation)[participant.id if participant else None]
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
