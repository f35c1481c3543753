"""What the team does to one follow-up by hand: send now, send the link again, fix an address.

Each action commits and then goes through the same claim as the dispatch pass
(`dispatch.process`), so a scheduler pass running at the same moment never sends twice.
"""
import secrets
from datetime import datetime

from sqlalchemy import select, update

from questionnaires.extensions import db
from questionnaires.followups.dispatch import Outcome, process
from questionnaires.followups.plan import is_expired, plan_stage, queue_resend
from questionnaires.followups.settings import Settings
from questionnaires.models import FollowupInvitation, FollowupMessage, Referent


#: "Envoyer maintenant" pressed again once the invitation has left (a double click, an old page)
ALREADY_SENT = ("l'invitation est déjà partie. Pour envoyer le lien à nouveau, utilisez "
                "« Renvoyer ».")


def send_now(invitation: FollowupInvitation, now: datetime) -> Outcome | None:
    """Send the first invitation at once (planned, held as too late, or failed).

    Once it has left, this does nothing: a second press must not become a resend.
    """
    first = next((m for m in invitation.messages if m.kind == "invitation"), None)
    if first is None:
        return resend(invitation, now)
    if invitation.first_sent_at is not None or first.state == "sent":
        return Outcome(first.id, first.kind, invitation.email, "cancelled", ALREADY_SENT)
    db.session.execute(update(FollowupMessage).where(
        FollowupMessage.id == first.id, FollowupMessage.claim_token.is_(None),
        FollowupMessage.state.in_(("planned", "held", "failed")),
    ).values(state="planned", next_attempt_at=now, attempts=0))
    db.session.commit()
    return process(first.id, now, secrets.token_hex(8), Settings.current())


def resend(invitation: FollowupInvitation, now: datetime) -> Outcome | None:
    """The link again, now (reopened first if it had expired); failed mails count as handled."""
    s = Settings.current()
    if is_expired(invitation, now, s):
        invitation.reopened_at = now
    for failed in [m for m in invitation.messages if m.state == "failed"]:
        failed.state = "cancelled"  # no pass ever claims a failed mail: plain ORM is safe
        failed.last_error = f"Remplacé par un renvoi. {failed.last_error or ''}"[:500]
    message = queue_resend(invitation, now)
    db.session.commit()
    return process(message.id, now, secrets.token_hex(8), s)


def after_email_change(referent: Referent, now: datetime) -> None:
    """Re-plan every stage of a referent whose address changed, and send what that made due."""
    invitations = db.session.scalars(select(FollowupInvitation)
                                     .where(FollowupInvitation.referent_id == referent.id)).all()
    for stage in {i.stage for i in invitations}:
        plan_stage(stage, now)
    s, token = Settings.current(), secrets.token_hex(8)
    for invitation in db.session.scalars(select(FollowupInvitation)
                                         .where(FollowupInvitation.referent_id == referent.id)):
        failed_first = invitation.first_sent_at is None and any(
            m.kind == "invitation" and m.state == "failed" for m in invitation.messages)
        if failed_first:
            send_now(invitation, now)
            continue
        for message in list(invitation.messages):
            if message.state == "planned" and message.kind == "renvoi" \
                    and message.next_attempt_at <= now:
                process(message.id, now, token, s)
