"""The follow-up mails' contents: subject, first names, the personal link and its deadline."""
from datetime import datetime


from questionnaires import mail
from questionnaires.followups.progress import cards, link_url
from questionnaires.followups.settings import Settings
from questionnaires.followups.plan import (
    followed_by,
    link_expires_on,
)
from questionnaires.models import FollowupMessage

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
