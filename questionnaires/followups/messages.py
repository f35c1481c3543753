"""The follow-up mails' contents: the team's wording (mail_texts.py) filled with the stage's
values, the participants' first names, the personal link and its deadline."""
from datetime import date, datetime

from flask import current_app, render_template

from questionnaires import mail
from questionnaires.extensions import db
from questionnaires.followups import mail_texts
from questionnaires.followups.progress import cards, link_token, link_url
from questionnaires.followups.settings import Settings
from questionnaires.followups.plan import (
    followed_by,
    link_expires_on,
)
from questionnaires.models import FollowupMessage, OutboxMail, ScheduledMail, Stage
from questionnaires.participant import bilan
from questionnaires.web.filters import long_date

#: The mail's fixed signature, after the team's text (the HTML layout writes the same)
SIGNATURE = "Merci pour votre aide,\nL'équipe de {association}"


def french_list(words: list[str]) -> str:
    """"Alex, Sam et Inès"."""
    return " et ".join(filter(None, [", ".join(words[:-1]), words[-1] if words else ""]))


def values(stage: Stage, referent_name: str, names: list[str], link: str,
           deadline: date | None) -> dict:
    """What each placeholder of FOLLOWUP_PLACEHOLDERS becomes for one mail."""
    return {
        "prenom_referent": (referent_name.split() or [""])[0],
        "nom_referent": referent_name,
        "prenoms": french_list(names),
        "ont_participe": "a participé" if len(names) == 1 else "ont participé",
        "titre_stage": stage.title,
        "fin_stage": long_date(stage.end_date),
        "mois": str(stage.followup_months),
        "date_limite": long_date(deadline),
        "lien": link,
        "contact": mail.reply_to(),
        "association": current_app.config["ASSOCIATION_NAME"],
    }


def render(kind_key: str, to: str, subject: str, body: str, filled: dict) -> mail.Email:
    """A mail from a subject and body with placeholders: plain text and HTML, values escaped."""
    kind = mail_texts.KINDS[kind_key]
    subject_line = " ".join(mail_texts.fill(subject, filled).split())
    text = mail_texts.fill(body.strip(), filled) + "\n\n" + SIGNATURE.format(**filled)
    html = render_template("email/mail_text.html", blocks=mail_texts.html_blocks(body, filled, kind),
                           link=filled.get("lien"), button=kind.button, subject_line=subject_line,
                           association=filled["association"])
    return mail.Email(to, subject_line, text, html)


def compose(message: FollowupMessage, now: datetime, s: Settings) -> mail.Email:
    """The mail for one message: the stage, the participants' first names, the link, the deadline."""
    invitation = message.invitation
    stage = invitation.stage
    if message.kind == "relance":  # a reminder names only those still waiting for an answer
        names = [card.participant.first_name for card in cards(invitation) if not card.done]
    else:
        names = [p.first_name for p in followed_by(invitation.stage_id, invitation.referent_id)]
    kind_key = mail_texts.FOLLOWUP_KINDS[message.kind]
    wording = mail_texts.wording(kind_key, stage)
    filled = values(stage, invitation.referent.name, names,
                    link_url(invitation, s.public_url), link_expires_on(invitation, s, now))
    return render(kind_key, invitation.email, wording.subject, wording.body, filled)


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
