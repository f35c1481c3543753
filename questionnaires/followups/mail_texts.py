"""Mail texts the team may reword: a registry of kinds, the check, the rendering, the store.

`KINDS` maps a kind of mail ("suivi_invitation") to its label, its placeholders ({lien}…: name →
what it becomes, in the team's words) and its shipped subject and body. A capability that sends
its own mails declares its kinds with `register()` (the recruitment's receipts, later) and gets
the team's pages, the check and the preview for free.

A text is plain text with `{placeholders}`. The plain-text mail is that text filled in; the
HTML mail is made from the same text: blank lines separate paragraphs, a line holding only
`{lien}` becomes the mail's button, and every value is escaped. Precedence: the stage's own
text, else its theme's, else the shipped one (docs/followups.md).
"""
import re
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from questionnaires.extensions import db
from questionnaires.models import MailText, Stage
from questionnaires.models.mail_text import MAX_BODY, MAX_SUBJECT
from questionnaires.text import CONTROL


@dataclass(frozen=True)
class MailKind:
    """One kind of mail the team may reword."""

    #: What the team's pages call it
    label: str
    #: Placeholder name → what it becomes, in French (shown beside the form)
    placeholders: dict[str, str]
    #: The shipped subject and body
    subject: str
    body: str
    #: The button's words in the HTML form (where a line holds only {lien})
    button: str = "Ouvrir le lien"
    #: Placeholders a body must hold (a mail without its link is useless)
    required: tuple[str, ...] = ("lien",)
    #: Placeholders shown in bold in the HTML form
    strong: tuple[str, ...] = field(default=())
    #: What the team's preview fills in; empty: the follow-up mails' values for the stage
    examples: dict[str, str] = field(default_factory=dict)


#: Every kind of mail the team may reword, in the order the pages list them
KINDS: dict[str, MailKind] = {}


def register(key: str, kind: MailKind) -> None:
    """Declare a kind of mail (its shipped text must pass the check: a test reads them all)."""
    KINDS[key] = kind


#: What the follow-up mails can say: their code in braces, what it becomes
FOLLOWUP_PLACEHOLDERS = {
    "prenom_referent": "le premier mot du nom du ou de la référent·e (« Nadia »)",
    "nom_referent": "le nom du ou de la référent·e, tel qu'il est enregistré (« Nadia Benali »)",
    "prenoms": "les prénoms des personnes concernées (« Alex, Inès et Sam ») ; dans une "
               "relance, seulement celles dont on attend encore la réponse",
    "ont_participe": "« a participé » pour une personne, « ont participé » pour plusieurs",
    "titre_stage": "le titre du stage",
    "fin_stage": "le dernier jour du stage (« mardi 26 novembre 2030 »)",
    "mois": "le délai du suivi de ce stage, en mois (« 3 », « 6 »)",
    "date_limite": "le dernier jour où le lien fonctionne",
    "lien": "le lien personnel du ou de la référent·e (obligatoire dans le texte)",
    "contact": "l'adresse où écrire à l'équipe",
    "association": "le nom de l'association",
}

_INVITATION_BODY = """Bonjour {nom_referent},

{prenoms} {ont_participe} au stage « {titre_stage} », terminé le {fin_stage}, organisé par {association}.

{mois} mois plus tard, vous êtes la personne la mieux placée pour nous donner des nouvelles. Vos réponses sont notre seule mesure de ce que le stage a apporté.

Ce qui vous attend : quelques questions sur chaque personne que vous accompagnez, puis votre avis sur le stage. Comptez environ 5 minutes par personne. Vos réponses sont enregistrées au fur et à mesure : vous pouvez vous arrêter et reprendre plus tard avec le même lien.

Votre lien personnel (merci de ne pas le transférer) :
{lien}

Merci de répondre avant le {date_limite}.

Une question ? Répondez à ce message ou écrivez à {contact}."""

_RESEND_BODY = _INVITATION_BODY.replace(
    "Bonjour {nom_referent},\n\n",
    "Bonjour {nom_referent},\n\nVoici un nouveau lien pour le suivi du stage « {titre_stage} ». "
    "L'ancien lien ne fonctionne plus.\n\n")

_REMINDER_BODY = """Bonjour {nom_referent},

Petit rappel : nous attendons encore vos réponses pour {prenoms}, {mois} mois après le stage « {titre_stage} » ({association}).

Si vous avez déjà commencé, vos réponses sont gardées : reprenez simplement avec votre lien personnel.
{lien}

Le lien fonctionne jusqu'au {date_limite}.

Vous avez déjà donné ces nouvelles par téléphone, ou vous ne suivez plus ces personnes ? Répondez à ce message ou écrivez à {contact} : nous arrêterons les rappels."""

register("suivi_invitation", MailKind(
    "Invitation au suivi", FOLLOWUP_PLACEHOLDERS,
    "Suivi à {mois} mois du stage « {titre_stage} »", _INVITATION_BODY,
    button="Répondre au suivi", strong=("prenoms", "date_limite")))
register("suivi_renvoi", MailKind(
    "Nouveau lien de suivi (adresse corrigée ou « Renvoyer »)", FOLLOWUP_PLACEHOLDERS,
    "Suivi à {mois} mois du stage « {titre_stage} » (nouveau lien)", _RESEND_BODY,
    button="Répondre au suivi", strong=("prenoms", "date_limite")))
register("suivi_relance", MailKind(
    "Relance du suivi", FOLLOWUP_PLACEHOLDERS,
    "Rappel : suivi à {mois} mois du stage « {titre_stage} »", _REMINDER_BODY,
    button="Reprendre le suivi", strong=("prenoms", "date_limite")))

#: The follow-up message kinds (FollowupMessage.kind) and the text each one uses
FOLLOWUP_KINDS = {"invitation": "suivi_invitation", "renvoi": "suivi_renvoi",
                  "relance": "suivi_relance"}


# The check ------------------------------------------------------------------------------------

#: A placeholder as written: anything between a pair of braces
PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")


def _codes(names) -> str:
    return ", ".join("{" + name + "}" for name in names)


def _braces(text: str, kind: MailKind) -> str | None:
    """The first unknown placeholder or stray brace of `text`, in French; None if all is well."""
    for match in PLACEHOLDER.finditer(text):
        if match.group(1) not in kind.placeholders:
            return (f"Code inconnu : {match.group(0)}. Codes possibles : "
                    f"{_codes(kind.placeholders)}.")
    rest = PLACEHOLDER.sub("", text)
    stray = re.search(r"[{}]", rest)
    if stray:
        start = max(stray.start() - 15, 0)
        return (f"Accolade seule ou mal fermée près de « {rest[start:stray.end() + 15].strip()} » : "
                "un code s'écrit entre deux accolades, comme {titre_stage}.")
    return None


def clean(text: str | None) -> str:
    """A typed text as it is stored: Windows line ends and control characters gone, trimmed."""
    return CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def problems(kind_key: str, subject: str, body: str) -> dict[str, str]:
    """What is wrong with a subject and a body, by field ("subject", "body"), in French."""
    kind, errors = KINDS[kind_key], {}
    if not subject:
        errors["subject"] = "Écrivez le sujet de l'e-mail."
    elif "\n" in subject:
        errors["subject"] = "Le sujet tient sur une seule ligne."
    elif len(subject) > MAX_SUBJECT:
        errors["subject"] = f"Sujet trop long : {len(subject)} caractères pour {MAX_SUBJECT} au plus."
    elif "{lien}" in subject:
        errors["subject"] = "Le lien n'a pas sa place dans le sujet : mettez {lien} dans le texte."
    else:
        errors["subject"] = _braces(subject, kind)
    if not body:
        errors["body"] = "Écrivez le texte de l'e-mail."
    elif len(body) > MAX_BODY:
        errors["body"] = f"Texte trop long : {len(body)} caractères pour {MAX_BODY} au plus."
    else:
        errors["body"] = _braces(body, kind)
        missing = [name for name in kind.required if "{" + name + "}" not in body]
        if not errors["body"] and missing:
            errors["body"] = (f"Le texte doit contenir {_codes(missing)} : sans le lien, la "
                              "personne ne peut pas répondre.")
    return {key: message for key, message in errors.items() if message}


# Rendering ------------------------------------------------------------------------------------

def fill(text: str, values: dict) -> str:
    """The plain text with every known placeholder replaced by its value."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def _html_line(line: str, values: dict, kind: MailKind) -> Markup:
    """One line for the HTML form: the team's words and the values, all escaped."""
    parts, last = [], 0
    for match in PLACEHOLDER.finditer(line):
        parts.append(escape(line[last:match.start()]))
        name, value = match.group(1), values.get(match.group(1))
        if value is None:
            parts.append(escape(match.group(0)))
        elif name == "lien":
            parts.append(Markup('<a href="{0}" style="color:#8a1538;word-break:break-all;">{0}</a>')
                         .format(value))
        elif name == "contact":
            parts.append(Markup('<a href="mailto:{0}" style="color:#8a1538;">{0}</a>').format(value))
        elif name in kind.strong:
            parts.append(Markup("<strong>{}</strong>").format(value))
        else:
            parts.append(escape(value))
        last = match.end()
    parts.append(escape(line[last:]))
    return Markup("").join(parts)


def html_blocks(body: str, values: dict, kind: MailKind) -> list:
    """The HTML form's blocks: a paragraph's Markup, or "button" for a line holding only {lien}."""
    blocks: list = []
    for paragraph in re.split(r"\n[ \t]*\n", body.strip()):
        lines: list[Markup] = []
        for line in paragraph.split("\n"):
            if line.strip() == "{lien}":
                if lines:
                    blocks.append(Markup("<br>\n").join(lines))
                    lines = []
                blocks.append("button")
            else:
                lines.append(_html_line(line, values, kind))
        if lines:
            blocks.append(Markup("<br>\n").join(lines))
    return blocks


# The store ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Wording:
    """The subject and body a mail uses, and where they come from."""

    subject: str
    body: str
    #: "stage", "theme" or "default"
    source: str


SOURCES = {"stage": "propre à ce stage", "theme": "du thème", "default": "texte d'origine"}


def stored(kind_key: str, *, theme: str | None = None, stage_id: int | None = None) -> MailText | None:
    """The team's text of one kind for exactly this theme or this stage."""
    scope = MailText.stage_id == stage_id if stage_id is not None else MailText.theme == theme
    return db.session.scalar(select(MailText).where(MailText.kind == kind_key, scope))


def wording(kind_key: str, stage: Stage | None = None, theme: str | None = None) -> Wording:
    """The text a stage's mail uses: the stage's own, else its theme's, else the shipped one.

    Without a stage, `theme` gives the theme's text (else the shipped one)."""
    if stage is not None:
        own = stored(kind_key, stage_id=stage.id)
        if own is not None:
            return Wording(own.subject, own.body, "stage")
        theme = stage.theme
    if theme is not None:
        shared = stored(kind_key, theme=theme)
        if shared is not None:
            return Wording(shared.subject, shared.body, "theme")
    kind = KINDS[kind_key]
    return Wording(kind.subject, kind.body, "default")


def save(kind_key: str, subject: str, body: str, user_id: int | None, now: datetime, *,
         theme: str | None = None, stage_id: int | None = None) -> None:
    """Store the team's text for a theme or a stage (checked first by `problems`); commits."""
    for _ in range(2):  # a second editor inserting the same row at once: update theirs
        row = stored(kind_key, theme=theme, stage_id=stage_id)
        if row is None:
            row = MailText(kind=kind_key, theme=None if stage_id else theme, stage_id=stage_id)
            db.session.add(row)
        row.subject, row.body, row.updated_by_id, row.updated_at = subject, body, user_id, now
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
    raise RuntimeError("mail text not stored")


def reset(kind_key: str, *, theme: str | None = None, stage_id: int | None = None) -> bool:
    """Forget the team's text for a theme or a stage (the next one down applies); commits."""
    row = stored(kind_key, theme=theme, stage_id=stage_id)
    if row is None:
        return False
    db.session.delete(row)
    db.session.commit()
    return True
