"""One follow-up mail through a dispatch pass: claim it, check it is still needed, send, record.

The claim is a conditional UPDATE committed before anything is sent: of two passes (two
processes) reading the same due row, exactly one gets rowcount 1 and sends. The claim pushes
`next_attempt_at` one lease ahead, so a pass that dies after claiming leaves the row invisible
until the lease ends, then it is retried. Results are recorded only by the pass whose
`claim_token` is still on the row.
"""
from datetime import datetime
from typing import Callable

from flask import current_app, url_for
from sqlalchemy import select, update

from . import mail, suivi
from .extensions import db
from .followups import (
    Outcome, Settings, followed_by, is_expired, link_expires_on, plan_reminders, retry_delay,
)
from .models import FollowupInvitation, FollowupMessage

SUBJECTS = {
    "invitation": "Suivi à 3 mois du stage « {title} »",
    "renvoi": "Suivi à 3 mois du stage « {title} » (nouveau lien)",
    "relance": "Rappel : suivi à 3 mois du stage « {title} »",
}


def claim(message_id: int, now: datetime, token: str, s: Settings) -> bool:
    """Take the message for this pass, committed, or learn that another pass has it."""
    taken = db.session.execute(update(FollowupMessage).where(
        FollowupMessage.id == message_id, FollowupMessage.state == "planned",
        FollowupMessage.next_attempt_at <= now,
    ).values(next_attempt_at=now + s.lease, claimed_at=now, claim_token=token)).rowcount
    db.session.commit()
    return taken == 1


def process(message_id: int, now: datetime, token: str, s: Settings,
            after_claim: Callable[[int], None] | None = None) -> Outcome | None:
    """Claim, check, send and record one message; None when another pass has it."""
    if not claim(message_id, now, token, s):
        return None
    if after_claim is not None:
        after_claim(message_id)
    message = db.session.get(FollowupMessage, message_id)
    invitation = message.invitation
    reason = obsolete(message, now, s)
    if reason:
        _finish(message_id, token, state="cancelled", next_attempt_at=None, last_error=reason)
        db.session.commit()
        return Outcome(message_id, message.kind, invitation.email, "cancelled", reason)
    email = compose(message, now, s)
    try:
        transport = mail.deliver(email, message_id)
    except Exception as error:  # any SMTP or network failure: retried later, logged
        db.session.rollback()
        return _failed(message_id, email, token, now, s, mail.describe(error))
    recorded = _finish(message_id, token, state="sent", sent_at=now, sent_to=email.to,
                       next_attempt_at=None, last_error=None)
    if not recorded:
        # Our lease ran out and another pass took the row: drop the outbox copy, keep the log.
        db.session.rollback()
        current_app.logger.warning("follow-up message %s: claim lost while sending", message_id)
    mail.log_attempt(message_id, email.to, transport, now)
    if recorded and message.kind != "relance":
        first = db.session.execute(update(FollowupInvitation).where(
            FollowupInvitation.id == invitation.id, FollowupInvitation.first_sent_at.is_(None),
        ).values(first_sent_at=now)).rowcount
        if first == 1:
            plan_reminders(invitation, now, s)
    db.session.commit()
    return Outcome(message_id, message.kind, email.to, "sent", transport)


def _finish(message_id: int, token: str, **values) -> bool:
    """Record a result, only if this pass still holds the claim."""
    return db.session.execute(update(FollowupMessage).where(
        FollowupMessage.id == message_id, FollowupMessage.claim_token == token,
    ).values(claim_token=None, **values)).rowcount == 1


def _failed(message_id, email, token, now, s: Settings, error: str) -> Outcome:
    message = db.session.get(FollowupMessage, message_id)
    attempts = message.attempts + 1
    if attempts >= s.max_attempts:
        values = dict(state="failed", next_attempt_at=None)
        result = "failed"
    else:
        values = dict(next_attempt_at=now + retry_delay(attempts, s))
        result = "retry"
    _finish(message_id, token, attempts=attempts, last_error=error, **values)
    mail.log_attempt(message_id, email.to, "smtp", now, error)
    db.session.commit()
    return Outcome(message_id, message.kind, email.to, result, error)


def obsolete(message: FollowupMessage, now: datetime, s: Settings) -> str | None:
    """Why a message should not go any more, in the team's words; None if it should."""
    invitation = message.invitation
    if not followed_by(invitation.stage_id, invitation.referent_id):
        return "Plus aucun·e participant·e à suivre pour ce·tte référent·e."
    if message.kind != "relance":
        return None
    if suivi.all_part_a_done(invitation):
        return "Déjà répondu : relance inutile."
    if invitation.reminders_paused_at is not None:
        return "Relances suspendues par l'équipe."
    if is_expired(invitation, now, s):
        return "Lien expiré : relance inutile."
    later = db.session.scalar(select(FollowupMessage.id).where(
        FollowupMessage.invitation_id == invitation.id, FollowupMessage.kind == "relance",
        FollowupMessage.sequence > message.sequence, FollowupMessage.due_at <= now).limit(1))
    if later is not None:
        return "Remplacée par la relance suivante (rattrapage après une interruption)."
    return None


def french_list(words: list[str]) -> str:
    """"Alex, Sam et Inès"."""
    return " et ".join(filter(None, [", ".join(words[:-1]), words[-1] if words else ""]))


def link_url(invitation: FollowupInvitation) -> str:
    """The referent's personal link, on PUBLIC_URL (a pass runs outside any request)."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for("referent.page", token=suivi.link_token(invitation), _external=True)


def compose(message: FollowupMessage, now: datetime, s: Settings) -> mail.Email:
    """The mail for one message: the stage, the participants' first names, the link, the deadline."""
    invitation = message.invitation
    stage = invitation.stage
    kind = "relance" if message.kind == "relance" else "invitation"
    if kind == "relance":  # a reminder names only those still waiting for an answer
        names = [card.participant.first_name for card in suivi.cards(invitation) if not card.done]
    else:
        names = [p.first_name for p in followed_by(invitation.stage_id, invitation.referent_id)]
    return mail.render(
        f"suivi_{kind}", invitation.email, SUBJECTS[message.kind].format(title=stage.title),
        referent=invitation.referent, stage=stage, first_names=names, names=french_list(names),
        link=link_url(invitation),
        deadline=link_expires_on(invitation, s, now), resend=message.kind == "renvoi",
        contact=mail.reply_to(),
    )
