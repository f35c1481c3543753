"""The recruitment's mails to the prescribing referent, planned in the scheduled-mail queue
(mail_queue.py: one row per mail under a unique key, sent once by the dispatch pass).

The texts are constants with {placeholders} for now, all declared in MAIL_KINDS so that they
can join the team's editable mail texts later (one entry = one editable text). A kind is also
the name of its templates (templates/email/<kind>.txt|.html), which only lay the paragraphs
out. Placeholders: {referent} {person} {stage} {dates} and, per kind, {reason} {when} {place}
{bring}.
"""
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from questionnaires import mail_queue
from questionnaires.clock import french_day, french_hour
from questionnaires.models import Candidate, Stage


@dataclass(frozen=True)
class MailKind:
    #: What the team reads on the outbox page
    label: str
    subject: str
    body: str


MAIL_KINDS = {
    "recrutement_recu": MailKind(
        "Proposition reçue (accusé de réception)",
        "Proposition reçue : {person} pour le stage « {stage} »",
        "Bonjour {referent},\n\n"
        "Nous avons bien reçu votre proposition de {person} pour le stage « {stage} » "
        "({dates}).\n\n"
        "L'équipe vous recontacte pour fixer un entretien individuel avec {person}. "
        "Une question ? Répondez simplement à ce message."),
    "recrutement_retenu": MailKind(
        "Candidature retenue",
        "{person} est retenu·e pour le stage « {stage} »",
        "Bonjour {referent},\n\n"
        "Bonne nouvelle : {person} est retenu·e pour le stage « {stage} » ({dates}).\n\n"
        "Vous serez son ou sa référent·e pendant le stage. L'équipe vous envoie la "
        "convention PMSMP à signer dans les prochains jours."),
    "recrutement_non_retenu": MailKind(
        "Candidature non retenue",
        "Stage « {stage} » : la candidature de {person}",
        "Bonjour {referent},\n\n"
        "Après l'entretien, la candidature de {person} pour le stage « {stage} » n'a pas "
        "été retenue.\n\n"
        "La raison : {reason}\n\n"
        "N'hésitez pas à nous proposer {person} pour un prochain stage si c'est pertinent, "
        "ou à répondre à ce message pour en parler."),
    "recrutement_info": MailKind(
        "Invitation à l'information collective",
        "Information collective du stage « {stage} » : {when}",
        "Bonjour {referent},\n\n"
        "{person} est invité·e à l'information collective du stage « {stage} » :\n"
        "{when}, {place}.\n\n"
        "À apporter : {bring}\n\n"
        "Merci de transmettre l'invitation à {person} et de nous prévenir en cas "
        "d'empêchement, en répondant à ce message."),
    "recrutement_semaine": MailKind(
        "Invitation d'un·e référent·e dans la semaine",
        "Stage « {stage} » : venez nous rejoindre {when}",
        "Bonjour {referent},\n\n"
        "Pendant le stage « {stage} » ({dates}), nous serions heureux de vous accueillir à "
        "ce moment du programme :\n"
        "{slot}\n{when}\n{place}\n\n"
        "Dites-nous si vous venez avec le bouton ci-dessous (oui ou non, un clic suffit)."),
}


def dates_of(stage: Stage) -> str:
    if stage.start_date == stage.end_date:
        return f"le {french_day(stage.start_date)} {stage.start_date.year}"
    return (f"du {french_day(stage.start_date)} au {french_day(stage.end_date)} "
            f"{stage.end_date.year}")


def moment_text(moment: datetime) -> str:
    """"mardi 9 novembre 2021 à 14 h" in the association's time zone."""
    local = moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    return f"{french_day(local.date())} {local.year} à {french_hour(local.time())}"


def plan(kind: str, candidate: Candidate, now: datetime, **extra: str) -> None:
    """Plan the mail `kind` about `candidate` to their referent, due now; planning it again
    changes the waiting mail, never adds one. The caller commits."""
    text = MAIL_KINDS[kind]
    values = dict(referent=candidate.referent_name, person=candidate.display_name,
                  stage=candidate.stage.title, dates=dates_of(candidate.stage), **extra)
    paragraphs = text.body.format(**values).split("\n\n")
    mail_queue.schedule(kind, f"{kind}:{candidate.id}", candidate.referent_email,
                        text.subject.format(**values), {"paragraphs": paragraphs}, now, now,
                        stage_id=candidate.stage_id)
