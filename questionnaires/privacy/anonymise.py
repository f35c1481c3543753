"""Data protection: anonymise a participant or a referent, and the retention purge.

Anonymising keeps every row and every coded fact the impact table reads (gender, QPV, status,
attendance, coded answers, the referent and hence the structure) and removes what identifies
a person: names, town, e-mail, free texts, the personal link. The birth date is replaced by a
synthetic one that gives the same age at the stage's first day, so age figures do not move.
Nothing here commits: the caller does, once per request or per purge.

Each action is one function (`anonymise_participant`, `anonymise_referent`, `purge_expired`)
so that the audit log can record it in one place.
"""
import re
from datetime import date, datetime

from markupsafe import escape
from sqlalchemy import delete, or_, select, update

from questionnaires.clock import add_months, age_on
from questionnaires.engine import store
from questionnaires.engine.definitions import get_definition
from questionnaires.extensions import db
from questionnaires.models import (
    AttendanceCall,
    Erasure,
    FollowupInvitation,
    FollowupMessage,
    MailAttempt,
    OutboxMail,
    Participant,
    Referent,
    Response,
    ScheduledMail,
    StageText,
)
from questionnaires.models.recruitment import Candidate
from questionnaires.models.response import FACTS
from questionnaires.recruitment.retention import erase_candidate, forget_referent
from questionnaires.tokens import new_salt

FREE_TEXT_TYPES = {"texte_court", "texte_long"}
#: What replaces a name found inside a text that is kept (another person's answer, a mail)
REDACTED = "[nom effacé]"
ANONYMOUS_DOMAIN = "anonyme.invalid"


def anonymous_name(participant_id: int) -> str:
    return f"Personne anonymisée {participant_id}"


def anonymous_referent(referent_id: int) -> tuple[str, str]:
    """Name and e-mail of an anonymised referent (unique, and a valid lowercase address)."""
    return f"Référent·e anonymisé·e {referent_id}", f"anonyme-{referent_id}@{ANONYMOUS_DOMAIN}"


def synthetic_birth_date(born: date | None, stage_start: date) -> date | None:
    """A birth date giving the same whole-years age on `stage_start` as `born` did."""
    age = age_on(born, stage_start)
    if age is None:
        return None
    # add_months clamps 29 February to the 28th: born on the 28th, one is `age` on the 29th.
    return add_months(stage_start, -12 * age)


def free_text_ids(response: Response) -> set[str] | None:
    """Ids of the free-text questions of the response's questionnaire (None: unknown version)."""
    definition = get_definition(response.questionnaire, response.version)
    if definition is None:
        return None
    return {q.id for q in definition.section_questions() if q.type in FREE_TEXT_TYPES}


def without_free_texts(response: Response) -> dict:
    """The answers minus every free text; with an unknown definition, only the coded facts."""
    return without_free_texts_of(response, response.answers)


def without_free_texts_of(response: Response, answers: dict) -> dict:
    """`answers` of the response minus every free text (only the coded facts if unknown)."""
    texts = free_text_ids(response)
    if texts is None:
        return {k: v for k, v in answers.items() if k in FACTS}
    return {k: v for k, v in answers.items() if k not in texts}


def redact(text: str | None, names: list[str]) -> str | None:
    """`text` with every whole-word occurrence of `names` replaced (case-insensitive).

    A hyphen binds words: erasing "Marie" leaves "Anne-Marie" alone (another person). Case is
    ignored on purpose, since names are often typed in lower case: a first name that is also a
    word ("Aimé", "aimé") is erased as a word too. Over-erasing a kept text is the lesser harm
    than leaving the name of someone who asked to be erased.
    """
    if not text:
        return text
    for name in names:
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", REDACTED, text,
                      flags=re.IGNORECASE)
    return text


def _redact_answers(response: Response, names: list[str]) -> None:
    texts = free_text_ids(response) or set()
    store.change_answers(response, lambda stored: {
        k: redact(v, names) if k in texts and isinstance(v, str) else v
        for k, v in stored.items()})


def _names(participant: Participant) -> list[str]:
    """The strings that identify the person inside texts, longest first."""
    parts = {participant.first_name.strip(), (participant.last_name or "").strip(),
             participant.display_name.strip()}
    return sorted((p for p in parts if len(p) >= 2), key=len, reverse=True)


def register_erasure(kind: str, subject_id: int, now: datetime) -> None:
    """A line of the erasure register (ids and time only), once per person and kind; a backup
    restore applies the register again (privacy/erasures.py). The caller commits."""
    known = db.session.scalar(select(Erasure.id).where(Erasure.kind == kind,
                                                       Erasure.subject_id == subject_id))
    if known is None:
        db.session.add(Erasure(kind=kind, subject_id=subject_id, at=now))


def erase_candidate_registered(candidate: Candidate, now: datetime) -> None:
    """A candidate erased (recruitment/retention.py), in the erasure register too, so that a
    backup restore does not bring their proposal back. The caller commits."""
    erase_candidate(candidate, now)
    register_erasure("candidate", candidate.id, now)


def _outbox(where):
    """The local outbox copies of follow-up mails whose invitation matches `where`."""
    return db.session.scalars(
        select(OutboxMail).join(FollowupMessage, FollowupMessage.id == OutboxMail.message_id)
        .join(FollowupInvitation, FollowupInvitation.id == FollowupMessage.invitation_id)
        .where(where)).all()


def anonymise_participant(participant: Participant, now: datetime) -> bool:
    """Anonymise one participant; False if it already was (nothing changes then)."""
    if participant.anonymised_at is not None:
        return False
    names = _names(participant)
    participant.birth_date = synthetic_birth_date(participant.birth_date,
                                                  participant.stage.start_date)
    participant.first_name = anonymous_name(participant.id)
    participant.last_name = None
    participant.city = None
    participant.phone = participant.email = None
    # The week: the team's notes of calls are free text; the evening messages hold the name
    # and address (their outbox copies and delivery-log lines go with them).
    db.session.execute(update(AttendanceCall).where(
        AttendanceCall.participant_id == participant.id).values(note=None))
    db.session.execute(delete(ScheduledMail).where(
        ScheduledMail.participant_id == participant.id))
    # The recruitment: the proposal that made this participant names them too
    for candidate in db.session.scalars(select(Candidate).where(
            Candidate.participant_id == participant.id, Candidate.anonymised_at.is_(None))):
        erase_candidate_registered(candidate, now)
    participant.bilan_link_salt = new_salt()  # the personal link (and any open session) dies
    participant.anonymised_at = now
    register_erasure("participant", participant.id, now)
    responses = db.session.scalars(select(Response).where(
        Response.stage_id == participant.stage_id)).all()
    for response in responses:
        if response.participant_id == participant.id:
            cleaned = without_free_texts(response)
            if cleaned != response.answers:
                store.change_answers(response, lambda stored: without_free_texts_of(
                    response, stored))
        else:  # the team's notes of the group's words, other people's texts: keep, minus the name
            _redact_answers(response, names)
    # The team's texts of the stage's report may name the person too
    for text in db.session.scalars(select(StageText).where(
            StageText.stage_id == participant.stage_id)):
        cleaned = redact(text.body, names)
        if cleaned != text.body:
            text.body = cleaned
    for mail in _outbox(FollowupInvitation.stage_id == participant.stage_id):
        mail.subject = redact(mail.subject, names)
        mail.body_text = redact(mail.body_text, names)
        # In HTML a name may be escaped ("N&#39;Diaye"): look for both spellings.
        mail.body_html = redact(mail.body_html, names + [str(escape(n)) for n in names])
    return True


def anonymise_referent(referent: Referent, now: datetime) -> bool:
    """Replace a referent's name and e-mail everywhere; False if already done.

    The structure stays (the impact table counts distinct structures). The follow-up links
    die, and the local outbox copies of their mails go: they hold the address and the link.
    """
    if referent.anonymised_at is not None:
        return False
    old = [referent.name, referent.email]
    referent.name, referent.email = anonymous_referent(referent.id)
    referent.phone = None
    referent.anonymised_at = now
    register_erasure("referent", referent.id, now)
    invitations = db.session.scalars(select(FollowupInvitation).where(
        FollowupInvitation.referent_id == referent.id)).all()
    for invitation in invitations:
        invitation.email = referent.email
        invitation.link_salt = new_salt()
        for message in invitation.messages:
            message.sent_to = referent.email if message.sent_to else None
            message.last_error = redact(message.last_error, old)
    message_ids = [m.id for i in invitations for m in i.messages]
    if message_ids:
        for attempt in db.session.scalars(select(MailAttempt).where(
                MailAttempt.message_id.in_(message_ids))):
            attempt.to_address = referent.email
            attempt.error = redact(attempt.error, old)
    for mail in _outbox(FollowupInvitation.referent_id == referent.id):
        db.session.delete(mail)
    forget_referent(referent.id, old[1], now)  # what recruitment holds of them
    for response in db.session.scalars(select(Response).where(or_(
            Response.referent_id == referent.id, Response.assisted_by_id == referent.id))):
        _redact_answers(response, old)
    return True
