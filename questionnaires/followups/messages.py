"""The follow-up mails' contents: subject, first names, the personal link and its deadline."""
from datetime import datetime

from flask import current_app, url_for

from questionnaires.followups import mail
from questionnaires.followups.progress import cards, link_token
from questionnaires.followups.settings import Settings
from questionnaires.followups.plan import (
    followed_by,
    link_expires_on,
)
from questionnaires.models import FollowupInvitation, FollowupMessage

SUBJECTS = {
    "invitation": "Suivi à 3 mois du stage « {title} »",
    "renvoi": "Suivi à 3 mois du stage « {title} » (nouveau lien)",
    "relance": "Rappel : suivi à 3 mois du stage « {title} »",
}


def french_list(words: list[str]) -> str:
    """"Alex, Sam et Inès"."""
    return " et ".join(filter(None, [", ".join(words[:-1]), words[-1] if words else ""]))


def link_url(invitation: FollowupInvitation) -> str:
    """The referent's personal link, on PUBLIC_URL (a pass runs outside any request)."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for("referent.page", token=link_token(invitation), _external=True)


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
        f"suivi_{kind}", invitation.email, SUBJECTS[message.kind].format(title=stage.title),
        referent=invitation.referent, stage=stage, first_names=names, names=french_list(names),
        link=link_url(invitation),
        deadline=link_expires_on(invitation, s, now), resend=message.kind == "renvoi",
        contact=mail.reply_to(),
    )
