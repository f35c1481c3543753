"""Where each follow-up stands, for the team's pages and `flask followups status`."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, select

from questionnaires.followups.progress import cards as cards_of, part_b
from questionnaires.extensions import db
from questionnaires.followups.settings import Settings
from questionnaires.followups.plan import is_expired, link_expires_on
from questionnaires.models import FollowupInvitation, FollowupMessage, Response

LABELS = {
    "answered": "Répondu", "in_progress": "Réponses en cours", "sent": "Envoyé",
    "planned": "Prévu", "retrying": "Nouvel essai prévu", "held": "Non envoyé (date dépassée)",
    "failed": "Échec de l'envoi", "expired": "Lien expiré", "sending": "Envoi en cours",
}
#: A failure stays on the team's banner this long unless the team acts on it
FAILURE_NOTICE_DAYS = 30


@dataclass
class Summary:
    """One invitation as the team sees it."""

    invitation: FollowupInvitation
    cards: list
    part_b: Response | None
    state: str
    expires_on: date | None
    first: FollowupMessage | None = None
    reminders: list = field(default_factory=list)
    resends: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def answered(self) -> int:
        return sum(card.done for card in self.cards)


def summarize(invitation: FollowupInvitation, now: datetime, s: Settings | None = None) -> Summary:
    """The invitation's state, its mails and each participant's answer."""
    s = s or Settings.current()
    cards = cards_of(invitation)
    messages = invitation.messages
    summary = Summary(invitation, cards, part_b(invitation), "planned",
                      link_expires_on(invitation, s),
                      first=next((m for m in messages if m.kind == "invitation"), None),
                      reminders=[m for m in messages if m.kind == "relance"],
                      resends=[m for m in messages if m.kind == "renvoi"],
                      problems=[m for m in messages if m.state == "failed"
                                or (m.state == "planned" and m.last_error)])
    summary.state = _state(summary, now, s)
    return summary


def _state(summary: Summary, now: datetime, s: Settings) -> str:
    invitation, first = summary.invitation, summary.first
    if summary.cards and summary.answered == len(summary.cards):
        return "answered"
    if any(m.state == "failed" for m in summary.invitation.messages if m.kind != "relance"):
        return "failed"
    if invitation.first_sent_at is None:
        if first is None or first.state == "held":
            return "held"
        if first.claim_token is not None:
            return "sending"
        return "retrying" if first.attempts else "planned"
    if is_expired(invitation, now, s):
        return "expired"
    return "in_progress" if summary.answered else "sent"


def stage_summaries(stage_id: int, now: datetime) -> list[Summary]:
    s = Settings.current()
    invitations = db.session.scalars(select(FollowupInvitation)
                                     .where(FollowupInvitation.stage_id == stage_id)
                                     .order_by(FollowupInvitation.due_at, FollowupInvitation.id))
    return sorted((summarize(i, now, s) for i in invitations),
                  key=lambda x: x.invitation.referent.name.lower())


#: send_alarm's three indexed reads as one statement, built once: it runs on every team page
#: (a third of the stage dashboard's queries were these, built anew each time)
_ALARM = select(
    select(func.count(FollowupMessage.id))
    .where(FollowupMessage.state == "planned", FollowupMessage.due_at <= bindparam("limit"))
    .scalar_subquery().label("waiting"),
    select(func.max(FollowupMessage.sent_at)).scalar_subquery().label("last_sent"),
    select(func.count(FollowupMessage.id))
    .where(FollowupMessage.state == "failed", FollowupMessage.claimed_at >= bindparam("since"))
    .scalar_subquery().label("failed"))


def send_alarm(now: datetime) -> dict | None:
    """Why the team should look at the mails now, or None (indexed reads only).

    Mails due for SEND_ALARM_HOURS while nothing at all was sent in that time (SMTP down,
    credentials expired, scheduler stopped), or mails that gave up recently.
    """
    hours = current_app.config["SEND_ALARM_HOURS"]
    limit = now - timedelta(hours=hours)
    db.session.flush()  # as session.execute would autoflush
    row = db.session.connection().execute(_ALARM, {
        "limit": limit, "since": now - timedelta(days=FAILURE_NOTICE_DAYS)}).one()
    waiting, last_sent, failed = row
    if waiting and (last_sent is None or last_sent < limit):
        return {"waiting": waiting, "hours": hours, "last_sent": last_sent}
    return {"failed": failed} if failed else None
