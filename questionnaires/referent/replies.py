"""The referent's follow-up questionnaire without HTTP: the link, drafts and submits.

Part A is one response per participant the referent follows in the stage (one "card" each,
`followups.progress`); part B one response per referent and stage.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from questionnaires import tokens
from questionnaires.engine import store
from questionnaires.engine.answers import MULTIPLE, merge, validate_answers
from questionnaires.engine.definitions import get_definition
from questionnaires.followups.plan import is_expired
from questionnaires.followups.progress import LOST, PURPOSE, QUESTIONNAIRE, responses_by_participant
from questionnaires.followups.settings import Settings
from questionnaires.models import FollowupHandover, FollowupInvitation, Participant, Response
from questionnaires.stages.variants import stage_version

#: What a referent who lost sight of someone can still tell; the observations are dropped
#: (and hidden on the page as soon as "perdu de vue" is chosen)
KEPT_WHEN_LOST = ("nouvelles", "commentaire")
#: The question the page asks first about someone: choosing a situation answers "des nouvelles ?"
#: as well (oui; non for "perdu de vue"), which the referent may still change
FIRST = "situation"
#: Purpose of the signed list of the people a page showed (tokens.make_token)
SHOWN = "suivi-cartes"


@dataclass
class LinkCheck:
    invitation: FollowupInvitation | None
    expired: bool = False


def find_by_token(token: str, now: datetime) -> LinkCheck:
    """The invitation a link opens, and whether it has expired.

    A link made for an address the referent no longer has is dead at once, even before the
    planner remakes it: the old mailbox may belong to someone else now. A link never sent opens
    nothing: it lives from its first send, for FOLLOWUP_LINK_DAYS (so an invitation planned but
    never sent keeps no live link in a database or a backup).
    """
    invitation = tokens.find_row(PURPOSE, token, FollowupInvitation.token_hash, _BY_HASH)
    if invitation is None or invitation.first_sent_at is None \
            or invitation.email != invitation.referent.email:
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
    key = participant.id if participant else None
    # Two tabs saving the first answer at once: the other's row is kept (engine/store.py)
    return store.create_or_read(
        Response(stage_id=invitation.stage_id, referent_id=invitation.referent_id,
                 participant_id=key, questionnaire=QUESTIONNAIRE,
                 version=stage_version(invitation.stage_id, QUESTIONNAIRE), answers={}),
        lambda: responses_by_participant(invitation)[key])


def questions(response_or_none, participant, stage_id: int | None = None) -> list:
    """Part A questions for a participant, part B ones otherwise: in the response's version,
    else in the version the stage chose (`stage_id`, or the participant's stage)."""
    if response_or_none is not None:
        version = response_or_none.version
    else:
        stage = stage_id if stage_id is not None else getattr(participant, "stage_id", None)
        version = stage_version(stage, QUESTIONNAIRE) if stage is not None else None
    return get_definition(QUESTIONNAIRE, version).section_questions(
        "participant" if participant is not None else "referent")


def on_page(questions_) -> list:
    """Part A in the page's order: the situation (and what depends on it) first."""
    first = [q for q in questions_ if q.id == FIRST or (q.shown_if and q.shown_if[0] == FIRST)]
    return first + [q for q in questions_ if q not in first]


def hidden_when_lost(question) -> bool:
    """Whether the page hides a part A question once the person is "perdu de vue"."""
    return question.id not in KEPT_WHEN_LOST and question.id != FIRST


def shown_token(invitation: FollowupInvitation, participant_ids) -> str:
    """The people a page shows, signed: "12.15~<token>".

    Sent back with every save, it tells a person the team moved to another referent while the
    page was open (in the list, no longer followed: that card is skipped, the rest is saved)
    from an id the page never showed (tampering: the whole request is refused).
    """
    ids = ".".join(str(i) for i in sorted(participant_ids))
    return f"{ids}~{tokens.make_token(SHOWN, f'{invitation.id}:{ids}')}"


def shown_ids(invitation: FollowupInvitation, value) -> set[str]:
    """The participant ids a genuine `shown_token` names (none for anything else)."""
    if not isinstance(value, str) or len(value) > 2000 or "~" not in value or not value.isascii():
        return set()
    ids, _, signature = value.rpartition("~")
    if not tokens.confirms(SHOWN, signature, f"{invitation.id}:{ids}"):
        return set()
    return set(ids.split(".")) if ids else set()


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
    shape = shape_errors(asked, raw)
    raw = {k: v for k, v in raw.items() if k not in shape}
    required = {q.id for q in asked if q.required}
    errors: dict = {}

    def change(stored: dict) -> dict:
        # Checked against the answers as stored now (the store may call it again after
        # another device's save): conditions then follow what is really kept.
        answers, problems = validate_answers(asked, raw, complete=False, known=stored)
        errors.clear()
        errors.update(shape)
        errors.update(problems)
        if response.submitted_at is not None:
            # A sent card may be corrected, never emptied of a required answer.
            for question_id, value in list(answers.items()):
                if value is None and question_id in required:
                    del answers[question_id]
                    errors[question_id] = "Cette question attend une réponse."
        merged = merge(stored, answers)
        if participant is not None and merged.get(FIRST) == LOST:
            # "Perdu de vue": the observations are no longer asked, and stale ones must not
            # count.
            merged = {k: v for k, v in merged.items()
                      if not any(q.id == k and hidden_when_lost(q) for q in asked)}
        return merged

    store.change_answers(response, change)
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
    store.change_answers(response, lambda stored: {
        **{k: v for k, v in stored.items() if k in KEPT_WHEN_LOST}, "situation": LOST})
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
