"""The dispatch pass: claim each due follow-up mail, check it is still needed, send, record.

The claim is a conditional UPDATE committed before anything is sent: of two passes (two
processes) reading the same due row, exactly one gets rowcount 1 and sends. The claim pushes
`next_attempt_at` one lease ahead, so a pass that dies after claiming leaves the row invisible
until the lease ends, then it is retried. Results are recorded only by the pass whose
`claim_token` is still on the row. Everything takes `now`, so `--now` and tests move the clock.
"""
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask import current_app
from sqlalchemy import select, update

from questionnaires.extensions import db
from questionnaires import mail
from questionnaires.followups.messages import compose
from questionnaires.followups.plan import (
    followed_by, is_expired, plan_recent, plan_reminders, retry_delay,
)
from questionnaires.followups.progress import all_part_a_done
from questionnaires.followups.settings import Settings
from questionnaires.models import FollowupInvitation, FollowupMessage


# The dispatch pass ----------------------------------------------------------------------------

@dataclass
class Outcome:
    """What one pass did with one message."""

    message_id: int
    kind: str
    to: str
    result: str  # sent, retry, failed, cancelled
    detail: str = ""


def dispatch_due(now: datetime, after_claim: Callable[[int], None] | None = None) -> list[Outcome]:
    """One pass: plan recent stages, then claim, send and record every message due at `now`.

    `after_claim` is called between the claim and the send (tests use it to crash there).
    """
    s = Settings.current()
    plan_recent(now, s)
    token = secrets.token_hex(8)
    seen: set[int] = set()
    outcomes: list[Outcome] = []
    while True:
        # Only planned rows have a next attempt: this reads the due rows through their index.
        ids = [i for i in db.session.scalars(
            select(FollowupMessage.id).where(FollowupMessage.next_attempt_at <= now)
            .order_by(FollowupMessage.next_attempt_at, FollowupMessage.id).limit(200))
            if i not in seen]
        db.session.commit()
        if not ids:
            return outcomes
        for message_id in ids:
            seen.add(message_id)
            outcome = process(message_id, now, token, s, after_claim)
            if outcome is not None:
                outcomes.append(outcome)


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
    address = invitation.email
    try:
        # Writing the mail is inside too: a stored title or address it cannot hold must end
        # as a failure the team can read on the follow-up page, not stop the pass.
        email = compose(message, now, s)
        transport = mail.deliver(email, message_id)
    except Exception as error:  # writing, SMTP or network failure: retried later, logged
        db.session.rollback()
        return _failed(message_id, address, token, now, s, mail.describe(error))
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


def _failed(message_id, to: str, token, now, s: Settings, error: str) -> Outcome:
    message = db.session.get(FollowupMessage, message_id)
    attempts = message.attempts + 1
    if attempts >= s.max_attempts:
        values = dict(state="failed", next_attempt_at=None)
        result = "failed"
    else:
        values = dict(next_attempt_at=now + retry_delay(attempts, s))
        result = "retry"
    _finish(message_id, token, attempts=attempts, last_error=error, **values)
    mail.log_attempt(message_id, to, "smtp", now, error)
    db.session.commit()
    return Outcome(message_id, message.kind, to, result, error)


def obsolete(message: FollowupMessage, now: datetime, s: Settings) -> str | None:
    """Why a message should not go any more, in the team's words; None if it should."""
    invitation = message.invitation
    if not followed_by(invitation.stage_id, invitation.referent_id):
        return "Plus aucun·e participant·e à suivre pour ce·tte référent·e."
    if message.kind != "relance":
        return None
    if all_part_a_done(invitation):
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
