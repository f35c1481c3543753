"""The team's texts of a stage's report: their plain-text format, defaults and saving.

Format, one reading for the page and the DOCX (`parse`): a blank line separates paragraphs;
a line starting with "- ", "• " or "❖ " is a bullet; other line breaks stay line breaks; no
other markup. A new stage copies every text and funder of the previous stage of its theme
(the latest start before it); a copy says where it comes from until the team saves it.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, select

from questionnaires.extensions import db
from questionnaires.models import Stage, StageFunder, StageText, User
from questionnaires.models.report import FUNDER_KINDS, MAX_TEXT, TEXT_KEYS
from questionnaires.text import CONTROL

BULLET = re.compile(r"^\s*(?:- |• |❖ ?)\s*")
#: Longest funder name (the column)
MAX_FUNDER = 200
#: A funders' line starting with this names a partner rather than a funder
PARTNER_PREFIX = "partenaire :"


@dataclass(frozen=True)
class Paragraph:
    #: Lines of the paragraph (kept line breaks)
    lines: tuple[str, ...]


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]


def parse(body: str | None) -> list[Paragraph | BulletList]:
    """A text as paragraphs and bullet lists, in order."""
    blocks: list = []
    for chunk in re.split(r"\n\s*\n", (body or "").replace("\r\n", "\n").strip()):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        paragraph: list[str] = []
        for line in lines:
            if BULLET.match(line):
                if paragraph:
                    blocks.append(Paragraph(tuple(paragraph)))
                    paragraph = []
                item = BULLET.sub("", line)
                if blocks and isinstance(blocks[-1], BulletList) and not paragraph:
                    blocks[-1] = BulletList(blocks[-1].items + (item,))
                else:
                    blocks.append(BulletList((item,)))
            else:
                paragraph.append(line.strip())
        if paragraph:
            blocks.append(Paragraph(tuple(paragraph)))
    return blocks


def clean(body: str | None) -> str:
    """A text as stored: NFC, no control characters, trimmed."""
    return CONTROL.sub("", unicodedata.normalize("NFC", body or "")).strip()


# Reading ------------------------------------------------------------------------------------

def texts_of(stage: Stage) -> dict[str, StageText]:
    """The stage's texts by key (one select)."""
    return {text.key: text for text in db.session.scalars(
        select(StageText).where(StageText.stage_id == stage.id))}


def funders_of(stage: Stage) -> list[StageFunder]:
    return db.session.scalars(select(StageFunder).where(StageFunder.stage_id == stage.id)
                              .order_by(StageFunder.position)).all()


def previous_stage(stage: Stage) -> Stage | None:
    """The stage of the same theme that started last before this one (ties: the higher id)."""
    return db.session.scalar(
        select(Stage).where(Stage.theme == stage.theme, Stage.id != stage.id,
                            (Stage.start_date < stage.start_date)
                            | and_(Stage.start_date == stage.start_date, Stage.id < stage.id))
        .order_by(Stage.start_date.desc(), Stage.id.desc()).limit(1))


# Writing ------------------------------------------------------------------------------------

def copy_previous(stage: Stage, now: datetime) -> Stage | None:
    """Fill the stage's empty texts (and its funders, if it has none) from the previous stage
    of its theme; returns that stage, or None if there is none. The caller commits."""
    source = previous_stage(stage)
    if source is None:
        return None
    have = texts_of(stage)
    for key, text in texts_of(source).items():
        mine = have.get(key)
        if mine is not None and mine.body:
            continue
        if mine is None:
            mine = StageText(stage_id=stage.id, key=key)
            db.session.add(mine)
        mine.body, mine.copied_from_stage_id, mine.updated_at = text.body, source.id, now
    if not funders_of(stage):
        for funder in funders_of(source):
            db.session.add(StageFunder(stage_id=stage.id, position=funder.position,
                                       name=funder.name, kind=funder.kind))
    return source


def stamp(text: StageText | None) -> str:
    """What the edit page posts back to tell whether a text changed in between."""
    return text.updated_at.isoformat() if text is not None else ""


def save_texts(stage: Stage, posted: dict[str, str], stamps: dict[str, str], user: User | None,
               now: datetime) -> dict[str, str]:
    """Store the posted sections; returns errors by key (nothing stored when there are any).

    A section changed by someone else since the page was opened is refused ("modifié
    entre-temps") rather than overwritten. Saving a copied section marks it reviewed.
    """
    stored = texts_of(stage)
    errors = {}
    for key in TEXT_KEYS:
        if key not in posted:
            continue
        body = clean(posted[key])
        if len(body) > MAX_TEXT:
            errors[key] = f"Texte trop long : {len(body)} caractères pour {MAX_TEXT} au plus."
        elif stamps.get(key, "") != stamp(stored.get(key)):
            errors[key] = ("Ce texte a été modifié entre-temps par quelqu'un d'autre : "
                           "rechargez la page pour voir sa version, puis refaites vos changements.")
    if errors:
        return errors
    for key in TEXT_KEYS:
        if key not in posted:
            continue
        body, text = clean(posted[key]), stored.get(key)
        if text is None and not body:
            continue
        if text is None:
            text = StageText(stage_id=stage.id, key=key, body=body)
            db.session.add(text)
        elif text.body == body and text.copied_from_stage_id is None:
            continue
        text.body, text.copied_from_stage_id = body, None
        text.updated_at, text.updated_by_id = now, user.id if user else None
    return {}


def parse_funders(text: str) -> tuple[list[tuple[str, str]], str | None]:
    """Funders typed one per line ("Partenaire : …" for a partner); (list, error or None)."""
    funders = []
    for line in clean(text).splitlines():
        name, kind = line.strip(), "financeur"
        if name.lower().startswith(PARTNER_PREFIX):
            name, kind = name[len(PARTNER_PREFIX):].strip(), "partenaire"
        if not name:
            continue
        if len(name) > MAX_FUNDER:
            return [], f"Nom trop long (plus de {MAX_FUNDER} caractères) : « {name[:40]}… »."
        funders.append((name, kind))
    return funders, None


def funders_text(funders: list[StageFunder]) -> str:
    """The funders as the edit page shows them, one per line."""
    return "\n".join(("Partenaire : " if f.kind == "partenaire" else "") + f.name for f in funders)


def save_funders(stage: Stage, funders: list[tuple[str, str]]) -> None:
    """Replace the stage's funders by `funders` (name, kind), in order. The caller commits."""
    db.session.execute(delete(StageFunder).where(StageFunder.stage_id == stage.id))
    for position, (name, kind) in enumerate(funders):
        assert kind in FUNDER_KINDS
        db.session.add(StageFunder(stage_id=stage.id, position=position, name=name, kind=kind))
