"""The recruitment's mails to the prescribing referent, planned in the scheduled-mail queue
(mail_queue.py: one row per mail under a unique key, sent once by the dispatch pass).

Their texts join the team's editable mail texts (followups/mail_texts.py): each kind below is
registered there with its placeholders, so the team rewords it per theme or per stage on the
« Textes des mails » pages, like the follow-up mails. A kind is also the name of its templates
(templates/email/<kind>.txt|.html), which only lay the paragraphs out. Placeholders: {referent}
{person} {stage} {dates} and, per kind, {reason} {when} {place} {bring} {slot}.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from questionnaires import mail_queue
from questionnaires.clock import french_day, french_hour
from questionnaires.followups import mail_texts
from questionnaires.models import Candidate, Stage


#: What each placeholder becomes, in French (shown beside the team's form)
_COMMON = {
    "referent": "le nom du ou de la référent·e qui a proposé la personne",
    "person": "le prénom et le nom de la personne proposée",
    "stage": "le titre du stage",
    "dates": "les dates du stage (« du lundi 22 novembre au vendredi 26 novembre 2021 »)",
}
_EXTRA = {
    "recrutement_non_retenu": {"reason": "la raison dite au prescripteur"},
    "recrutement_info": {"when": "le jour et l'heure de l'information collective",
                         "place": "le lieu et son adresse", "bring": "ce qu'il faut apporter"},
    "recrutement_semaine": {"slot": "le temps du programme", "when": "le jour et l'heure",
                            "place": "le lieu et son adresse"},
}
#: Values the team's preview fills in (nobody real is named in a preview)
EXAMPLES = {"referent": "Nadia Benali", "person": "Alex Martin", "stage": "Stage exemple",
            "dates": "du lundi 22 novembre au vendredi 26 novembre 2021",
            "reason": "Le stage tombe pendant sa formation.",
            "when": "mardi 9 novembre 2021 à 14 h", "place": "Théâtre Jean Vilar, Arcueil",
            "bring": "une pièce d'identité", "slot": "Visite du théâtre"}


def _kind(label: str, subject: str, body: str) -> tuple[str, str, str]:
    return label, subject, body


MAIL_KINDS = {
    "recrutement_recu": _kind(
        "Proposition reçue (accusé de réception)",
        "Proposition reçue : {person} pour le stage « {stage} »",
        "Bonjour {referent},\n\n"
        "Nous avons bien reçu votre proposition de {person} pour le stage « {stage} » "
        "({dates}).\n\n"
        "L'équipe vous recontacte pour fixer un entretien individuel avec {person}. "
        "Une question ? Répondez simplement à ce message."),
    "recrutement_retenu": _kind(
        "Candidature retenue",
        "{person} est retenu·e pour le stage « {stage} »",
        "Bonjour {referent},\n\n"
        "Bonne nouvelle : {person} est retenu·e pour le stage « {stage} » ({dates}).\n\n"
        "Vous serez son ou sa référent·e pendant le stage. L'équipe vous envoie la "
        "convention PMSMP à signer dans les prochains jours."),
    "recrutement_non_retenu": _kind(
        "Candidature non retenue",
        "Stage « {stage} » : la candidature de {person}",
        "Bonjour {referent},\n\n"
        "Après l'entretien, la candidature de {person} pour le stage « {stage} » n'a pas "
        "été retenue.\n\n"
        "La raison : {reason}\n\n"
        "N'hésitez pas à nous proposer {person} pour un prochain stage si c'est pertinent, "
        "ou à répondre à ce message pour en parler."),
    "recrutement_info": _kind(
        "Invitation à l'information collective",
        "Information collective du stage « {stage} » : {when}",
        "Bonjour {referent},\n\n"
        "{person} est invité·e à l'information collective du stage « {stage} » :\n"
        "{when}, {place}.\n\n"
        "À apporter : {bring}\n\n"
        "Merci de transmettre l'invitation à {person} et de nous prévenir en cas "
        "d'empêchement, en répondant à ce message."),
    "recrutement_semaine": _kind(
        "Invitation d'un·e référent·e dans la semaine",
        "Stage « {stage} » : venez nous rejoindre {when}",
        "Bonjour {referent},\n\n"
        "Pendant le stage « {stage} » ({dates}), nous serions heureux de vous accueillir à "
        "ce moment du programme :\n"
        "{slot}\n{when}\n{place}\n\n"
        "Dites-nous si vous venez avec le bouton ci-dessous (oui ou non, un clic suffit)."),
}


for _key, (_label, _subject, _body) in MAIL_KINDS.items():
    # No {lien}: these mails carry no personal link in their words (the week's invitation
    # has its answer button under the text, laid out by its template)
    mail_texts.register(_key, mail_texts.MailKind(
        _label, {**_COMMON, **_EXTRA.get(_key, {})}, _subject, _body, required=(),
        examples=EXAMPLES))


def worded(kind: str, stage: Stage, values: dict) -> tuple[str, list[str]]:
    """The subject and the paragraphs of `kind` for `stage`, in the team's words (the stage's
    text, else its theme's, else the shipped one), filled with `values`."""
    wording = mail_texts.wording(kind, stage)
    subject = " ".join(mail_texts.fill(wording.subject, values).split())
    return subject, mail_texts.fill(wording.body, values).split("\n\n")


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
    values = dict(referent=candidate.referent_name, person=candidate.display_name,
                  stage=candidate.stage.title, dates=dates_of(candidate.stage), **extra)
    subject, paragraphs = worded(kind, candidate.stage, values)
    mail_queue.schedule(kind, f"{kind}:{candidate.id}", candidate.referent_email,
                        subject, {"paragraphs": paragraphs}, now, now,
                        stage_id=candidate.stage_id)
