"""Scheduled mails: planned by any capability, sent by the dispatch pass, each exactly once.

A capability calls `schedule` with a unique `dedupe_key` (planning again updates the row while
it waits) and `cancel` when a mail is no longer wanted; it stores the template's variables, so
the mail is written at send time by `mail.render` (templates/email/<kind>.txt and .html) and
delivered by `mail.deliver`. `send_due` is the pass: the same rule as the follow-up messages
(followups/dispatch.py), with the same settings (CLAIM_LEASE_MINUTES, MAX_SEND_ATTEMPTS,
RETRY_BASE_MINUTES): a conditional UPDATE claims each due row, committed before sending, and
only the pass still holding the claim records the result.
"""
import secrets
from datetime import datetime
from typing import Callable

from flask import current_app
from sqlalchemy import or_, select, update

from questionnaires import mail
from questionnaires.extensions import db
from questionnaires.followups.dispatch import Outcome
from questionnaires.followups.plan import retry_delay
from questionnaires.followups.settings import Settings
from questionnaires.models import ScheduledMail
from questionnaires.web.log_masking import mask_tokens

#: Rows a planner may still change: waiting and not claimed, or whose claim's lease ran out
#: (the pass that held it died; it cannot record a result once the token is gone)
_OPEN = ("planned", "cancelled")


def _free(now: datetime):
    return or_(ScheduledMail.claim_token.is_(None), ScheduledMail.next_attempt_at <= now)


def schedule(kind: str, dedupe_key: str, to: str, subject: str, context: dict,
             due_at: datetime, now: datetime, *, participant_id: int | None = None,
             stage_id: int | None = None) -> None:
    """Plan a mail, or bring the one planned under `dedupe_key` up to date (a cancelled one
    comes back). A mail sent, failed or being sent is left as it is. The caller commits; two
    planners racing meet the unique key, and the caller rolls back (the next pass redoes it)."""
    values = dict(to_address=to, subject=subject[:300], context=context, due_at=due_at)
    row = db.session.scalar(select(ScheduledMail).where(ScheduledMail.dedupe_key == dedupe_key))
    if row is None:
        db.session.add(ScheduledMail(kind=kind, dedupe_key=dedupe_key, state="planned",
                                     next_attempt_at=due_at, participant_id=participant_id,
                                     stage_id=stage_id, **values))
        db.session.flush()
        return
    if row.state not in _OPEN:
        return
    same = all(getattr(row, name) == value for name, value in values.items())
    if same and row.state == "planned" and row.claim_token is None:
        return
    # A retry already planned after a failure keeps its wait, unless the mail itself moved.
    keeps_retry = row.state == "planned" and row.due_at == due_at and row.claim_token is None
    db.session.execute(update(ScheduledMail).where(
        ScheduledMail.id == row.id, ScheduledMail.state.in_(_OPEN), _free(now),
    ).values(state="planned", next_attempt_at=row.next_attempt_at if keeps_retry else due_at,
             claim_token=None, last_error=row.last_error if keeps_retry else None, **values))


def cancel(row: ScheduledMail, reason: str, now: datetime) -> None:
    """Stop a mail still waiting, saying why (shown on the outbox page); the caller commits."""
    db.session.execute(update(ScheduledMail).where(
        ScheduledMail.id == row.id, ScheduledMail.state == "planned", _free(now),
    ).values(state="cancelled", next_attempt_at=None, claim_token=None, last_error=reason[:500]))


# The pass ---------------------------------------------------------------------------------------

def send_due(now: datetime, after_claim: Callable[[int], None] | None = None) -> list[Outcome]:
    """Claim, write, send and record every scheduled mail due at `now`.

    `after_claim` is called between the claim and the send (tests use it to crash there).
    """
    s = Settings.current()
    token = secrets.token_hex(8)
    seen: set[int] = set()
    outcomes: list[Outcome] = []
    while True:
        ids = [i for i in db.session.scalars(
            select(ScheduledMail.id).where(ScheduledMail.next_attempt_at <= now)
            .order_by(ScheduledMail.next_attempt_at, ScheduledMail.id).limit(200))
            if i not in seen]
        db.session.commit()
        if not ids:
            return outcomes
        for mail_id in ids:
            seen.add(mail_id)
            outcome = process(mail_id, now, token, s, after_claim)
            if outcome is not None:
                outcomes.append(outcome)


def claim(mail_id: int, now: datetime, token: str, s: Settings) -> bool:
    """Take the mail for this pass, committed, or learn that another pass has it."""
    taken = db.session.execute(update(ScheduledMail).where(
        ScheduledMail.id == mail_id, ScheduledMail.state == "planned",
        ScheduledMail.next_attempt_at <= now,
    ).values(next_attempt_at=now + s.lease, claimed_at=now, claim_token=token)).rowcount
    db.session.commit()
    return taken == 1


def process(mail_id: int, now: datetime, token: str, s: Settings,
            after_claim: Callable[[int], None] | None = None) -> Outcome | None:
    """Claim, write, send and record one mail; None when another pass has it."""
    if not claim(mail_id, now, token, s):
        return None
    if after_claim is not None:
        after_claim(mail_id)
    row = db.session.get(ScheduledMail, mail_id)
    try:
        email = mail.render(row.kind, row.to_address, row.subject, **row.context)
    except Exception:  # a template or a context that cannot be written: no retry would help
        current_app.logger.exception("scheduled mail %s (%s) could not be written", mail_id,
                                     row.kind)
        reason = "Le message n'a pas pu être écrit (modèle d'e-mail manquant ou incomplet)."
        _finish(mail_id, token, state="failed", next_attempt_at=None, last_error=reason)
        db.session.commit()
        return Outcome(mail_id, row.kind, row.to_address, "failed", reason)
    try:
        transport = mail.deliver(email, scheduled_id=mail_id)
    except Exception as error:  # any SMTP or network failure: retried later, logged
        db.session.rollback()
        return _failed(mail_id, email.to, token, now, s, mail.describe(error))
    # Once sent, the row keeps no working link (its token is only in the mail itself)
    recorded = _finish(mail_id, token, state="sent", sent_at=now, sent_to=email.to,
                       next_attempt_at=None, last_error=None, context=_masked(row.context))
    if not recorded:
        # Our lease ran out and another pass (or a planner) took the row: keep only the log.
        db.session.rollback()
        current_app.logger.warning("scheduled mail %s: claim lost while sending", mail_id)
    mail.log_attempt(None, email.to, transport, now, scheduled_id=mail_id)
    db.session.commit()
    return Outcome(mail_id, row.kind, email.to, "sent", transport)


def _masked(context: dict) -> dict:
    """The context with every personal link's token replaced by "***" (web/log_masking.py)."""
    return {key: mask_tokens(value) if isinstance(value, str) else value
            for key, value in (context or {}).items()}


def _finish(mail_id: int, token: str, **values) -> bool:
    """Record a result, only if this pass still holds the claim."""
    return db.session.execute(update(ScheduledMail).where(
        ScheduledMail.id == mail_id, ScheduledMail.claim_token == token,
    ).values(claim_token=None, **values)).rowcount == 1


def _failed(mail_id: int, to: str, token: str, now: datetime, s: Settings,
            error: str) -> Outcome:
    row = db.session.get(ScheduledMail, mail_id)
    attempts = row.attempts + 1
    if attempts >= s.max_attempts:
        values, result = dict(state="failed", next_attempt_at=None), "failed"
    else:
        values, result = dict(next_attempt_at=now + retry_delay(attempts, s)), "retry"
    _finish(mail_id, token, attempts=attempts, last_error=error, **values)
    mail.log_attempt(None, to, "smtp", now, error, scheduled_id=mail_id)
    db.session.commit()
    return Outcome(mail_id, row.kind, to, result, error)
