"""The follow-up mails' contents: subject, first names, the personal link and its deadline."""
from datetime import datetime


from questionnaires import mail
from questionnaires.extensions import db
from questionnaires.followups.progress import cards, link_token, link_url
from questionnaires.followups.settings import Settings
from questionnaires.followups.plan import (
    followed_by,
    link_expires_on,
)
from questionnaires.models import FollowupMessage, OutboxMail, ScheduledMail
from questionnaires.participant import bilan

SUBJECTS = {
    "invitation": "Suivi à 3 mois du stage « {title} »",
    "renvoi": "Suivi à 3 mois du stage « {title} » (nouveau lien)",
    "relance": "Rappel : suivi à 3 mois du stage « {title} »",
}


def french_list(words: list[str]) -> str:
    """"Alex, Sam et Inès"."""
    return " et ".join(filter(None, [", ".join(words[:-1]), words[-1] if words else ""]))


def compose(message: FollowupMessage, now: datetime, s: Settings) -> mail.Email:
    """The mail for one message: the stage, the participants' first names, the link, the deadline."""
    invitation = message.invitation
    stage = invitation.stage
    kind = "relance" if message.kind == "relance" else "invitation"
    if kind == "relance":  # a reminder names only those still waiting for an answer
        names = [card.participant.first_name for card in cards(invitation) if not card.done]
    else:
        names = [p.first_name for p in followed_by(invitation.stage_id, invitation.referent_id)]
    return mail.render(
        f"followup_{kind}", invitation.email, SUBJECTS[message.kind].format(title=stage.title),
        referent=invitation.referent, stage=stage, first_names=names, names=french_list(names),
        link=link_url(invitation, s.public_url),
        deadline=link_expires_on(invitation, s, now), resend=message.kind == "renvoi",
        contact=mail.reply_to(),
    )


def outbox_copy(kept: OutboxMail) -> tuple[str, str]:
    """An outbox mail's text and HTML with its personal link put back, for the team's eyes only.

    The row keeps the link masked (mail.deliver); it is rebuilt from the salt and the key, so it
    is the link that works today (after an address change, the new one). A mail whose person or
    invitation is gone keeps "***".
    """
    links = {}
    message = db.session.get(FollowupMessage, kept.message_id) if kept.message_id else None
    if message is not None:
        links["/suivi/"] = link_token(message.invitation)
    scheduled = (db.session.get(ScheduledMail, kept.scheduled_mail_id)
                 if kept.scheduled_mail_id else None)
    if scheduled is not None and scheduled.participant is not None:
        links["/b/"] = bilan.link_token(scheduled.participant)
    text, html = kept.body_text, kept.body_html
    for path, token in links.items():
        text = text.replace(f"{path}***", f"{path}{token}")
        html = html.replace(f"{path}***", f"{path}{token}")
    return text, html
